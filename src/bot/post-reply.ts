import { OncallError, errorMessage } from "../lib/errors.ts";
import type { Report } from "../report/schema.ts";
import { DEFAULT_RETRY_BACKOFF_MS, findAlert, retryDelayMs } from "../state/alert-lifecycle.ts";
import { alertKey, type PendingReply, type ReplyKind } from "../state/schema.ts";
import type { AlertJob, AlertOutcome, HandleAlertDeps, HandleAlertOptions, OwnReply } from "./handle-alert.ts";
import { replyMetadata } from "./reply-metadata.ts";
import { REACTIONS } from "./reply-sink.ts";

/**
 * Posting a reply so that it lands once: the rendered reply is recorded (posting) before it goes
 * out, a post that may have landed is looked for in the thread before any second post, and the
 * steps after it (the reaction swap, the diagnosis, notifications) follow a saved reply.
 */

/** A rate-limited post waits at least this long (it was waited out once already in the Slack client). */
const RATE_LIMIT_RETRY_MS = 30_000;

/** Records the rendered reply (posting) before it goes out, then posts it. */
export async function postNew(
  job: AlertJob,
  reply: Omit<PendingReply, "attempt">,
  report: Report | null,
  deps: HandleAlertDeps,
  options: HandleAlertOptions,
): Promise<AlertOutcome> {
  if (options.signal?.aborted) return cancel(job, deps, "shutdown before the reply was posted");
  await deps.store.apply({ op: "preparePost", id: job, reply, now: deps.clock.now() });
  const pending = findAlert(deps.store.state, job)?.pendingReply;
  if (!pending) throw new OncallError("state_transition", `alert ${alertKey(job.channel, job.ts)} has no pending reply after preparePost`);
  return post(job, pending, report, deps, options);
}

/** A reply that may already be in the thread (a crash or failed post): look first, and only if it is not there go on with `otherwise`. */
export async function resumePost(
  job: AlertJob,
  pending: PendingReply,
  deps: HandleAlertDeps,
  options: HandleAlertOptions,
  otherwise: () => Promise<AlertOutcome>,
): Promise<AlertOutcome> {
  let found: OwnReply | null;
  try {
    found = await deps.findOwnReply(job.channel, job.ts);
  } catch (error) {
    // Not a failed attempt: nothing was tried. Look again later.
    const now = deps.clock.now();
    await deps.store.apply({ op: "deferAttempt", id: job, now, retryAt: now + (options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS) });
    return { kind: "retry-later", error: `could not read the thread to look for an earlier reply: ${errorMessage(error)}` };
  }
  if (found) {
    const kind = found.kind ?? pending.kind;
    deps.logger.info({ channel: job.channel, ts: job.ts, replyTs: found.ts, kind }, "found this bot's reply in the thread; not posting again");
    await deps.store.apply({ op: "markReplied", id: job, replyTs: found.ts, kind, now: deps.clock.now() });
    // The report died with the process, so no triage e-mail; severity-based escalation still goes out.
    return finishReply(job, { kind, replyTs: found.ts, summary: pending.summary, report: null }, deps);
  }
  if (options.signal?.aborted) return { kind: "cancelled" };
  return otherwise();
}

export async function post(job: AlertJob, pending: PendingReply, report: Report | null, deps: HandleAlertDeps, options: HandleAlertOptions): Promise<AlertOutcome> {
  const metadata = replyMetadata({ alert: alertKey(job.channel, job.ts), attempt: pending.attempt, kind: pending.kind });
  // Replicas: renewed just before the post, so no other replica takes the alert over (and posts) while it goes out.
  const shared = deps.store.shared;
  if (shared && ((await shared.renewLeases([alertKey(job.channel, job.ts)])).length > 0 || options.signal?.aborted)) {
    deps.logger.warn({ channel: job.channel, ts: job.ts }, "not posting: the alert's lease was lost or the work cancelled");
    return { kind: "cancelled" };
  }
  let replyTs: string;
  try {
    ({ ts: replyTs } = await deps.sink.post(job.channel, job.ts, { text: pending.text, blocks: pending.blocks, metadata }));
  } catch (error) {
    const now = deps.clock.now();
    if (hasCode(error, "slack_ratelimited")) {
      await deps.store.apply({ op: "deferAttempt", id: job, now, retryAt: now + RATE_LIMIT_RETRY_MS });
      return { kind: "retry-later", error: errorMessage(error) };
    }
    // Slack may have taken it (a timeout, a 5xx after the write): the next try checks the thread first.
    // In transit, it is Slack's trouble, bounded apart; refused (invalid_blocks, msg_too_long), the reply's: an attempt.
    const record = findAlert(deps.store.state, job);
    const inTransit = hasCode(error, "slack_request");
    const failures = (inTransit ? (record?.postFailures ?? 0) : (record?.attempts ?? 0)) + 1;
    const reason = `posting the reply failed: ${errorMessage(error)}`;
    const retryAt = now + retryDelayMs(failures, options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS);
    await deps.store.apply({ op: inTransit ? "postFailed" : "failAttempt", id: job, error: reason, now, retryAt });
    deps.logger.warn({ channel: job.channel, ts: job.ts, failures, inTransit, error: reason }, "posting failed; the thread is checked before the next try");
    return { kind: "retry-later", error: reason };
  }
  await deps.store.apply({ op: "markReplied", id: job, replyTs, kind: pending.kind, now: deps.clock.now() });
  deps.logger.info({ channel: job.channel, ts: job.ts, replyTs, kind: pending.kind }, "replied");
  return finishReply(job, { kind: pending.kind, replyTs, summary: pending.summary, report }, deps);
}

/** The steps after a reply: the reaction swap (recorded), the diagnosis for repeats, notifications. */
async function finishReply(
  job: AlertJob,
  reply: { kind: ReplyKind; replyTs: string; summary: string | null; report: Report | null },
  deps: HandleAlertDeps,
): Promise<AlertOutcome> {
  await finishReaction(job, reply.kind, deps);
  const threadLink = reply.summary !== null ? await rememberDiagnosis(job, deps, reply.summary) : undefined;
  if (deps.afterReply) {
    const event = { job, kind: reply.kind, report: reply.report, replyTs: reply.replyTs, ...(threadLink !== undefined ? { threadLink } : {}) };
    await deps.afterReply(event).catch((e: unknown) => deps.logger.warn({ error: errorMessage(e) }, "after-reply hook failed"));
  }
  return { kind: reply.kind, replyTs: reply.replyTs };
}

/** 👀 → ✅ (or ⚠️): a recorded step, so a restart finishes a swap a crash cut off. */
export async function finishReaction(id: { channel: string; ts: string }, kind: ReplyKind, deps: Pick<HandleAlertDeps, "sink" | "store" | "clock">): Promise<void> {
  const done = kind === "full" || kind === "known-incident" ? REACTIONS.answered : REACTIONS.degraded;
  await deps.sink.react(id.channel, id.ts, [done], [REACTIONS.claimed]);
  await deps.store.apply({ op: "recordStep", id: { channel: id.channel, ts: id.ts }, kind: "reaction", now: deps.clock.now() });
}

/** Records a diagnosis for later repeats of the incident; returns the thread's permalink (one lookup, shared with the notifier). */
async function rememberDiagnosis(job: AlertJob, deps: HandleAlertDeps, summary: string): Promise<string | null> {
  const permalink = await deps.sink.permalink(job.channel, job.ts).catch(() => null);
  await deps.store.apply({
    op: "recordDiagnosis",
    signature: job.alert.signature,
    summary,
    thread: { channel: job.channel, ts: job.ts, permalink },
    now: deps.clock.now(),
  });

  return permalink;
}

export function hasCode(error: unknown, code: string): boolean {
  return error instanceof OncallError && error.code === code;
}


/** An attempt shutdown or abort cut short: nothing is posted, the alert is claimed again. */
export async function cancel(job: AlertJob, deps: HandleAlertDeps, reason: string): Promise<AlertOutcome> {
  // The bot may have recorded the cancellation already, when the grace period ran out.
  if (findAlert(deps.store.state, job)?.status === "triaging") await deps.store.apply({ op: "cancelAttempt", id: job, now: deps.clock.now() });
  deps.logger.info({ channel: job.channel, ts: job.ts, reason }, "attempt cancelled; nothing posted, the alert stays claimed");
  return { kind: "cancelled" };
}

import type { Alert } from "../alerts/types.ts";
import type { RecurrenceNote } from "../feedback/recurrence.ts";
import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import { redactSecrets } from "../lib/redact.ts";
import type { Logger } from "../lib/logger.ts";
import { debounceKeys, type DebouncePolicy } from "../notify/debounce.ts";
import { renderFailureNote, renderKnownIncidentReply, renderReportReply } from "../report/index.ts";
import type { Report } from "../report/schema.ts";
import { DEFAULT_RETRY_BACKOFF_MS, findAlert, retryDelayMs } from "../state/alert-lifecycle.ts";
import { decideMessage, type Decision } from "../state/decisions.ts";
import type { Scope, StateOp } from "../state/operations.ts";
import type { ReplyKind, SignatureRecord, State } from "../state/schema.ts";
import type { Triager } from "../triage/types.ts";
import { cancel, hasCode, post, postNew, resumePost } from "./post-reply.ts";
import { REACTIONS, type ReplySink } from "./reply-sink.ts";
import type { StateHandle } from "./state-handle.ts";

export interface AlertJob {
  channel: string;
  ts: string;
  alert: Alert;
  /** What the poller decided and (for triage and known-incident) already claimed in the state. */
  decision: Exclude<Decision, { action: "skip" }>;
  /** The 👀 reaction, started as soon as the alert was claimed rather than when a triage slot frees up. */
  acknowledged?: Promise<void>;
  /** The bot runs nothing else meanwhile (a suspect of earlier crashes): a crash now is this alert's. */
  alone?: boolean;
}

/** A reply of this bot found in a thread; `kind` is null for a reply without metadata (an older version's). */
export interface OwnReply {
  ts: string;
  kind: ReplyKind | null;
  attempt: number | null;
}

export interface HandleAlertDeps {
  store: StateHandle;
  /**
   * The contract: `triage()` may throw an OncallError with code `triage_cancelled` (shutdown or
   * abort: nothing is posted, the alert goes back to claimed, no failure counted) or
   * `evidence_unavailable` (transport failure, e.g. Conductor answering 503: retried with backoff;
   * the failure note quotes its message); any other throw is an ordinary failed attempt. A report
   * returned once the signal is aborted is never posted.
   */
  triager: Triager;
  sink: ReplySink;
  clock: Clock;
  logger: Logger;
  /** This bot's reply in the thread, if any: what a post that may have landed is checked against. */
  findOwnReply(channel: string, ts: string): Promise<OwnReply | null>;
  /** New, recurring or chronic (a triaged alert only): the reply's header line; its failure only drops the line. */
  recurrence?(job: AlertJob): Promise<RecurrenceNote | null>;
  /** Told after a reply is posted and saved; notifications hang off it. Its failure is logged only. */
  afterReply?(event: {
    job: AlertJob;
    kind: ReplyKind;
    report: Report | null;
    replyTs: string;
    /** The alert thread's permalink when it was already looked up (null: Slack gave none). */
    threadLink?: string | null;
    /** Not set here: the composition (src/cli/commands/run.ts) adds it from the feedback history for the notifier. */
    recurrence?: RecurrenceNote;
  }): Promise<void>;
}

export interface HandleAlertOptions {
  maxAttempts: number;
  cooldownMs: number;
  /** Attempts cut short by a crash before the alert gets a failure note. */
  maxCrashes?: number;
  /** The first retry waits this long, doubling per failure (default 30 s). */
  retryBackoffMs?: number;
  signal?: AbortSignal;
  /** Repeats per (organisation, cluster, issue type) within the window get the known-incident reply; absent: off. */
  debounce?: DebouncePolicy;
}

export type AlertOutcome =
  | { kind: ReplyKind; replyTs: string }
  | { kind: "skipped"; reason: string }
  | { kind: "retry-later"; error: string }
  /** Shutdown cut the attempt short: nothing was posted, the alert is claimed again. */
  | { kind: "cancelled" }
  /** Given up without a reply (the failure note itself could not be posted). */
  | { kind: "failed"; error: string };

export { DEFAULT_RETRY_BACKOFF_MS };

type ClaimOptions = Pick<HandleAlertOptions, "maxAttempts" | "cooldownMs" | "debounce" | "maxCrashes">;

/**
 * Decides what to do with an alert message and, for a triage or a known-incident reply, the claim
 * to apply: pure, so that a page of alerts is claimed in one write.
 */
export function decideAndClaim(
  state: State,
  id: { channel: string; ts: string },
  alert: Alert,
  now: number,
  options: ClaimOptions,
): { decision: Decision; ops: StateOp[] } {
  const keys = options.debounce ? debounceKeys(alert, options.debounce) : [];
  const ref = { ...id, executionId: alert.executionId, signature: alert.signature, debounceKeys: keys };
  const windowMs = options.debounce?.windowMs ?? 0;
  const decision = decideMessage(state, ref, {
    now,
    maxAttempts: options.maxAttempts,
    cooldownMs: options.cooldownMs,
    debounceWindowMs: windowMs,
    ...(options.maxCrashes !== undefined ? { maxCrashes: options.maxCrashes } : {}),
  });
  if (decision.action !== "triage" && decision.action !== "known-incident") return { decision, ops: [] };
  // The window opens at the claim, so repeats polled before this triage ends are debounced too.
  return { decision, ops: [{ op: "claim", alert: ref, debounceWindowMs: decision.action === "triage" ? windowMs : 0, now }] };
}

/** decideAndClaim for one alert, persisted before anything is posted, so a crash from here on is retried, not lost. */
export async function claimAlert(
  channel: string,
  ts: string,
  alert: Alert,
  deps: Pick<HandleAlertDeps, "store" | "clock">,
  options: ClaimOptions,
): Promise<Decision> {
  await deps.store.shared?.refresh(alertScope({ channel, ts }, alert, options));
  const { decision, ops } = decideAndClaim(deps.store.state, { channel, ts }, alert, deps.clock.now(), options);
  if (ops.length > 0) await deps.store.apply(ops);
  return decision;
}

/** The records one alert's decision reads: it, its execution, its signature and its debounce windows. */
export function alertScope(id: { channel: string; ts: string }, alert: Alert, options: Pick<ClaimOptions, "debounce">): Scope {
  return {
    alerts: [id],
    executions: [alert.executionId],
    signatures: [alert.signature],
    debounce: options.debounce ? debounceKeys(alert, options.debounce) : [],
  };
}

/** Runs one decision to its end: a reply, a recorded failure or cancellation to retry, or a give-up. Never throws for Slack or triage trouble. */
export async function handleAlert(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions): Promise<AlertOutcome> {
  const { decision } = job;
  switch (decision.action) {
    case "abandon":
      await deps.store.apply({ op: "markFailed", id: job, error: decision.reason, now: deps.clock.now() });
      deps.logger.error({ channel: job.channel, ts: job.ts, reason: decision.reason }, "giving up on the alert without a reply");
      return { kind: "failed", error: decision.reason };
    case "resume-post":
      return resumePost(job, decision.pending, deps, options, () => post(job, decision.pending, null, deps, options));
    case "give-up": {
      const giveUp = () => postFailureNote(job, deps, options, decision.reason, decision.attempts);
      // A reply that may have landed is looked for first: the failure note must not follow it.
      const pending = findAlert(deps.store.state, job)?.pendingReply;
      return pending ? resumePost(job, pending, deps, options, giveUp) : giveUp();
    }
    case "known-incident": {
      await (job.acknowledged ?? deps.sink.react(job.channel, job.ts, [REACTIONS.claimed]));
      const rendered = renderKnownIncidentReply({ alert: job.alert, previous: toPrevious(decision.previous), now: deps.clock.now() });
      return postNew(job, { kind: "known-incident", ...rendered, summary: null }, null, deps, options);
    }
    case "triage":
      // Awaited here so the final reaction can never land before the 👀 it replaces.
      await (job.acknowledged ?? deps.sink.react(job.channel, job.ts, [REACTIONS.claimed]));
      return triageAndPost(job, deps, options);
  }
}

async function triageAndPost(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions): Promise<AlertOutcome> {
  const { store, clock } = deps;
  const log = deps.logger.child({ channel: job.channel, ts: job.ts, executionId: job.alert.executionId });
  await store.apply({ op: "startAttempt", id: job, alone: job.alone ?? false, now: clock.now() });
  const attempt = findAlert(store.state, job)?.started ?? 0;
  let report: Report;
  try {
    log.info({ attempt }, "triaging");
    // One run key per attempt: the command idempotency keys stay stable if this attempt's starts are looked up.
    const runKey = `${job.channel}:${job.ts}#${attempt}`;
    report = await deps.triager.triage({ executionId: job.alert.executionId, alert: job.alert, runKey, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    if (options.signal?.aborted || hasCode(error, "triage_cancelled")) return cancel(job, deps, errorMessage(error));
    // Evidence that could not be gathered (Conductor down) says so itself; anything else is a triage failure.
    const reason = hasCode(error, "evidence_unavailable") ? errorMessage(error) : `triage failed: ${errorMessage(error)}`;
    return fail(job, deps, options, reason);
  }
  // A report produced while (or after) the signal fired may rest on cancelled tool calls: never post it.
  if (options.signal?.aborted) return cancel(job, deps, "the triage was cancelled (shutdown or deadline)");
  const kind: ReplyKind = report.stats.fallbackReason ? "fallback" : "full";
  const summary = redactSecrets(`${report.likelyRootCause} (confidence ${report.confidence})`).slice(0, 400);
  const recurrence = deps.recurrence
    ? await deps.recurrence(job).catch((e: unknown) => {
        log.warn({ error: errorMessage(e) }, "could not tell whether the incident recurs; replying without the line");
        return null;
      })
    : null;
  const rendered = renderReportReply(report, job.alert, recurrence ? { recurrence: recurrence.line } : {});
  return postNew(job, { kind, ...rendered, summary }, report, deps, options);
}

/** A failed attempt: counted, retried after a backoff; when attempts run out, the failure note (saying why) goes out now. */
async function fail(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions, error: string): Promise<AlertOutcome> {
  const now = deps.clock.now();
  const failures = (findAlert(deps.store.state, job)?.attempts ?? 0) + 1;
  const retryAt = now + retryDelayMs(failures, options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS);
  await deps.store.apply({ op: "failAttempt", id: job, error: redactSecrets(error), now, retryAt });
  deps.logger.warn({ channel: job.channel, ts: job.ts, attempts: failures, error }, "attempt failed");
  if (failures >= options.maxAttempts && findAlert(deps.store.state, job)?.status === "claimed") {
    return postFailureNote(job, deps, options, error, failures);
  }
  return { kind: "retry-later", error };
}

async function postFailureNote(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions, reason: string, attempts: number): Promise<AlertOutcome> {
  const rendered = renderFailureNote({ alert: job.alert, attempts, lastError: redactSecrets(reason) });
  return postNew(job, { kind: "failure-note", ...rendered, summary: null }, null, deps, options);
}

function toPrevious(record: SignatureRecord): { summary: string; threadLink: string | null; at: number } {
  return { summary: record.summary, threadLink: record.thread.permalink, at: Date.parse(record.diagnosedAt) };
}

import type { Alert } from "../alerts/types.ts";
import type { RecurrenceNote } from "../feedback/recurrence.ts";
import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import { redactSecrets } from "../lib/redact.ts";
import type { Logger } from "../lib/logger.ts";
import { debounceKeys, type DebouncePolicy } from "../notify/debounce.ts";
import { renderFailureNote, renderKnownIncidentReply, renderReportReply } from "../report/index.ts";
import type { Report } from "../report/schema.ts";
import {
  claim,
  decideMessage,
  markFailedAttempt,
  type Decision,
  markReplied,
  openDebounceWindows,
  recordDiagnosis,
} from "../state/decisions.ts";
import type { ReplyKind, SignatureRecord } from "../state/schema.ts";
import type { Triager } from "../triage/types.ts";
import { REACTIONS, type ReplySink } from "./reply-sink.ts";
import type { StateHandle } from "./state-handle.ts";

export interface AlertJob {
  channel: string;
  ts: string;
  alert: Alert;
  /** True when an earlier attempt may already have posted (restart, retry): check the thread first. */
  mayHaveReplied: boolean;
  /** What the poller decided and (for triage and known-incident) already claimed in the state. */
  decision: Exclude<Decision, { action: "skip" }>;
  /** The 👀 reaction, started as soon as the alert was claimed rather than when a triage slot frees up. */
  acknowledged?: Promise<void>;
}

export interface HandleAlertDeps {
  store: StateHandle;
  triager: Triager;
  sink: ReplySink;
  clock: Clock;
  logger: Logger;
  /** Finds a reply by this bot in the thread, for the crash-between-post-and-save case. */
  findOwnReply(channel: string, ts: string): Promise<string | null>;
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
    recurrence?: RecurrenceNote;
  }): Promise<void>;
}

export interface HandleAlertOptions {
  maxAttempts: number;
  cooldownMs: number;
  signal?: AbortSignal;
  /** Repeats per (organisation, cluster, issue type) within the window get the known-incident reply; absent: off. */
  debounce?: DebouncePolicy;
}

export type AlertOutcome = { kind: ReplyKind; replyTs: string } | { kind: "skipped"; reason: string } | { kind: "retry-later"; error: string };

/**
 * Decides what to do with an alert message and, unless it is skipped or given up, claims it in the
 * state (persisted) before anything is posted, so a crash from here on is retried, not lost.
 */
export async function claimAlert(
  channel: string,
  ts: string,
  alert: Alert,
  deps: Pick<HandleAlertDeps, "store" | "clock">,
  options: Pick<HandleAlertOptions, "maxAttempts" | "cooldownMs" | "debounce">,
): Promise<Decision> {
  const keys = options.debounce ? debounceKeys(alert, options.debounce) : [];
  const ref = { channel, ts, executionId: alert.executionId, signature: alert.signature, debounceKeys: keys };
  const windowMs = options.debounce?.windowMs ?? 0;
  const decision = decideMessage(deps.store.state, ref, {
    now: deps.clock.now(),
    maxAttempts: options.maxAttempts,
    cooldownMs: options.cooldownMs,
    debounceWindowMs: windowMs,
  });
  if (decision.action === "triage") {
    // The window opens at the claim, so repeats polled before this triage ends are debounced too.
    await deps.store.update((s) => openDebounceWindows(claim(s, ref, deps.clock.now()), ref, windowMs));
  } else if (decision.action === "known-incident") {
    await deps.store.update((s) => claim(s, ref, deps.clock.now()));
  }
  return decision;
}

/** Triage → post → mark replied (persist). Never throws: every path ends in a reply, a recorded failed attempt to retry, or a skip. */
export async function handleAlert(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions): Promise<AlertOutcome> {
  const { store, sink, clock, logger } = deps;
  const ref = { channel: job.channel, ts: job.ts };
  const log = logger.child({ channel: job.channel, ts: job.ts, executionId: job.alert.executionId });
  const { decision } = job;

  if (job.mayHaveReplied) {
    const existing = await deps.findOwnReply(job.channel, job.ts).catch((e: unknown) => {
      log.warn({ error: errorMessage(e) }, "could not read the thread to look for an earlier reply");
      return undefined;
    });
    if (existing === undefined) return { kind: "retry-later", error: "could not check the thread for an earlier reply" };
    if (existing) {
      log.info({ replyTs: existing }, "found this bot's earlier reply in the thread; not replying again");
      await store.update((s) => markReplied(s, ref, { replyTs: existing, kind: "full", now: clock.now() }));
      // The report died with the crash, so no triage e-mail; severity-based escalation still goes out.
      await notifyAfterReply(deps, { job, kind: "full", report: null, replyTs: existing });
      return { kind: "full", replyTs: existing };
    }
  }

  if (decision.action === "give-up") {
    const record = store.state.alerts[`${job.channel}:${job.ts}`];
    return postFailureNote(job, deps, record?.lastError ?? "unknown error", decision.attempts);
  }

  // Awaited here so the final reaction can never land before the 👀 it replaces.
  await (job.acknowledged ?? sink.react(job.channel, job.ts, [REACTIONS.claimed]));

  if (decision.action === "known-incident") {
    const outcome = await postReply(job, deps, "known-incident", null, () =>
      renderKnownIncidentReply({ alert: job.alert, previous: toPrevious(decision.previous), now: clock.now() }),
    );
    return outcome.kind === "retry-later" ? failAttempt(job, deps, options, outcome.error) : outcome;
  }

  let report: Report;
  try {
    log.info({ attempt: decision.attempt }, "triaging");
    report = await deps.triager.triage({ executionId: job.alert.executionId, alert: job.alert, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    return failAttempt(job, deps, options, `triage failed: ${errorMessage(error)}`);
  }
  const kind: ReplyKind = report.stats.fallbackReason ? "fallback" : "full";
  const recurrence = deps.recurrence
    ? await deps.recurrence(job).catch((e: unknown) => {
        log.warn({ error: errorMessage(e) }, "could not tell whether the incident recurs; replying without the line");
        return null;
      })
    : null;
  const outcome = await postReply(job, deps, kind, report, () => renderReportReply(report, job.alert, recurrence ? { recurrence: recurrence.line } : {}), recurrence);
  if (outcome.kind === "retry-later") return failAttempt(job, deps, options, outcome.error);
  return outcome;
}

async function postReply(
  job: AlertJob,
  deps: HandleAlertDeps,
  kind: ReplyKind,
  report: Report | null,
  render: () => { text: string; blocks: unknown[] },
  recurrence: RecurrenceNote | null = null,
): Promise<AlertOutcome> {
  const ref = { channel: job.channel, ts: job.ts };
  let replyTs: string;
  try {
    ({ ts: replyTs } = await deps.sink.post(job.channel, job.ts, render()));
  } catch (error) {
    return { kind: "retry-later", error: `posting the reply failed: ${errorMessage(error)}` };
  }
  await deps.store.update((s) => markReplied(s, ref, { replyTs, kind, now: deps.clock.now() }));
  const done = kind === "full" || kind === "known-incident" ? REACTIONS.answered : REACTIONS.degraded;
  await deps.sink.react(job.channel, job.ts, [done], [REACTIONS.claimed]);
  deps.logger.info({ channel: job.channel, ts: job.ts, replyTs, kind }, "replied");
  const threadLink = report ? await rememberDiagnosis(job, deps, report) : undefined;
  await notifyAfterReply(deps, { job, kind, report, replyTs, ...(threadLink !== undefined ? { threadLink } : {}), ...(recurrence ? { recurrence } : {}) });
  return { kind, replyTs };
}

/** Records a diagnosis for later repeats of the incident; returns the thread's permalink (one lookup, shared with the notifier). */
async function rememberDiagnosis(job: AlertJob, deps: HandleAlertDeps, report: Report): Promise<string | null> {
  const permalink = await deps.sink.permalink(job.channel, job.ts).catch(() => null);
  await deps.store.update((s) =>
    recordDiagnosis(s, job.alert.signature, {
      summary: redactSecrets(`${report.likelyRootCause} (confidence ${report.confidence})`).slice(0, 400),
      thread: { channel: job.channel, ts: job.ts, permalink },
      now: deps.clock.now(),
    }),
  );
  return permalink;
}

async function failAttempt(job: AlertJob, deps: HandleAlertDeps, options: HandleAlertOptions, error: string): Promise<AlertOutcome> {
  const ref = { channel: job.channel, ts: job.ts };
  await deps.store.update((s) => markFailedAttempt(s, ref, { error: redactSecrets(error), now: deps.clock.now() }));
  const attempts = deps.store.state.alerts[`${job.channel}:${job.ts}`]?.attempts ?? options.maxAttempts;
  deps.logger.warn({ channel: job.channel, ts: job.ts, attempts, error }, "attempt failed");
  if (attempts >= options.maxAttempts) return postFailureNote(job, deps, error, attempts);
  return { kind: "retry-later", error };
}

async function postFailureNote(job: AlertJob, deps: HandleAlertDeps, lastError: string, attempts: number): Promise<AlertOutcome> {
  const outcome = await postReply(job, deps, "failure-note", null, () => renderFailureNote({ alert: job.alert, attempts, lastError }));
  if (outcome.kind === "retry-later") {
    // The alert stays claimed: the next cycle tries the note again rather than dropping the alert.
    deps.logger.error({ channel: job.channel, ts: job.ts, error: outcome.error }, "could not post the failure note; will retry next cycle");
  }
  return outcome;
}

/** Notifications are advisory: their failure is logged and never fails the alert. */
async function notifyAfterReply(deps: HandleAlertDeps, event: Parameters<NonNullable<HandleAlertDeps["afterReply"]>>[0]): Promise<void> {
  if (!deps.afterReply) return;
  await deps.afterReply(event).catch((e: unknown) => deps.logger.warn({ error: errorMessage(e) }, "after-reply hook failed"));
}

function toPrevious(record: SignatureRecord): { summary: string; threadLink: string | null; at: number } {
  return { summary: record.summary, threadLink: record.thread.permalink, at: Date.parse(record.diagnosedAt) };
}

import { compareSlackTs } from "./compare-slack-ts.ts";
import { clip, findAlert, iso, own, transitionError, updateAlert, type MessageId } from "./record-helpers.ts";
import { alertKey, type AlertRecord, type AlertStatus, type PendingReply, type ReplyKind, type State } from "./schema.ts";

/**
 * The one owner of an alert's life, as pure transitions over State:
 *
 *   (seen) → claimed → triaging → posting → replied
 *               ↑  ↖______|  ↖______|         failed (given up, no reply)
 *               retry later (nextAttemptAt), cancelled, crashed
 *
 * A failure counts in `attempts`; a crash (found `triaging` at start) in `crashes`; a shutdown's
 * cancellation in `cancellations` and costs nothing. An alert that was in flight at two crashes is
 * a suspect and is then triaged alone; crashes while alone (`soloCrashes`) bound a poison alert,
 * so random kills while other alerts run do not add up to a failure note. `posting` means a reply may be in the thread:
 * whoever resumes it checks the thread before posting again. Side effects after the reply are
 * steps keyed `<attempt>:<kind>`, so a restart finishes the ones a crash cut off.
 */

/** What identifies an alert message for a claim. */
export interface ClaimRef extends MessageId {
  executionId: string;
  signature: string;
}

/** A side effect recorded once done. */
export type StepKind = "reaction";

/** The first retry after a failed attempt waits this long by default (ONCALL_RETRY_BACKOFF). */
export const DEFAULT_RETRY_BACKOFF_MS = 30_000;

/** Retry backoff doubles per failure from the base, up to this. */
export const MAX_RETRY_DELAY_MS = 10 * 60_000;

/** seen → claimed. Claiming an alert already owned and unfinished changes nothing (no attempt is spent). */
export function claim(state: State, alert: ClaimRef, now: number): State {
  const key = alertKey(alert.channel, alert.ts);
  const owner = own(state.executions, alert.executionId);
  if (owner !== undefined && owner !== key) {
    throw transitionError(`cannot claim ${key}: execution ${alert.executionId} belongs to ${owner}`);
  }
  const existing = own(state.alerts, key);
  if (existing) {
    if (isFinal(existing.status)) throw transitionError(`cannot claim ${key}: it is already ${existing.status}`);
    return owner === key ? state : { ...state, executions: { ...state.executions, [alert.executionId]: key } };
  }
  const at = iso(now);
  const record: AlertRecord = {
    channel: alert.channel,
    ts: alert.ts,
    executionId: alert.executionId,
    signature: alert.signature,
    status: "claimed",
    attempts: 0,
    started: 0,
    postFailures: 0,
    crashes: 0,
    soloCrashes: 0,
    alone: false,
    cancellations: 0,
    nextAttemptAt: null,
    steps: {},
    pendingReply: null,
    replyTs: null,
    replyKind: null,
    claimedAt: at,
    repliedAt: null,
    updatedAt: at,
    lastError: null,
  };
  return { ...state, alerts: { ...state.alerts, [key]: record }, executions: { ...state.executions, [alert.executionId]: key } };
}

/** Crashes after which an alert is a suspect: its next attempts run alone, so a crash then is its own. */
export const SUSPECT_AFTER_CRASHES = 2;

export function isSuspect(record: AlertRecord | undefined): boolean {
  return (record?.crashes ?? 0) >= SUSPECT_AFTER_CRASHES;
}

/** claimed → triaging: an attempt starts (persisted first, so a crash from here on is counted as one). */
export function startAttempt(state: State, id: MessageId, now: number, options: { alone?: boolean } = {}): State {
  return transition(state, id, ["claimed"], (r) => ({
    ...r,
    status: "triaging",
    started: r.started + 1,
    alone: options.alone ?? false,
    nextAttemptAt: null,
    updatedAt: iso(now),
  }));
}

/** triaging → claimed: shutdown or abort cut the attempt short. Not a failure; retried on the next start. */
export function cancelAttempt(state: State, id: MessageId, now: number): State {
  return transition(state, id, ["triaging"], (r) => ({ ...r, status: "claimed", cancellations: r.cancellations + 1, updatedAt: iso(now) }));
}

/**
 * triaging → claimed, or posting → posting (the rendered reply is kept, and the thread is checked
 * before it is posted again): the attempt failed and counts; the next one waits until `retryAt`.
 */
export function failAttempt(state: State, id: MessageId, failure: { error: string; now: number; retryAt: number }): State {
  return transition(state, id, ["triaging", "posting"], (r) => ({
    ...r,
    status: r.status === "posting" ? "posting" : "claimed",
    attempts: r.attempts + 1,
    lastError: clip(failure.error),
    nextAttemptAt: iso(failure.retryAt),
    updatedAt: iso(failure.now),
  }));
}

/**
 * posting → posting: the post failed in transit (a 5xx, a timeout, the network). Not the reply's
 * fault, so it does not spend an attempt; it is bounded by MAX_POST_FAILURES, and the next try
 * checks the thread first (Slack may have taken it).
 */
export function postFailed(state: State, id: MessageId, failure: { error: string; now: number; retryAt: number }): State {
  return transition(state, id, ["posting"], (r) => ({
    ...r,
    postFailures: r.postFailures + 1,
    lastError: clip(failure.error),
    nextAttemptAt: iso(failure.retryAt),
    updatedAt: iso(failure.now),
  }));
}

/** Posts failed in transit before the reply is replaced by a failure note (with the backoff: over an hour). */
export const MAX_POST_FAILURES = 10;

/** The attempt must wait (a rate limit) without counting as a failure. */
export function deferAttempt(state: State, id: MessageId, wait: { now: number; retryAt: number }): State {
  return transition(state, id, ["triaging", "posting"], (r) => ({
    ...r,
    status: r.status === "posting" ? "posting" : "claimed",
    nextAttemptAt: iso(wait.retryAt),
    updatedAt: iso(wait.now),
  }));
}

/**
 * claimed | triaging | posting → posting: the reply is rendered and about to go out. From here a
 * restart must look in the thread before posting (the post may have landed before the crash).
 */
export function preparePost(state: State, id: MessageId, reply: Omit<PendingReply, "attempt">, now: number): State {
  return transition(state, id, ["claimed", "triaging", "posting"], (r) => {
    const started = r.status === "triaging" ? r.started : r.started + 1;
    return { ...r, status: "posting", started, pendingReply: { ...reply, attempt: started }, nextAttemptAt: null, updatedAt: iso(now) };
  });
}

/** posting → replied (or claimed → replied when a reply of this bot is adopted from the thread). */
export function markReplied(state: State, id: MessageId, reply: { replyTs: string; kind: ReplyKind; now: number }): State {
  return transition(state, id, ["claimed", "triaging", "posting"], (r) => ({
    ...r,
    status: "replied",
    replyTs: reply.replyTs,
    replyKind: reply.kind,
    pendingReply: null,
    nextAttemptAt: null,
    repliedAt: iso(reply.now),
    updatedAt: iso(reply.now),
  }));
}

/** Gives up for good without a reply in the thread (deleted message, a failure note Slack keeps refusing). */
export function markFailed(state: State, id: MessageId, failure: { error: string; now: number }): State {
  return transition(state, id, ["claimed", "triaging", "posting"], (r) => ({
    ...r,
    status: "failed",
    pendingReply: null,
    lastError: clip(failure.error),
    updatedAt: iso(failure.now),
  }));
}

/** Records a side effect of the current attempt as done. */
export function recordStep(state: State, id: MessageId, kind: StepKind, now: number): State {
  return updateAlert(state, id, (r) => ({ ...r, steps: { ...r.steps, [stepKey(r.started, kind)]: iso(now) } }));
}

export function hasStep(record: AlertRecord, kind: StepKind): boolean {
  return Object.hasOwn(record.steps, stepKey(record.started, kind));
}

export function stepKey(attempt: number, kind: StepKind): string {
  return `${attempt}:${kind}`;
}

/**
 * At start: an attempt still `triaging` was cut short by a crash (a shutdown records its
 * cancellation). It goes back to claimed and counts as a crash, not as a failure.
 */
export function recoverInterrupted(state: State, now: number): State {
  const interrupted = Object.entries(state.alerts).filter(([, r]) => r.status === "triaging");
  if (interrupted.length === 0) return state;
  const alerts = { ...state.alerts };
  for (const [key, r] of interrupted) {
    alerts[key] = { ...r, status: "claimed", crashes: r.crashes + 1, soloCrashes: r.soloCrashes + (r.alone ? 1 : 0), alone: false, updatedAt: iso(now) };
  }
  return { ...state, alerts };
}

/** Alerts owned and unfinished (claimed or posting), oldest message first: what must be retried or resumed. */
export function pendingAlerts(state: State): AlertRecord[] {
  return Object.values(state.alerts)
    .filter((record) => record.status === "claimed" || record.status === "posting")
    .sort((a, b) => compareSlackTs(a.ts, b.ts) || a.channel.localeCompare(b.channel));
}

/** Replied alerts whose reaction swap (👀 → ✅/⚠️) a crash cut off. */
export function unfinishedReactions(state: State): AlertRecord[] {
  return Object.values(state.alerts).filter((r) => r.status === "replied" && r.started > 0 && !hasStep(r, "reaction"));
}

/** Backoff before the next attempt after `failures` failures: base·2^(failures-1), at most MAX_RETRY_DELAY_MS. */
export function retryDelayMs(failures: number, baseMs: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, failures - 1));
}

export function isFinal(status: AlertStatus): boolean {
  return status === "replied" || status === "failed";
}

export { findAlert };

function transition(state: State, id: MessageId, from: readonly AlertStatus[], change: (record: AlertRecord) => AlertRecord): State {
  return updateAlert(state, id, (record) => {
    if (!from.includes(record.status)) {
      throw transitionError(`alert ${alertKey(id.channel, id.ts)} is ${record.status}, not ${from.join(" or ")}`);
    }
    return change(record);
  });
}

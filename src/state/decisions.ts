import { compareSlackTs, isSlackTs } from "./compare-slack-ts.ts";
import { MAX_POST_FAILURES } from "./alert-lifecycle.ts";
import { clip, iso, own, updateAlert, type MessageId } from "./record-helpers.ts";
import {
  STATE_VERSION,
  alertKey,
  type DebounceRecord,
  type NotificationChannel,
  type PendingReply,
  type SignatureRecord,
  type State,
  type ThreadRef,
} from "./schema.ts";

/** Pure transitions over State: each returns a new State and leaves its input untouched. */

export type { MessageId };

/** What decideMessage and claim need to know about an alert message. */
export interface AlertRef extends MessageId {
  executionId: string;
  signature: string;
  /** The alert's (organisation, cluster, issue type) keys; empty when it is not debounced. */
  debounceKeys?: readonly string[];
}

export interface DecideOptions {
  now: number;
  /** Failed attempts before the bot gives up and posts a failure note. */
  maxAttempts: number;
  /** Crashes while the alert was triaged alone before it counts as poison and gets a failure note (default 5). */
  maxCrashes?: number;
  /** How long a diagnosis answers repeats of the same incident. */
  cooldownMs: number;
  /** Repeats of every one of an alert's debounce keys within this window are known incidents; 0 (default) disables. */
  debounceWindowMs?: number;
}

export type Decision =
  /** Already answered, given up, waiting for its retry time, or handled through another message. */
  | { action: "skip"; reason: string }
  /** New, or claimed earlier and not finished (a retry after a failure, a cancellation or a crash). */
  | { action: "triage"; attempt: number }
  /** The same incident was diagnosed within the cooldown: point to that thread. */
  | { action: "known-incident"; previous: SignatureRecord }
  /** A reply was rendered and may be in the thread: check the thread, then post it if it is not. */
  | { action: "resume-post"; pending: PendingReply }
  /** Attempts exhausted: post a failure note that says why. */
  | { action: "give-up"; attempts: number; reason: string }
  /** Even the failure note could not be posted, again and again: stop (markFailed). */
  | { action: "abandon"; reason: string };

export const DEFAULT_MAX_CRASHES = 5;

export function emptyState(): State {
  return { version: STATE_VERSION, channels: {}, alerts: {}, executions: {}, signatures: {} };
}

export function decideMessage(state: State, alert: AlertRef, options: DecideOptions): Decision {
  const key = alertKey(alert.channel, alert.ts);
  const record = own(state.alerts, key);
  if (record?.status === "replied") {
    return { action: "skip", reason: `already replied (${record.replyKind ?? "reply"} at ts ${record.replyTs ?? "?"})` };
  }
  if (record?.status === "failed") {
    return { action: "skip", reason: `given up earlier: ${record.lastError ?? "no error recorded"}` };
  }
  const owner = own(state.executions, alert.executionId);
  if (owner !== undefined && owner !== key) {
    return { action: "skip", reason: `execution ${alert.executionId} is already handled via message ${owner}` };
  }
  if (record?.status === "triaging") return { action: "skip", reason: "an attempt is running" };
  if (record?.nextAttemptAt && Date.parse(record.nextAttemptAt) > options.now) {
    return { action: "skip", reason: `waiting to retry until ${record.nextAttemptAt}` };
  }
  const attempts = record?.attempts ?? 0;
  if (record?.status === "posting" && record.pendingReply) {
    const pending = record.pendingReply;
    const exhausted = attempts >= options.maxAttempts || record.postFailures >= MAX_POST_FAILURES;
    if (pending.kind === "failure-note" && (attempts >= 2 * options.maxAttempts || record.postFailures >= 2 * MAX_POST_FAILURES)) {
      return { action: "abandon", reason: `could not post the failure note: ${record.lastError ?? "Slack refused it"}` };
    }
    if (pending.kind !== "failure-note" && exhausted) {
      return { action: "give-up", attempts: attempts + record.postFailures, reason: record.lastError ?? "posting the reply failed" };
    }
    return { action: "resume-post", pending };
  }
  const soloCrashes = record?.soloCrashes ?? 0;
  if (soloCrashes >= (options.maxCrashes ?? DEFAULT_MAX_CRASHES)) {
    return {
      action: "give-up",
      attempts: (record?.crashes ?? 0) + attempts,
      reason: `the bot's process died ${soloCrashes} times while triaging this alert alone (crash, kill or out of memory)`,
    };
  }
  if (attempts >= options.maxAttempts) return { action: "give-up", attempts, reason: record?.lastError ?? `${attempts} attempts failed` };
  const previous = own(state.signatures, alert.signature);
  if (previous && isWithinCooldown(previous, options) && !isSameMessage(previous.thread, alert)) {
    return { action: "known-incident", previous };
  }
  const window = findDebounceWindow(state, alert, options.debounceWindowMs ?? 0);
  if (window) return { action: "known-incident", previous: window };
  return { action: "triage", attempt: (record?.started ?? 0) + 1 };
}

/** Remembers a full diagnosis so that repeats of the incident within the cooldown link to it. */
export function recordDiagnosis(
  state: State,
  signature: string,
  diagnosis: { summary: string; thread: ThreadRef; now: number },
): State {
  const record: SignatureRecord = { summary: diagnosis.summary, thread: diagnosis.thread, diagnosedAt: iso(diagnosis.now) };
  const next = { ...state, signatures: { ...state.signatures, [signature]: record } };
  if (!state.debounce) return next;
  // The windows this alert opened now point repeats at its diagnosis.
  const debounce = Object.fromEntries(
    Object.entries(state.debounce).map(([key, r]) =>
      isSameMessage(r.thread, diagnosis.thread) ? [key, { ...r, summary: diagnosis.summary, thread: diagnosis.thread }] : [key, r],
    ),
  );
  return { ...next, debounce };
}

/**
 * The window this alert is a repeat in: every one of its keys has a window, opened by another
 * alert posted within `windowMs` of this one. The newest such window answers.
 */
export function findDebounceWindow(state: State, alert: AlertRef, windowMs: number): SignatureRecord | null {
  const keys = alert.debounceKeys ?? [];
  if (windowMs <= 0 || keys.length === 0) return null;
  const at = slackTsMillis(alert.ts);
  const open: DebounceRecord[] = [];
  for (const key of keys) {
    const record = own(state.debounce ?? {}, key);
    if (!record || isSameMessage(record.thread, alert) || Math.abs(at - Date.parse(record.openedAt)) >= windowMs) return null;
    open.push(record);
  }
  const newest = open.reduce((a, b) => (Date.parse(b.openedAt) > Date.parse(a.openedAt) ? b : a));
  return {
    summary: newest.summary ?? "still being investigated in that thread",
    thread: newest.thread,
    diagnosedAt: newest.openedAt,
  };
}

/**
 * Opens a window for each of the alert's keys that has none open (an open one stays with the
 * alert that opened it). Windows long closed are dropped here, so the map stays small.
 */
export function openDebounceWindows(state: State, alert: AlertRef, windowMs: number): State {
  const keys = alert.debounceKeys ?? [];
  if (windowMs <= 0 || keys.length === 0) return state;
  const at = slackTsMillis(alert.ts);
  const kept = Object.entries(state.debounce ?? {}).filter(([, r]) => at - Date.parse(r.openedAt) < windowMs + DEBOUNCE_RETENTION_MS);
  const debounce: Record<string, DebounceRecord> = Object.fromEntries(kept);
  for (const key of keys) {
    const record = own(debounce, key);
    if (record && Math.abs(at - Date.parse(record.openedAt)) < windowMs) continue;
    debounce[key] = { thread: { channel: alert.channel, ts: alert.ts, permalink: null }, openedAt: iso(at), summary: null };
  }
  return { ...state, debounce };
}

/** Records one notification attempt for an alert; attempts count across calls. */
export function recordNotification(
  state: State,
  id: MessageId,
  channel: NotificationChannel,
  outcome: { status: "sent" | "failed"; reason: string | null; now: number; delivered?: readonly string[] },
): State {
  return updateAlert(state, id, (record) => {
    const previous = record.notifications?.[channel];
    const notification = {
      status: outcome.status,
      attempts: (previous?.attempts ?? 0) + 1,
      reason: outcome.reason === null ? null : clip(outcome.reason),
      updatedAt: iso(outcome.now),
      ...(outcome.delivered ? { delivered: [...outcome.delivered] } : previous?.delivered ? { delivered: previous.delivered } : {}),
    };
    return { ...record, notifications: { ...record.notifications, [channel]: notification } };
  });
}

/** Moves a channel's watermark forward; an older or equal ts leaves the state as it is. */
export function advanceWatermark(state: State, channel: string, ts: string, now: number): State {
  if (!isSlackTs(ts)) throw new TypeError(`not a Slack ts: "${ts}"`);
  const current = own(state.channels, channel);
  if (current && compareSlackTs(ts, current.watermark) <= 0) return state;
  return { ...state, channels: { ...state.channels, [channel]: { watermark: ts, updatedAt: iso(now) } } };
}

function isWithinCooldown(record: SignatureRecord, options: DecideOptions): boolean {
  return options.now - Date.parse(record.diagnosedAt) < options.cooldownMs;
}

function isSameMessage(a: MessageId, b: MessageId): boolean {
  return a.channel === b.channel && compareSlackTs(a.ts, b.ts) === 0;
}

/** Debounce windows are kept this long after they close, then dropped. */
const DEBOUNCE_RETENTION_MS = 24 * 60 * 60_000;

/** A Slack ts ("1700000000.000100") as epoch milliseconds. */
function slackTsMillis(ts: string): number {
  return Math.floor(Number(ts) * 1000);
}

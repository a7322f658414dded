import { OncallError } from "../lib/errors.ts";
import { compareSlackTs, isSlackTs } from "./compare-slack-ts.ts";
import {
  STATE_VERSION,
  alertKey,
  type AlertRecord,
  type DebounceRecord,
  type NotificationChannel,
  type ReplyKind,
  type SignatureRecord,
  type State,
  type ThreadRef,
} from "./schema.ts";

/** Pure transitions over State: each returns a new State and leaves its input untouched. */

/** The message that identifies an alert. */
export interface MessageId {
  channel: string;
  ts: string;
}

/** What decideMessage and claim need to know about an alert message. */
export interface AlertRef extends MessageId {
  executionId: string;
  signature: string;
  /** The alert's (organisation, cluster, issue type) keys; empty when it is not debounced. */
  debounceKeys?: readonly string[];
}

export interface DecideOptions {
  now: number;
  /** Attempts (counting crashed ones) before the bot gives up and posts a failure note. */
  maxAttempts: number;
  /** How long a diagnosis answers repeats of the same incident. */
  cooldownMs: number;
  /** Repeats of every one of an alert's debounce keys within this window are known incidents; 0 (default) disables. */
  debounceWindowMs?: number;
}

export type Decision =
  /** Already answered, given up, or this execution is handled through another message. */
  | { action: "skip"; reason: string }
  /** New, or claimed earlier and not finished (a retry after a failure or a restart). */
  | { action: "triage"; attempt: number }
  /** The same incident was diagnosed within the cooldown: point to that thread. */
  | { action: "known-incident"; previous: SignatureRecord }
  /** Attempts exhausted: post a failure note, then markReplied(kind "failure-note"), or markFailed. */
  | { action: "give-up"; attempts: number };

/** Errors are kept short so that a stack trace cannot bloat the file. */
const MAX_ERROR_LENGTH = 500;

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
  const attempts = record?.attempts ?? 0;
  if (attempts >= options.maxAttempts) return { action: "give-up", attempts };
  const previous = own(state.signatures, alert.signature);
  if (previous && isWithinCooldown(previous, options) && !isSameMessage(previous.thread, alert)) {
    return { action: "known-incident", previous };
  }
  const window = findDebounceWindow(state, alert, options.debounceWindowMs ?? 0);
  if (window) return { action: "known-incident", previous: window };
  return { action: "triage", attempt: attempts + 1 };
}

/** Records the start of an attempt (before any Slack reply) so that a crash is retried, not lost. */
export function claim(state: State, alert: AlertRef, now: number): State {
  const key = alertKey(alert.channel, alert.ts);
  const owner = own(state.executions, alert.executionId);
  if (owner !== undefined && owner !== key) {
    throw transitionError(`cannot claim ${key}: execution ${alert.executionId} belongs to ${owner}`);
  }
  const existing = own(state.alerts, key);
  if (existing && existing.status !== "claimed") {
    throw transitionError(`cannot claim ${key}: it is already ${existing.status}`);
  }
  const at = iso(now);
  const record: AlertRecord = existing
    ? { ...existing, attempts: existing.attempts + 1, updatedAt: at }
    : {
        channel: alert.channel,
        ts: alert.ts,
        executionId: alert.executionId,
        signature: alert.signature,
        status: "claimed",
        attempts: 1,
        replyTs: null,
        replyKind: null,
        claimedAt: at,
        repliedAt: null,
        updatedAt: at,
        lastError: null,
      };
  return {
    ...state,
    alerts: { ...state.alerts, [key]: record },
    executions: { ...state.executions, [alert.executionId]: key },
  };
}

export function markReplied(state: State, id: MessageId, reply: { replyTs: string; kind: ReplyKind; now: number }): State {
  return updateClaimed(state, id, (record) => ({
    ...record,
    status: "replied",
    replyTs: reply.replyTs,
    replyKind: reply.kind,
    repliedAt: iso(reply.now),
    updatedAt: iso(reply.now),
  }));
}

/** An attempt failed but may be retried: the alert stays claimed and shows up in pendingAlerts. */
export function markFailedAttempt(state: State, id: MessageId, failure: { error: string; now: number }): State {
  return updateClaimed(state, id, (record) => ({ ...record, lastError: clip(failure.error), updatedAt: iso(failure.now) }));
}

/** Gives up for good without a reply in the thread (e.g. even the failure note could not be posted). */
export function markFailed(state: State, id: MessageId, failure: { error: string; now: number }): State {
  return updateClaimed(state, id, (record) => ({
    ...record,
    status: "failed",
    lastError: clip(failure.error),
    updatedAt: iso(failure.now),
  }));
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

/** Alerts claimed and not finished, oldest message first: what a restarted bot must retry. */
export function pendingAlerts(state: State): AlertRecord[] {
  return Object.values(state.alerts)
    .filter((record) => record.status === "claimed")
    .sort((a, b) => compareSlackTs(a.ts, b.ts) || a.channel.localeCompare(b.channel));
}

function isWithinCooldown(record: SignatureRecord, options: DecideOptions): boolean {
  return options.now - Date.parse(record.diagnosedAt) < options.cooldownMs;
}

function isSameMessage(a: MessageId, b: MessageId): boolean {
  return a.channel === b.channel && compareSlackTs(a.ts, b.ts) === 0;
}

function updateClaimed(state: State, id: MessageId, change: (record: AlertRecord) => AlertRecord): State {
  return updateAlert(state, id, (record) => {
    if (record.status !== "claimed") {
      throw transitionError(`alert ${alertKey(id.channel, id.ts)} is ${record.status}, not claimed`);
    }
    return change(record);
  });
}

function updateAlert(state: State, id: MessageId, change: (record: AlertRecord) => AlertRecord): State {
  const key = alertKey(id.channel, id.ts);
  const record = own(state.alerts, key);
  if (!record) throw transitionError(`no alert ${key} in the state: claim it first`);
  return { ...state, alerts: { ...state.alerts, [key]: change(record) } };
}

/** A caller broke the claim → reply/fail order: a bug, not an operational condition. */
function transitionError(message: string): OncallError {
  return new OncallError("state_transition", message);
}

/** Keys come from Slack and alerts: "constructor" must not find Object.prototype's. */
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Debounce windows are kept this long after they close, then dropped. */
const DEBOUNCE_RETENTION_MS = 24 * 60 * 60_000;

/** A Slack ts ("1700000000.000100") as epoch milliseconds. */
function slackTsMillis(ts: string): number {
  return Math.floor(Number(ts) * 1000);
}

function iso(now: number): string {
  return new Date(now).toISOString();
}

function clip(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

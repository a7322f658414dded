import { z } from "zod";

/**
 * The bot's memory across restarts, stored as one JSON file. Times are ISO strings so that an
 * operator can read the file; Slack timestamps stay strings ("1700000000.000100") because they
 * are ids, not numbers. Bump STATE_VERSION on any change an older build could not read.
 */
export const STATE_VERSION = 2;
/** Versions this build reads: 1 (before the lifecycle fields) is upgraded on load. */
export const READABLE_STATE_VERSIONS = [1, 2] as const;

export const slackTsSchema = z.string().regex(/^\d+(\.\d+)?$/, "must be a Slack ts like 1700000000.000100");
const isoTime = z.iso.datetime();

/** How the bot answered in an alert's thread. */
export const REPLY_KINDS = ["full", "known-incident", "failure-note", "fallback"] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/**
 * An alert's life (see alert-lifecycle.ts): `claimed` (owned, waiting for an attempt, perhaps
 * until nextAttemptAt) → `triaging` (an attempt runs) → `posting` (a reply is rendered and may be
 * in the thread: check before posting again) → `replied` (an answer is in the thread) | `failed`
 * (given up without a reply, kept for the record). A record found `triaging` after a restart was
 * cut short by a crash.
 */
export const ALERT_STATUSES = ["claimed", "triaging", "posting", "replied", "failed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export const NOTIFICATION_CHANNELS = ["email", "dm", "escalation-email"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

export const channelRecordSchema = z.object({
  /** The newest message ts the poller has fully handled; it never moves backwards. */
  watermark: slackTsSchema,
  updatedAt: isoTime,
});
export type ChannelRecord = z.output<typeof channelRecordSchema>;

export const notificationRecordSchema = z.object({
  status: z.enum(["sent", "failed"]),
  attempts: z.number().int().nonnegative(),
  /** Why it failed or was sent (e.g. "severity CRITICAL"); null when there is nothing to say. */
  reason: z.string().nullable(),
  updatedAt: isoTime,
  /** Recipients already reached on a channel with several (DMs): a retry skips them. */
  delivered: z.array(z.string()).optional(),
});
export type NotificationRecord = z.output<typeof notificationRecordSchema>;

/** A reply rendered and about to be posted (or maybe posted): what a restart re-posts after checking the thread. */
export const pendingReplySchema = z.object({
  attempt: z.number().int().positive(),
  kind: z.enum(REPLY_KINDS),
  text: z.string(),
  blocks: z.array(z.unknown()),
  /** One line for later repeats of the incident (full diagnoses only). */
  summary: z.string().nullable().default(null),
});
export type PendingReply = z.output<typeof pendingReplySchema>;

export const alertRecordSchema = z.object({
  channel: z.string().min(1),
  ts: slackTsSchema,
  executionId: z.string().min(1),
  signature: z.string().min(1),
  status: z.enum(ALERT_STATUSES),
  /** Attempts that failed (a triage error, evidence unavailable, a failed post); bounded by ONCALL_MAX_ATTEMPTS. */
  attempts: z.number().int().nonnegative(),
  /** Attempts started, whatever their end; numbers the steps and the reply metadata. */
  started: z.number().int().nonnegative().default(0),
  /** Posts that failed in transit (5xx, timeout, network: Slack may even have taken them); bounded apart from attempts. */
  postFailures: z.number().int().nonnegative().default(0),
  /** Attempts cut short by a crash (found `triaging` at start); bounded separately, for a poison alert. */
  crashes: z.number().int().nonnegative().default(0),
  /** Of those, the ones while it was triaged alone (a suspect is isolated): these bound a poison alert. */
  soloCrashes: z.number().int().nonnegative().default(0),
  /** The running attempt has the bot to itself (set while `triaging`). */
  alone: z.boolean().default(false),
  /** Attempts cancelled by a shutdown: not failures, not bounded. */
  cancellations: z.number().int().nonnegative().default(0),
  /** The next attempt waits until then (retry backoff, a rate limit); null: at once. */
  nextAttemptAt: isoTime.nullable().default(null),
  /** Side effects done, keyed `<attempt>:<kind>` (e.g. "2:reaction"): a restart finishes the ones missing. */
  steps: z.record(z.string(), isoTime).default({}),
  /** Set while `posting`. */
  pendingReply: pendingReplySchema.nullable().default(null),
  replyTs: slackTsSchema.nullable(),
  replyKind: z.enum(REPLY_KINDS).nullable(),
  /** When the first attempt was claimed. */
  claimedAt: isoTime,
  repliedAt: isoTime.nullable(),
  updatedAt: isoTime,
  lastError: z.string().nullable(),
  /** Filled by the notifier (email, DM, escalation); absent until something was sent. */
  notifications: z.partialRecord(z.enum(NOTIFICATION_CHANNELS), notificationRecordSchema).optional(),
});
export type AlertRecord = z.output<typeof alertRecordSchema>;

/** Where an earlier diagnosis lives, for the known-incident reply to link to. */
export const threadRefSchema = z.object({
  channel: z.string().min(1),
  ts: slackTsSchema,
  permalink: z.string().nullable(),
});
export type ThreadRef = z.output<typeof threadRefSchema>;

export const signatureRecordSchema = z.object({
  /** One line of the last diagnosis (e.g. the report's likely root cause). */
  summary: z.string(),
  thread: threadRefSchema,
  diagnosedAt: isoTime,
});
export type SignatureRecord = z.output<typeof signatureRecordSchema>;

/**
 * An open debounce window for one (organisation, cluster, issue type): the alert that opened it,
 * when that alert was posted, and its diagnosis once known (null while it is investigated).
 */
export const debounceRecordSchema = z.object({
  thread: threadRefSchema,
  openedAt: isoTime,
  summary: z.string().nullable(),
});
export type DebounceRecord = z.output<typeof debounceRecordSchema>;

export const stateSchema = z.object({
  // Older readable versions are upgraded: every field added since has a default.
  version: z.literal(READABLE_STATE_VERSIONS).transform((): typeof STATE_VERSION => STATE_VERSION),
  /** Keyed by Slack channel id. */
  channels: z.record(z.string(), channelRecordSchema),
  /** Keyed by `alertKey(channel, ts)`. */
  alerts: z.record(z.string(), alertRecordSchema),
  /** Execution id → the alert key that owns it, so one execution is never triaged twice. */
  executions: z.record(z.string(), z.string()),
  /** Keyed by the alert signature (stable across repeats of one incident). */
  signatures: z.record(z.string(), signatureRecordSchema),
  /** Keyed by debounce key (organisation, cluster, issue type); absent in files written before debounce. */
  debounce: z.record(z.string(), debounceRecordSchema).optional(),
});
export type State = z.output<typeof stateSchema>;

/** The identity of one alert message. */
export function alertKey(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

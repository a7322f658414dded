import { z } from "zod";

/**
 * The bot's answers and what the on-call said about them, in `<state file>.feedback.json`: one
 * record per alert it answered (full reports, fallbacks and short repeat replies), kept apart from
 * the state so that the verdicts never contend with the alert lifecycle. Bump on incompatible change.
 */
export const FEEDBACK_VERSION = 1;

export const VERDICTS = ["right", "wrong", "partly"] as const;
export type Verdict = (typeof VERDICTS)[number];

const isoTime = z.iso.datetime();
const slackTs = z.string().regex(/^\d+(\.\d+)?$/);

export const judgementSchema = z.object({
  /** From the reactions on the bot's reply; null when only a `root cause:` reply was written. */
  verdict: z.enum(VERDICTS).nullable(),
  /** The text after `root cause:` in the latest such thread reply by a human. */
  rootCause: z.string().nullable(),
  /** Who reacted or wrote the root cause (Slack user ids). */
  users: z.array(z.string()),
  /** When the verdict was first read. */
  at: isoTime,
});
export type Judgement = z.output<typeof judgementSchema>;

export const replyRecordSchema = z.object({
  channel: z.string().min(1),
  alertTs: slackTs,
  replyTs: slackTs,
  threadLink: z.string().nullable(),
  postedAt: isoTime,
  executionId: z.string(),
  signature: z.string(),
  cluster: z.string().nullable(),
  issueTypes: z.array(z.string()),
  kind: z.enum(["full", "fallback", "known-incident"]),
  /** Null for a repeat reply (no report). */
  engine: z.enum(["claude", "rules"]).nullable(),
  confidence: z.enum(["low", "medium", "high"]).nullable(),
  /** The reply's root cause (redacted, cut), for the feedback listing and `feedback export`. */
  rootCause: z.string().nullable(),
  /** The last time the thread was read for a verdict. */
  checkedAt: isoTime.nullable(),
  judgement: judgementSchema.nullable(),
});
export type ReplyRecord = z.output<typeof replyRecordSchema>;

export const feedbackFileSchema = z.object({
  version: z.literal(FEEDBACK_VERSION),
  /** Keyed by `<channel>:<alert ts>`. */
  replies: z.record(z.string(), replyRecordSchema),
});
export type FeedbackFile = z.output<typeof feedbackFileSchema>;

export const emptyFeedback = (): FeedbackFile => ({ version: FEEDBACK_VERSION, replies: {} });
export const replyKey = (channel: string, alertTs: string) => `${channel}:${alertTs}`;

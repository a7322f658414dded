import type { Alert } from "../alerts/types.ts";
import { redactSecrets } from "../lib/redact.ts";
import type { Report } from "../report/schema.ts";
import { replyKey, type FeedbackFile, type ReplyRecord } from "./schema.ts";

export interface AnsweredAlert {
  channel: string;
  alertTs: string;
  alert: Alert;
  kind: string;
  report: Report | null;
  replyTs: string;
  threadLink: string | null;
}

/** How long answers are kept: chronic needs 30 days of history. */
export const HISTORY_RETENTION_MS = 35 * 24 * 3600_000;

/**
 * Adds one answered alert to the history (pure) and drops records past the retention. Failure
 * notes are not answers and are not kept; a repeat reply is kept (it counts as an occurrence).
 */
export function recordReply(data: FeedbackFile, answered: AnsweredAlert, now: number): FeedbackFile {
  if (answered.kind !== "full" && answered.kind !== "fallback" && answered.kind !== "known-incident") return data;
  const { alert, report } = answered;
  const record: ReplyRecord = {
    channel: answered.channel,
    alertTs: answered.alertTs,
    replyTs: answered.replyTs,
    threadLink: answered.threadLink,
    postedAt: new Date(now).toISOString(),
    executionId: alert.executionId,
    signature: alert.signature,
    cluster: alert.cluster,
    issueTypes: [...new Set(alert.issues.map((i) => i.type))],
    kind: answered.kind,
    engine: answered.kind === "known-incident" ? null : (report?.stats.engine ?? null),
    confidence: answered.kind === "known-incident" ? null : (report?.confidence ?? null),
    rootCause: report ? redactSecrets(report.likelyRootCause).slice(0, 600) : null,
    checkedAt: null,
    judgement: null,
  };
  const kept = Object.entries(data.replies).filter(([, r]) => now - Date.parse(r.postedAt) <= HISTORY_RETENTION_MS);
  return { ...data, replies: { ...Object.fromEntries(kept), [replyKey(answered.channel, answered.alertTs)]: record } };
}

import { slackLink } from "../report/slack-blocks.ts";
import type { ReplyRecord, Verdict } from "./schema.ts";

const DAY_MS = 24 * 3600_000;
export const RECURRING_WINDOW_MS = 7 * DAY_MS;
export const CHRONIC_WINDOW_DAYS = 30;
/** "Most days of the last 30": more than half of them. */
export const CHRONIC_MIN_DAYS = 16;

export interface IncidentKey {
  /** The alert itself, left out of its own history (a retried alert may be recorded already). */
  channel: string;
  alertTs: string;
  signature: string;
  cluster: string | null;
  issueTypes: readonly string[];
}

export type Recurrence =
  | { kind: "new" }
  | {
      kind: "recurring" | "chronic";
      /** Which history matched: the same incident signature, or the same cluster and issue type. */
      by: "signature" | "cluster-issue";
      /** This alert's number among the matching ones in the last 7 days (2 = the second time). */
      nthIn7Days: number;
      /** Distinct UTC days with a matching alert in the last 30, today included. */
      daysIn30: number;
      /** The last answer with a diagnosis (else the last repeat reply), and the on-call's verdict on it. */
      last: { threadLink: string | null; at: number; verdict: Verdict | null; rootCause: string | null };
    };

/**
 * New, recurring or chronic (pure), from the answers before this one: by incident signature
 * first, else by (cluster, issue type) — the same trouble worded differently. Chronic: seen on
 * more than half of the last 30 days; recurring: seen before within 7 days.
 */
export function classifyRecurrence(history: readonly ReplyRecord[], incident: IncidentKey, now: number): Recurrence {
  const isSelf = (r: ReplyRecord) => r.channel === incident.channel && r.alertTs === incident.alertTs;
  const before = history.filter((r) => !isSelf(r) && Date.parse(r.postedAt) <= now && now - Date.parse(r.postedAt) <= CHRONIC_WINDOW_DAYS * DAY_MS);
  const bySignature = before.filter((r) => r.signature === incident.signature);
  const byClusterIssue =
    incident.cluster === null
      ? []
      : before.filter((r) => r.cluster === incident.cluster && r.issueTypes.some((t) => t !== "UNKNOWN" && incident.issueTypes.includes(t)));
  const [by, matches] = bySignature.length > 0 ? (["signature", bySignature] as const) : (["cluster-issue", byClusterIssue] as const);
  if (matches.length === 0) return { kind: "new" };
  const days = new Set([...matches.map((r) => dayOf(Date.parse(r.postedAt))), dayOf(now)]);
  const in7 = matches.filter((r) => now - Date.parse(r.postedAt) <= RECURRING_WINDOW_MS);
  const chronic = days.size >= CHRONIC_MIN_DAYS;
  if (!chronic && in7.length === 0) return { kind: "new" };
  // The last answer with a diagnosis (a repeat reply only links an earlier one), and the verdict on it.
  const newestFirst = [...matches].sort((a, b) => Date.parse(b.postedAt) - Date.parse(a.postedAt));
  const lastRecord = newestFirst.find((r) => r.engine !== null) ?? newestFirst[0]!;
  return {
    kind: chronic ? "chronic" : "recurring",
    by,
    nthIn7Days: in7.length + 1,
    daysIn30: days.size,
    last: {
      threadLink: lastRecord.threadLink,
      at: Date.parse(lastRecord.postedAt),
      verdict: lastRecord.judgement?.verdict ?? null,
      rootCause: lastRecord.judgement?.rootCause ?? null,
    },
  };
}

/** The reply's recurrence line (Slack mrkdwn; the link is ours, the rest is fixed text). */
export function renderRecurrenceLine(recurrence: Recurrence): string {
  if (recurrence.kind === "new") return ":new: *New* — not seen in the last 7 days";
  const what = recurrence.by === "signature" ? "same incident" : "same cluster and issue type";
  const link = slackLink(recurrence.last.threadLink, "last thread") ?? "last thread";
  const verdict = recurrence.last.verdict ? `judged *${recurrence.last.verdict}*` : "not judged";
  const head =
    recurrence.kind === "chronic"
      ? `:calendar: *Chronic* — ${what} on ${recurrence.daysIn30} of the last ${CHRONIC_WINDOW_DAYS} days`
      : `:repeat: *Recurring* — ${ordinal(recurrence.nthIn7Days)} time in 7 days (${what})`;
  return `${head}; ${link}: ${verdict}`;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[n % 10] ?? "th";
  return `${n}${suffix}`;
}

/** What the reply and the notifier need to know about an alert's recurrence. */
export interface RecurrenceNote {
  kind: Recurrence["kind"];
  /** The reply's header line. */
  line: string;
  /** The verdict on the last matching answer (recurring or chronic only). */
  lastVerdict: Verdict | null;
}

export function toRecurrenceNote(recurrence: Recurrence): RecurrenceNote {
  return { kind: recurrence.kind, line: renderRecurrenceLine(recurrence), lastVerdict: recurrence.kind === "new" ? null : recurrence.last.verdict };
}

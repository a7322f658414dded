import type { Alert, Severity } from "../alerts/types.ts";
import type { Report } from "../report/schema.ts";
import { slackLink } from "../report/slack-blocks.ts";
import { neutralizeForSlack, trimForSlack } from "../slack/neutralize.ts";
import type { ReplyKind } from "../state/schema.ts";

/** What a notification is about: the alert, how the bot answered it, and where. */
export interface NotificationSubject {
  alert: Alert;
  kind: ReplyKind;
  /** Null for a failure note (no triage finished). */
  report: Report | null;
  /** The alert thread's permalink; null when Slack would not give one. */
  threadLink: string | null;
  /** The thread, for when there is no permalink. */
  thread: { channel: string; ts: string };
  /** Why triage gave up, for a failure note. */
  lastError: string | null;
  /** Whether the incident recurs (src/feedback), when the bot knows. */
  recurrence?: { kind: "new" | "recurring" | "chronic"; lastVerdict: "right" | "wrong" | "partly" | null };
}

export interface EscalationPolicy {
  severities: readonly Severity[];
  /** Inconclusive, low-confidence and failed triages escalate too. */
  inconclusive: boolean;
  /** A recurring or chronic incident whose last answer was judged wrong escalates too. */
  recurringWrong?: boolean;
}

/** Why this answer needs a human now; empty when it does not. A repeat (known incident) never escalates. */
export function escalationReasons(subject: Pick<NotificationSubject, "alert" | "kind" | "report" | "recurrence">, policy: EscalationPolicy): string[] {
  if (subject.kind === "known-incident") return [];
  const reasons: string[] = [];
  if (policy.severities.includes(subject.alert.severity)) reasons.push(`severity ${subject.alert.severity}`);
  if (policy.inconclusive) {
    if (subject.kind === "failure-note") reasons.push("triage failed");
    else if (subject.report && isInconclusive(subject.report)) reasons.push("inconclusive");
    else if (subject.report?.confidence === "low") reasons.push("low confidence");
  }
  const recurrence = subject.recurrence;
  if (policy.recurringWrong && recurrence && recurrence.kind !== "new" && recurrence.lastVerdict === "wrong") {
    reasons.push(`${recurrence.kind}, last answer judged wrong`);
  }
  return reasons;
}

/** The model (and the rules) say "Inconclusive — needs a human" when the evidence does not settle it. */
export function isInconclusive(report: Pick<Report, "likelyRootCause">): boolean {
  return /^\W*inconclusive\b/i.test(report.likelyRootCause);
}

const CAPS = { issue: 300, cause: 700, nextStep: 500 };

/** The on-call DM: one short mrkdwn message that links the thread; outside text neutralised. */
export function renderEscalationDm(subject: NotificationSubject, reasons: readonly string[]): string {
  const { alert, report } = subject;
  const cluster = alert.cluster ?? "unknown cluster";
  const issue = report?.issue ?? alert.headline;
  const thread = slackLink(subject.threadLink, "alert thread") ?? `the alert thread (channel ${subject.thread.channel}, ts ${subject.thread.ts})`;
  const lines = [
    `:rotating_light: *Escalation* (${safe(reasons.join(", "), 200)}): *[${alert.severity}] ${safe(cluster, 120)}* — ${safe(issue, CAPS.issue)}`,
  ];
  if (report) {
    lines.push(`*Likely root cause* (confidence ${report.confidence}): ${safe(report.likelyRootCause, CAPS.cause)}`);
    lines.push(`*Next step:* ${safe(report.nextStep, CAPS.nextStep)}`);
  } else if (subject.lastError) {
    lines.push(`Triage gave up: ${safe(subject.lastError, CAPS.cause)}. A human needs to look.`);
  }
  lines.push(`Details in ${thread}.`);
  return lines.join("\n");
}

function safe(text: string, max: number): string {
  return trimForSlack(neutralizeForSlack(text).replace(/\s*\n\s*/g, " ").trim(), max);
}

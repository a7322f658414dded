import { formatStatsParts } from "../report/format-stats.ts";
import { isSafeLinkUrl } from "../report/slack-blocks.ts";
import { redactSecrets } from "../lib/redact.ts";
import { stripControlCharacters } from "../slack/neutralize.ts";
import type { NotificationSubject } from "./escalation.ts";

export interface EmailContent {
  subject: string;
  text: string;
}

const MAX_FINDINGS = 3;
const MAX_SUBJECT = 200;
const CAUSE_LABEL = { app: "application", infra: "infrastructure", unknown: "not determined" } as const;

/**
 * The triage e-mail: subject `[SEVERITY] <cluster> — <issue>`, a plain-text body with the likely
 * root cause, the top findings, the next step, the thread link and the run's stats.
 * Everything from outside is stripped of control characters and redacted.
 */
export function renderTriageEmail(subject: NotificationSubject): EmailContent {
  return { subject: renderSubject(subject), text: renderBody(subject, null) };
}

/** The escalation e-mail: the same content, marked as an escalation with its reasons first. */
export function renderEscalationEmail(subject: NotificationSubject, reasons: readonly string[]): EmailContent {
  return { subject: `[ESCALATION] ${renderSubject(subject)}`, text: renderBody(subject, reasons) };
}

function renderSubject({ alert, report }: NotificationSubject): string {
  const cluster = oneLine(alert.cluster ?? "unknown cluster");
  const issue = oneLine(report?.issue ?? alert.headline);
  const subject = `[${alert.severity}] ${cluster} — ${issue}`;
  return subject.length > MAX_SUBJECT ? `${subject.slice(0, MAX_SUBJECT - 1)}…` : subject;
}

function renderBody(subject: NotificationSubject, reasons: readonly string[] | null): string {
  const { alert, report } = subject;
  const lines: string[] = [];
  if (reasons) lines.push(`Escalated to the on-call: ${reasons.map(clean).join(", ")}.`, "");
  lines.push(clean(report?.issue ?? alert.headline));
  const owner = [alert.organization, alert.environment].filter((part): part is string => !!part).join(", ");
  lines.push(`Cluster:     ${clean(alert.cluster ?? "unknown")}${owner ? ` (${clean(owner)})` : ""}`);
  lines.push(`Severity:    ${alert.severity}${report ? `   Confidence: ${report.confidence}   Cause in: ${CAUSE_LABEL[report.appOrInfra]}` : ""}`);
  lines.push("");
  if (report) {
    lines.push("Likely root cause:", indent(clean(report.likelyRootCause)), "");
    lines.push("Top findings:");
    for (const finding of report.findings.slice(0, MAX_FINDINGS)) lines.push(indent(`- [${oneLine(finding.tool)}] ${clean(finding.text)}`));
    const hidden = report.findings.length - MAX_FINDINGS;
    if (hidden > 0) lines.push(indent(`(${hidden} more in the Slack thread)`));
    lines.push("", "Suggested next step (for a human; the bot never acts):", indent(clean(report.nextStep)), "");
  } else {
    lines.push("Triage did not finish; a human needs to look.");
    if (subject.lastError) lines.push(indent(`Last error: ${clean(subject.lastError)}`));
    lines.push("");
  }
  lines.push(`Slack thread: ${threadText(subject)}`);
  if (isSafeLinkUrl(alert.executionUrl)) lines.push(`Execution:    ${alert.executionUrl}`);
  if (report) {
    lines.push(`Stats:        ${formatStatsParts(report.stats).join(" · ")}`);
    if (report.stats.fallbackReason) lines.push(`              ${report.stats.engine === "rules" ? "Rules engine stood in" : "Degraded"}: ${clean(report.stats.fallbackReason)}`);
  }
  lines.push("", "-- ", "oncall-agent (read-only triage bot). The Slack thread is the record; this e-mail is a copy.");
  return `${lines.join("\n")}\n`;
}

function threadText(subject: NotificationSubject): string {
  if (subject.threadLink && isSafeLinkUrl(subject.threadLink)) return subject.threadLink;
  return `channel ${subject.thread.channel}, message ${subject.thread.ts}`;
}

function clean(text: string): string {
  return redactSecrets(stripControlCharacters(text)).trim();
}

function oneLine(text: string): string {
  return clean(text).replace(/\s+/g, " ");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

import type { Alert } from "../alerts/types.ts";
import { codeSpan, neutralizeForSlack, toOneLine, trimForSlack } from "../slack/neutralize.ts";
import { formatAge, formatStatsParts, plural } from "./format-stats.ts";
import type { Report } from "./schema.ts";
import {
  capBlocks,
  context,
  DIVIDER,
  FALLBACK_TEXT_LIMIT,
  section,
  slackLink,
  splitForSlack,
  type SlackBlock,
  type SlackReply,
} from "./slack-blocks.ts";

// Per-field caps keep a reply scannable; the schema caps are lower, but renderers do not trust input.
const CAPS = { name: 120, issue: 400, finding: 1000, rootCause: 2800, nextStep: 1200, reason: 300, summary: 1500, error: 600 };
const MAX_FINDINGS = 10;

const SEVERITY_EMOJI: Record<Report["severity"], string> = {
  CRITICAL: ":rotating_light:",
  MAJOR: ":warning:",
  MINOR: ":large_orange_diamond:",
  WARNING: ":large_yellow_circle:",
  UNKNOWN: ":grey_question:",
};
const CONFIDENCE_EMOJI: Record<Report["confidence"], string> = {
  high: ":large_green_circle:",
  medium: ":large_yellow_circle:",
  low: ":red_circle:",
};
const CAUSE_LABEL: Record<Report["appOrInfra"], string> = {
  app: ":package: application",
  infra: ":building_construction: infrastructure",
  unknown: ":grey_question: not determined",
};

/** The triage report as a thread reply: headline, findings, root cause, a suggested next step, run stats. */
export function renderReportReply(
  report: Report,
  alert: Alert | null,
  /** `recurrence`: the new / recurring / chronic line (src/feedback), trusted mrkdwn shown under the headline. */
  options: { threadLink?: string; recurrence?: string } = {},
): SlackReply {
  const issue = safe(report.issue, CAPS.issue);
  const severityEmoji = SEVERITY_EMOJI[report.severity] ?? SEVERITY_EMOJI.UNKNOWN;
  const meta = [
    `*Severity:* ${report.severity}`,
    `*Confidence:* ${CONFIDENCE_EMOJI[report.confidence] ?? ""} ${report.confidence}`,
    `*Cause in:* ${CAUSE_LABEL[report.appOrInfra] ?? report.appOrInfra}`,
  ];
  const where = alert ? describeAlert(alert) : null;
  if (where) meta.push(`*Cluster:* ${where}`);

  const recurrence = options.recurrence ? `\n${options.recurrence}` : "";
  const blocks: SlackBlock[] = [section(`${severityEmoji} *${issue}*\n${meta.join("   ")}${recurrence}`), DIVIDER];
  blocks.push(...splitForSlack(["*Findings*", ...findingLines(report)]).map(section));
  blocks.push(section(`*Likely root cause*\n${safe(report.likelyRootCause, CAPS.rootCause)}`));
  if (report.ruledOut && report.ruledOut.length > 0) blocks.push(section(`*Ruled out*\n${safe(report.ruledOut.join("; "), CAPS.summary)}`));
  blocks.push(
    section(
      `*Suggested next step* _(for a human — the bot only reads, it never acts)_\n:point_right: ${safe(report.nextStep, CAPS.nextStep)}`,
    ),
  );
  blocks.push(context(statsLine(report, alert, options.threadLink)));

  const text = `[${report.severity}] ${issue} (confidence ${report.confidence}). Next step: ${safe(report.nextStep, CAPS.nextStep)}`;
  return { text: trimForSlack(text, FALLBACK_TEXT_LIMIT), blocks: capBlocks(blocks) };
}

/** A repeat of an incident already triaged: point at the earlier thread instead of investigating again. */
export function renderKnownIncidentReply(input: {
  alert: Alert;
  previous: { summary: string; threadLink: string | null; at: number };
  now: number;
}): SlackReply {
  const { alert, previous, now } = input;
  const age = formatAge(now - previous.at);
  const summary = safe(previous.summary, CAPS.summary);
  const earlier = slackLink(previous.threadLink, "earlier thread") ?? "an earlier alert";
  const blocks: SlackBlock[] = [
    section(`:repeat: Same incident as ${earlier} (${age}): ${summary}`),
    context([`Not investigated again: same incident signature ${codeSpan(alert.signature, CAPS.name)}`, ...alertContext(alert)]),
  ];
  const text = `Same incident as an earlier alert (${age}): ${summary}`;
  return { text: trimForSlack(text, FALLBACK_TEXT_LIMIT), blocks };
}

/** Triage gave up: say so plainly so a human picks the alert up. */
export function renderFailureNote(input: { alert: Alert; attempts: number; lastError: string }): SlackReply {
  const attempts = plural(Math.max(0, Math.trunc(input.attempts)), "attempt");
  const error = codeSpan(input.lastError, CAPS.error);
  const blocks: SlackBlock[] = [
    section(`:x: I could not triage this alert after ${attempts}: ${error}. *A human needs to look.*`),
    ...(alertContext(input.alert).length > 0 ? [context(alertContext(input.alert))] : []),
  ];
  const text = `I could not triage this alert after ${attempts}: ${safe(input.lastError, CAPS.error)}. A human needs to look.`;
  return { text: trimForSlack(text, FALLBACK_TEXT_LIMIT), blocks };
}

function findingLines(report: Report): string[] {
  const shown = report.findings.slice(0, MAX_FINDINGS);
  const lines = shown.map((finding) => `• ${codeSpan(finding.tool, CAPS.name)} — ${safe(toOneLine(finding.text), CAPS.finding)}`);
  const hidden = report.findings.length - shown.length;
  if (hidden > 0) lines.push(`_…and ${plural(hidden, "more finding")} (trimmed)_`);
  return lines;
}

function statsLine(report: Report, alert: Alert | null, threadLink: string | undefined): string[] {
  const parts = [`:robot_face: ${formatStatsParts(report.stats).join(" · ")}`];
  if (report.stats.fallbackReason) {
    const who = report.stats.engine === "rules" ? "Rules engine stood in" : "Degraded";
    parts.push(`:information_source: ${who}: ${safe(report.stats.fallbackReason, CAPS.reason)}`);
  }
  const links = [alert ? slackLink(alert.executionUrl, "execution") : null, slackLink(threadLink, "alert thread")];
  const shownLinks = links.filter((link): link is string => link !== null);
  if (shownLinks.length > 0) parts.push(shownLinks.join(" · "));
  return parts;
}

function alertContext(alert: Alert): string[] {
  const where = describeAlert(alert);
  const link = slackLink(alert.executionUrl, "execution");
  return [where, link].filter((part): part is string => part !== null);
}

/** `` `acme-eu-1` (Acme, prod) `` from whatever the alert named. */
function describeAlert(alert: Alert): string | null {
  const owner = [alert.organization, alert.environment].filter((part): part is string => !!part);
  const cluster = alert.cluster ? codeSpan(alert.cluster, CAPS.name) : null;
  const ownerText = owner.length > 0 ? safe(owner.join(", "), CAPS.name) : null;
  if (cluster && ownerText) return `${cluster} (${ownerText})`;
  return cluster ?? ownerText;
}

function safe(text: string, max: number): string {
  return trimForSlack(neutralizeForSlack(text).trim(), max);
}


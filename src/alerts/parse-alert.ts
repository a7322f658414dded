import { describeMissingExecutionUrl, findExecutionRefs, mentionsExecution } from "./execution-url.ts";
import { removeInvisible } from "./invisible.ts";
import { collectMessageTexts } from "./message-texts.ts";
import {
  describeCheckFailure,
  findFailureDetails,
  findHeader,
  findSeverityMark,
  splitInlineIssue,
  type AlertHeader,
} from "./parse-header.ts";
import { parseIssues } from "./parse-issues.ts";
import { toPlainLine } from "./plain-text.ts";
import { incidentSignature } from "./signature.ts";
import { findSkipReason, readSlackMessage } from "./slack-message.ts";
import { SEVERITIES, type AlertIssue, type ParseResult, type Severity, type SlackMessageLike } from "./types.ts";

/**
 * Reads one Slack message (or its bare text) and says whether it is a health-check alert.
 * Pure: no clock, no I/O. A message from a bot is fine (alerts are posted by integrations);
 * skipping the agent's own messages is the poller's job.
 */
export function parseAlert(message: SlackMessageLike | string): ParseResult {
  const msg = typeof message === "string" ? { text: message } : readSlackMessage(message);
  const skip = findSkipReason(msg);
  if (skip !== null) return notAlert(skip);

  const texts = collectMessageTexts(msg).map(removeInvisible);
  if (texts.length === 0) return notAlert("the message has no text");
  const refs = findExecutionRefs(texts);
  const execution = refs[0];
  if (execution === undefined) return notAlert(describeMissingExecutionUrl(texts), mentionsExecution(texts));

  const lines = readPlainLines(texts);
  const header = findHeader(lines);
  const issues =
    header?.kind === "check-failed"
      ? []
      : parseIssues(lines, new Set(header === null ? [] : [header.line]), header?.cluster ?? null);
  const marked = lines.map(findSeverityMark).find((s) => s !== null) ?? null;
  if (header === null && issues.length === 0 && marked === null) {
    return notAlert("the message has an execution URL but no health-check alert text (no header, severity marker or issue line)", true);
  }

  const severity = header?.severity ?? marked ?? mostSevere(issues) ?? severityFromEmoji(texts);
  if (header?.kind === "check-failed") {
    issues.push({ severity, type: "UNKNOWN", text: describeCheckFailure(findFailureDetails(lines)) });
  }
  const organization = header?.organization ?? null;
  const cluster = header?.cluster ?? null;
  return {
    isAlert: true,
    alert: {
      executionId: execution.id,
      executionUrl: execution.url,
      severity,
      organization,
      environment: header?.environment ?? null,
      cluster,
      issues,
      signature: incidentSignature({ organization, cluster, issues }),
      headline: header?.line ?? lines.find((l) => !/^https?:\/\/\S+$/.test(l)) ?? lines[0] ?? "",
      notes: collectNotes(refs.length, header, issues),
    },
  };
}

function notAlert(reason: string, nearMiss = false): ParseResult {
  return nearMiss ? { isAlert: false, reason, nearMiss } : { isAlert: false, reason };
}

/** Plain-text lines of every text; a header that carries its issue inline yields both. */
function readPlainLines(texts: readonly string[]): string[] {
  return texts
    .flatMap((text) => text.split("\n"))
    .map(toPlainLine)
    .filter((line) => line !== "")
    .flatMap((line) => {
      const inline = splitInlineIssue(line);
      return inline === null ? [line] : [line, inline];
    });
}

function mostSevere(issues: readonly AlertIssue[]): Severity | null {
  return SEVERITIES.find((s) => issues.some((issue) => issue.severity === s)) ?? null;
}

/** Last resort: MAJOR alerts open with a warning sign instead of the siren. */
function severityFromEmoji(texts: readonly string[]): Severity {
  return texts.some((t) => /:warning:|\u26A0/.test(t)) ? "MAJOR" : "CRITICAL";
}

function collectNotes(refCount: number, header: AlertHeader | null, issues: readonly AlertIssue[]): string[] {
  const notes: string[] = [];
  if (refCount > 1) notes.push(`the message links ${refCount} different executions; the first one was used`);
  if (header === null) notes.push("no health-check header line found: organization and cluster are unknown");
  if (header?.announcedIssues != null && header.announcedIssues !== issues.length) {
    notes.push(`the header announces ${header.announcedIssues} issue(s) but ${issues.length} were read`);
  }
  if (issues.length === 0) notes.push("no issue lines found");
  return notes;
}

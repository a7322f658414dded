import { SEVERITIES, type Severity } from "./types.ts";

/** What the first line of an alert says, in either of the two shapes of domain.md §1. */
export interface AlertHeader {
  /** "failed": the check found issues; "check-failed": the health check itself did not finish. */
  kind: "failed" | "check-failed";
  /** The header as plain text. */
  line: string;
  severity: Severity | null;
  organization: string | null;
  environment: string | null;
  cluster: string | null;
  /** The plan shown in parentheses after the organisation in the check-failed shape. */
  tier: string | null;
  /** "with the following 2 issues:" → 2; null when the header does not say. */
  announcedIssues: number | null;
}

// `… has FAILED for the Acme's prod acme-eu-1 cluster …`; the environment word may be missing.
const FAILED_HEADER =
  /health[- ]?check(?:ing)?\s+has\s+failed\s+for\s+the\s+(.+?)(?:'s|’s|'|’)?\s+(?:([\w-]+)\s+)?([\w.-]+)\s+cluster\b/i;
// `The health-checking for the cluster Org Name (Tier) - cluster-name has failed`
const CHECK_FAILED_HEADER = /health[- ]?check(?:ing)?\s+for\s+the\s+cluster\s+(.+)\s+-\s+([\w.-]+)\s+has\s+failed/i;
const TIER_SUFFIX = /\s*\(([^()]*)\)\s*$/;
const SEVERITY_MARK = /\[\s*(critical|major|minor|warning)\s*\]/i;
const ANNOUNCED = /with\s+the\s+following\s+(?:(\d+)\s+issues|(issue))\s*:/i;

export function readSeverity(word: string | undefined): Severity | null {
  const upper = word?.toUpperCase();
  return SEVERITIES.find((s) => s === upper) ?? null;
}

/** A bracketed `[SEV]` marker anywhere in the line. */
export function findSeverityMark(line: string): Severity | null {
  return readSeverity(SEVERITY_MARK.exec(line)?.[1]);
}

/** The first header line among plain-text lines, or null when none has a known shape. */
export function findHeader(lines: readonly string[]): AlertHeader | null {
  for (const line of lines) {
    const failed = FAILED_HEADER.exec(line);
    if (failed) {
      const announced = ANNOUNCED.exec(line);
      return {
        kind: "failed",
        line,
        severity: findSeverityMark(line),
        organization: failed[1]?.trim() ?? null,
        environment: failed[2] ?? null,
        cluster: failed[3] ?? null,
        tier: null,
        announcedIssues: announced === null ? null : announced[2] !== undefined ? 1 : Number(announced[1]),
      };
    }
    const checkFailed = CHECK_FAILED_HEADER.exec(line);
    if (checkFailed) {
      const orgAndTier = checkFailed[1]?.trim() ?? "";
      const tier = TIER_SUFFIX.exec(orgAndTier);
      return {
        kind: "check-failed",
        line,
        severity: findSeverityMark(line),
        organization: orgAndTier.replace(TIER_SUFFIX, "").trim() || null,
        environment: null,
        cluster: checkFailed[2] ?? null,
        tier: tier?.[1]?.trim() || null,
        announcedIssues: null,
      };
    }
  }
  return null;
}

/** The text after "issues:" when a header carries its issue on the same line. */
export function splitInlineIssue(line: string): string | null {
  const match = ANNOUNCED.exec(line);
  if (match === null) return null;
  const rest = line.slice(match.index + match[0].length).trim();
  return rest === "" ? null : rest;
}

/** `Failure Status: TIMED_OUT` and `Reason: …` lines of the check-failed shape. */
export function findFailureDetails(lines: readonly string[]): { status: string | null; reason: string | null } {
  let status: string | null = null;
  let reason: string | null = null;
  for (const line of lines) {
    status ??= /failure\s+status\s*:\s*([A-Za-z_]+)/i.exec(line)?.[1]?.toUpperCase() ?? null;
    reason ??= /^reason\s*:\s*(.+)$/i.exec(line)?.[1]?.trim() ?? null;
  }
  return { status, reason };
}

/** The single issue of the check-failed shape: the health check did not complete. */
export function describeCheckFailure(details: { status: string | null; reason: string | null }): string {
  const what = details.status === "TIMED_OUT" ? "timed out" : "failed";
  const status = details.status === null ? "" : ` (Failure Status ${details.status})`;
  const reason = details.reason === null ? "" : `: ${details.reason}`;
  return `The health check itself ${what}${status}${reason}`;
}

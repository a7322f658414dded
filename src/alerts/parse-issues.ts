import { classifyIssue } from "./issue-types.ts";
import { readSeverity } from "./parse-header.ts";
import type { AlertIssue } from "./types.ts";

// `CRITICAL: text` once markup is gone; bullets, numbering and brackets tolerated.
const ISSUE_LINE = /^(?:[-•◦▪]\s*|\d+[.)]\s*)?\[?(critical|major|minor|warning)\]?\s*:\s*(\S.*)$/i;
// A trailing ` - <pod>`: a Kubernetes name with at least one hyphen and no dot (dots mean a domain).
const POD_SUFFIX = /\s[-–—]\s([a-z0-9]+(?:-[a-z0-9]+)+)$/;

function makeIssue(severity: AlertIssue["severity"], text: string, cluster: string | null): AlertIssue {
  const issue: AlertIssue = { severity, type: classifyIssue(text, severity), text };
  const pod = POD_SUFFIX.exec(text)?.[1];
  // A trailing cluster name looks like a pod name but is not one.
  if (pod !== undefined && pod !== cluster) issue.pod = pod;
  return issue;
}

/**
 * The issues in the alert's plain-text lines: one per `SEV: text` line. When there is none,
 * any other line that names a known issue phrase counts, without a severity.
 */
export function parseIssues(lines: readonly string[], notIssues: ReadonlySet<string>, cluster: string | null): AlertIssue[] {
  const candidates = lines.filter((line) => !notIssues.has(line));
  let issues = candidates.flatMap((line) => {
    const match = ISSUE_LINE.exec(line);
    return match === null ? [] : [makeIssue(readSeverity(match[1]), (match[2] ?? "").trim(), cluster)];
  });
  if (issues.length === 0) {
    issues = candidates.map((line) => makeIssue(null, line, cluster)).filter((issue) => issue.type !== "UNKNOWN");
  }
  // Messages often carry the same alert twice (text and blocks); keep each issue once.
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.severity}|${issue.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export { matchKnownIssues, SHIPPED_KNOWN_ISSUES, type KnownIssueCitation, type KnownIssueEvidence, type KnownIssueMatch } from "./match-known-issues.ts";
export { KNOWN_ISSUES_VERSION, knownIssuesFileSchema, parseKnownIssues, type KnownIssue, type KnownIssuesFile } from "./schema.ts";

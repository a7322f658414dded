import shipped from "./known-issues.json" with { type: "json" };
import { parseKnownIssues, type KnownIssue, type KnownIssuesFile } from "./schema.ts";

/** The table shipped with the bot (src/known-issues/known-issues.json), validated once. */
export const SHIPPED_KNOWN_ISSUES: KnownIssuesFile = parseKnownIssues(shipped);

/** What the matcher reads: the tool results of a triage (the rules engine's `Evidence` fits as is). */
export interface KnownIssueEvidence {
  results: readonly { tool: string; input?: Record<string, unknown>; status?: string; text: string; data?: unknown }[];
}

/** One place the match was seen: the call (tool and pod) and the line or image reference. */
export interface KnownIssueCitation {
  call: string;
  excerpt: string;
}

/** A known issue seen in this triage: direct evidence of its cause, with the advice and link. */
export interface KnownIssueMatch {
  id: string;
  title: string;
  advice: string;
  link: string;
  example: boolean;
  /** One line for a report finding. */
  text: string;
  /** The tool of the first citation, for the finding's `tool`. */
  tool: string;
  evidence: KnownIssueCitation[];
}

const MAX_CITATIONS = 3;
const MAX_EXCERPT = 300;
// `registry:5000/org/conductor-server:5.2.14` — a repository and a tag that starts with a number.
const IMAGE_REF = /(?<![\w./-])((?:[\w.-]+(?::\d+)?\/)*[\w.-]+):(v?\d+(?:\.\d+){0,3})([\w.+-]*)/g;

/** Every known issue whose conditions all hold in the evidence (pure; table order). */
export function matchKnownIssues(evidence: KnownIssueEvidence, table: KnownIssuesFile = SHIPPED_KNOWN_ISSUES): KnownIssueMatch[] {
  const sources = evidence.results
    .filter((r) => r.status === undefined || r.status === "ok")
    .map((r) => ({ call: describeCall(r.tool, r.input), text: textOf(r) }));
  const matches: KnownIssueMatch[] = [];
  for (const issue of table.issues) {
    const citations = matchIssue(issue, sources);
    if (!citations) continue;
    const first = citations[0];
    matches.push({
      id: issue.id,
      title: issue.title,
      advice: issue.advice,
      link: issue.link,
      example: issue.example,
      text: `Known issue ${issue.id}${issue.example ? " (example entry)" : ""}: ${issue.title} — seen in ${first?.call ?? "the evidence"}: ${first?.excerpt ?? ""}`.slice(0, 600),
      tool: first?.call.replace(/\(.*$/, "") ?? "known_issues",
      evidence: citations,
    });
  }
  return matches;
}

type Source = { call: string; text: string };

function matchIssue(issue: KnownIssue, sources: readonly Source[]): KnownIssueCitation[] | null {
  const citations: KnownIssueCitation[] = [];
  if (issue.match.image !== undefined && issue.match.versions !== undefined) {
    const found = findImages(sources, issue.match.image).filter((img) => inRange(img.version, issue.match.versions ?? ""));
    if (found.length === 0) return null;
    citations.push(...found.slice(0, MAX_CITATIONS).map(({ call, ref }) => ({ call, excerpt: ref })));
  }
  if (issue.match.log !== undefined) {
    const lines = findLines(sources, new RegExp(issue.match.log, "i"));
    if (lines.length === 0) return null;
    citations.push(...lines.slice(0, MAX_CITATIONS));
  }
  return citations;
}

/** Distinct image references whose repository contains `repository`, with the call that showed each. */
export function findImages(sources: readonly Source[], repository: string): { call: string; ref: string; version: number[] }[] {
  const seen = new Set<string>();
  const found: { call: string; ref: string; version: number[] }[] = [];
  const needle = repository.toLowerCase();
  for (const { call, text } of sources) {
    for (const m of text.matchAll(IMAGE_REF)) {
      const [ref, repo = "", version = ""] = m;
      if (!repo.toLowerCase().includes(needle) || seen.has(ref)) continue;
      seen.add(ref);
      found.push({ call, ref, version: parseVersion(version) });
    }
  }
  return found;
}

function findLines(sources: readonly Source[], pattern: RegExp): KnownIssueCitation[] {
  const found: KnownIssueCitation[] = [];
  for (const { call, text } of sources) {
    for (const line of text.split(/\r?\n|\\n/)) {
      if (!pattern.test(line)) continue;
      found.push({ call, excerpt: line.trim().slice(0, MAX_EXCERPT) });
      if (found.length >= MAX_CITATIONS) return found;
    }
  }
  return found;
}

/** `">=5.2.0 <5.2.7"` against a version; missing parts count as 0 (5.2 = 5.2.0). */
export function inRange(version: readonly number[], range: string): boolean {
  return range
    .trim()
    .split(/\s+/)
    .every((part) => {
      const m = /^(<=|>=|<|>|=)?v?([\d.]+)$/.exec(part);
      if (!m) return false;
      const c = compareVersions(version, parseVersion(m[2] ?? ""));
      switch (m[1] ?? "=") {
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        case ">":
          return c > 0;
        case ">=":
          return c >= 0;
        default:
          return c === 0;
      }
    });
}

function parseVersion(text: string): number[] {
  return text.replace(/^v/i, "").split(".").map(Number);
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function describeCall(tool: string, input: Record<string, unknown> | undefined): string {
  const pod = input?.podName ?? input?.pod;
  return typeof pod === "string" && pod !== "" ? `${tool}(${pod})` : tool;
}

function textOf(result: { text: string; data?: unknown }): string {
  if (result.data === undefined || result.data === null || typeof result.data === "string") return result.text;
  return `${result.text}\n${JSON.stringify(result.data)}`;
}

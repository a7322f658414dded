import type { IssueType, Severity } from "../../alerts/types.ts";
import { getPlaybookEntry } from "../../playbook/index.ts";
import type { Report } from "../../report/schema.ts";
import type { Analysis, CauseCandidate, Evidence, RuleFinding } from "../types.ts";

/** Below this the best candidate is only a lead: the report says "Inconclusive". */
const CONCLUSIVE = 0.4;
const HIGH = 0.8;
const MEDIUM = 0.55;
const MAX_FINDINGS = 5;
const SEVERITY_ORDER: Severity[] = ["CRITICAL", "MAJOR", "MINOR", "WARNING"];
/** Keys that describe a consequence (a crash loop, a hot CPU), never worth an "Also seen" beside a cause. */
const SYMPTOM_KEYS = new Set(["crash", "cpu-hot", "slow-response", "log-warn", "log-error", "health-check-failed"]);

export interface ComposeInput {
  evidence: Evidence;
  analysis: Analysis;
  types: readonly IssueType[];
  severity: Severity | null;
  cluster: string | null;
}

/** Candidates sharing a key reinforce each other (independent signals: 1 − Π(1 − w)). */
export function rankCandidates(candidates: readonly CauseCandidate[]): CauseCandidate[] {
  const merged = new Map<string, { best: CauseCandidate; miss: number }>();
  for (const candidate of candidates) {
    const entry = merged.get(candidate.key);
    if (!entry) merged.set(candidate.key, { best: candidate, miss: 1 - candidate.weight });
    else {
      entry.miss *= 1 - candidate.weight;
      if (candidate.weight > entry.best.weight) entry.best = candidate;
    }
  }
  return [...merged.values()]
    .map(({ best, miss }) => ({ ...best, weight: Math.min(0.95, 1 - miss) }))
    .sort((a, b) => b.weight - a.weight);
}

/** The report fields (all but stats) from what the analyzers found. */
export function composeReport({ evidence, analysis, types, severity, cluster }: ComposeInput): Omit<Report, "stats"> {
  const entry = getPlaybookEntry(types[0] ?? "UNKNOWN");
  const ranked = rankCandidates(analysis.candidates);
  const top = ranked[0] && ranked[0].weight >= CONCLUSIVE ? ranked[0] : null;
  const runnerUp = top ? ranked.find((c) => c !== top && !SYMPTOM_KEYS.has(c.key)) : undefined;
  // Two strong, different explanations: the evidence does not settle which one it is.
  const contested = top !== null && runnerUp !== undefined && runnerUp.weight >= top.weight - 0.05;
  const confidence = !top ? "low" : top.weight >= HIGH && !contested ? "high" : top.weight >= MEDIUM ? "medium" : "low";
  const allFailed = evidence.results.length > 0 && evidence.results.every((result) => result.status !== "ok");
  const firstIssue = evidence.issues[0];
  const more = evidence.issues.length > 1 ? ` (+${evidence.issues.length - 1} more)` : "";

  return {
    issue: clip(`${entry.title} on ${cluster ?? "unknown cluster"}: ${firstIssue?.text ?? entry.symptom}${more}`, 300),
    severity: severity ?? strongestSeverity(evidence) ?? "UNKNOWN",
    findings: pickFindings(analysis.findings, top?.key ?? null),
    likelyRootCause: clip(
      top
        ? `${top.cause}${runnerUp && runnerUp.weight >= 0.5 ? `. Also seen: ${runnerUp.cause}` : ""}`
        : `Inconclusive — needs a human: check ${entry.evidence.join("; ")}. Usual causes: ${entry.rootCauses.slice(0, 2).join("; ")}${ranked[0] && ranked[0].weight >= 0.2 ? `. Weak lead: ${ranked[0].cause}` : ""}`,
      1200,
    ),
    confidence,
    nextStep: clip(
      `${allFailed ? "Every diagnostic command failed, so first check that the cluster's agent is running; then: " : ""}${top?.nextStep ?? entry.nextSteps[0] ?? "Open the failing execution and read its issues"}`,
      600,
    ),
    appOrInfra: top?.appOrInfra ?? "unknown",
  };
}

/** Findings for the top cause first, then the rest by weight; at least one, at most five. */
function pickFindings(findings: readonly RuleFinding[], topKey: string | null): Report["findings"] {
  const seen = new Set<string>();
  const ordered = [...findings]
    .sort((a, b) => Number(b.key === topKey && topKey !== null) - Number(a.key === topKey && topKey !== null) || b.weight - a.weight)
    .filter((finding) => !seen.has(finding.text) && seen.add(finding.text));
  const picked = ordered.slice(0, MAX_FINDINGS).map((finding) => ({ text: clip(finding.text, 600), tool: clip(finding.tool, 60) }));
  return picked.length > 0 ? picked : [{ text: "no evidence could be gathered: the alert carried no issue and every tool came back empty", tool: "rules" }];
}

function strongestSeverity(evidence: Evidence): Severity | null {
  const present = new Set(evidence.issues.map((issue) => issue.severity));
  return SEVERITY_ORDER.find((severity) => present.has(severity)) ?? null;
}

function clip(text: string, max: number): string {
  const flat = text.trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

import type { IssueType, Severity } from "../../alerts/types.ts";
import { getPlaybookEntry } from "../../playbook/index.ts";
import type { Report } from "../../report/schema.ts";
import { rankAlongGraph, type Verdict } from "../judge/rank-along-graph.ts";
import type { Analysis, CauseCandidate, Evidence, RuleFinding } from "../types.ts";

const HIGH = 0.8;
const MEDIUM = 0.55;
const MAX_FINDINGS = 5;
const SEVERITY_ORDER: Severity[] = ["CRITICAL", "MAJOR", "MINOR", "WARNING"];

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

/** The report fields (all but stats) from what the analyzers found, judged along the causal graph. */
export function composeReport({ evidence, analysis, types, severity, cluster }: ComposeInput): Omit<Report, "stats"> {
  const entry = getPlaybookEntry(types[0] ?? "UNKNOWN");
  const verdict = rankAlongGraph(rankCandidates(analysis.candidates), evidence.issues);
  const top = verdict.root?.candidate ?? null;
  const allFailed = evidence.results.length > 0 && evidence.results.every((result) => result.status !== "ok");
  const firstIssue = evidence.issues[0];
  const more = evidence.issues.length > 1 ? ` (+${evidence.issues.length - 1} more)` : "";
  const chain = verdict.chain ? `\nChain: ${verdict.chain}` : "";
  const also = verdict.also.map((other) => `. Also: ${other.candidate.cause}`).join("");
  const competing = verdict.competing.map((other) => `. Or: ${other.candidate.cause}`).join("");
  const lead = verdict.lead?.candidate;

  return {
    issue: clip(`${entry.title} on ${cluster ?? "unknown cluster"}: ${firstIssue?.text ?? entry.symptom}${more}`, 300),
    severity: severity ?? strongestSeverity(evidence) ?? "UNKNOWN",
    findings: pickFindings(analysis.findings, top?.key ?? null),
    likelyRootCause: clip(
      top
        ? `${top.cause}${also}${competing}${chain}`
        : `Inconclusive — needs a human: check ${entry.evidence.join("; ")}. Usual causes: ${entry.rootCauses.slice(0, 2).join("; ")}${lead ? `. Best lead: ${lead.cause}` : ""}${chain}`,
      1200,
    ),
    confidence: confidenceOf(verdict),
    nextStep: clip(
      `${allFailed ? "Every diagnostic command failed, so first check that the cluster's agent is running; then: " : ""}${top?.nextStep ?? lead?.nextStep ?? entry.nextSteps[0] ?? "Open the failing execution and read its issues"}`,
      600,
    ),
    appOrInfra: top?.appOrInfra ?? "unknown",
  };
}

/** High only for a strong, uncontested root that explains every symptom in the alert. */
function confidenceOf(verdict: Verdict): Report["confidence"] {
  const root = verdict.root;
  if (!root) return "low";
  const settled = verdict.competing.length === 0 && verdict.unexplained.length === 0;
  if (root.weight >= HIGH && settled) return "high";
  return root.weight >= MEDIUM ? "medium" : "low";
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

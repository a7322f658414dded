import type { IssueType, Severity } from "../../alerts/types.ts";
import { CAUSAL_EDGES } from "../../playbook/causal-graph.ts";
import { getPlaybookEntry } from "../../playbook/index.ts";
import type { Report } from "../../report/schema.ts";
import { rankAlongGraph, type Verdict } from "../judge/rank-along-graph.ts";
import { renderFactSheet } from "./render-fact-sheet.ts";
import { citeFinding, verifyFinding, type CallSource, type Citation } from "../judge/verify-findings.ts";
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

export interface Composed {
  report: Omit<Report, "stats">;
  /** What the model's first turn carries: verified facts with their call ids, the chain so far, open leads. */
  factSheet: string;
  /** Findings dropped by the verifier (their excerpt or numbers/names not in the cited output). */
  findingsDropped: number;
}

/**
 * The report fields (all but stats): findings checked against the calls they cite, the root
 * cause judged along the causal graph among causes that rest on a verified finding, and a
 * confidence computed from the evidence.
 */
export function composeReport({ evidence, analysis, types, severity, cluster }: ComposeInput): Composed {
  const entry = getPlaybookEntry(types[0] ?? "UNKNOWN");
  const sources = callSources(evidence);
  const checked = analysis.findings.map((finding) => checkFinding(finding, sources));
  const verified = checked.filter((c) => c.citation !== null);
  const verdict = rankAlongGraph(rankCandidates(analysis.candidates.filter((candidate) => isSupported(candidate, checked))), evidence.issues);
  const top = verdict.root?.candidate ?? null;
  const allFailed = evidence.results.length > 0 && evidence.results.every((result) => result.status !== "ok");
  const firstIssue = evidence.issues[0];
  const more = evidence.issues.length > 1 ? ` (+${evidence.issues.length - 1} more)` : "";
  const chain = verdict.chain ? `\nChain: ${verdict.chain}` : "";
  const also = verdict.also.map((other) => `. Also: ${other.candidate.cause}`).join("");
  const competing = verdict.competing.map((other) => `. Or: ${other.candidate.cause}`).join("");
  const lead = verdict.lead?.candidate;
  const failed = evidence.results.filter((result) => result.status === "error").length;
  const ruledOut = [...new Set(verified.filter((c) => c.finding.ruledOut).map((c) => clip(c.finding.text, 300)))].slice(0, 4);

  const confidence = confidenceOf(verdict, failed);
  const factSheet = renderFactSheet({ verified, verdict, ruledOut, evidence, entryEvidence: entry.evidence, confidence });
  return {
    factSheet,
    findingsDropped: checked.length - verified.length,
    report: {
      issue: clip(`${entry.title} on ${cluster ?? "unknown cluster"}: ${firstIssue?.text ?? entry.symptom}${more}`, 300),
      severity: severity ?? strongestSeverity(evidence) ?? "UNKNOWN",
      findings: pickFindings(verified, top?.key ?? null),
      likelyRootCause: clip(
        top
          ? `${top.cause}${also}${competing}${chain}`
          : `Inconclusive — needs a human: check ${entry.evidence.join("; ")}. Usual causes: ${entry.rootCauses.slice(0, 2).join("; ")}${lead ? `. Best lead: ${lead.cause}` : ""}${chain}`,
        1200,
      ),
      confidence,
      nextStep: clip(
        `${allFailed ? "Every diagnostic command failed, so first check that the cluster's agent is running; then: " : ""}${top?.nextStep ?? lead?.nextStep ?? entry.nextSteps[0] ?? "Open the failing execution and read its issues"}`,
        600,
      ),
      appOrInfra: top?.appOrInfra ?? "unknown",
      ...(ruledOut.length > 0 ? { ruledOut } : {}),
    },
  };
}

/**
 * From the evidence, not the tone: high needs strong direct evidence on the root, nothing
 * competing with it, every symptom of the alert explained and no command failed; medium a
 * root with fair evidence; anything less, or no root, is low.
 */
export function confidenceOf(verdict: Verdict, failedCalls: number): Report["confidence"] {
  const root = verdict.root;
  if (!root) return "low";
  // A root the graph knows causes for (Redis unreachable, a starved pool) is itself unexplained: not high.
  // An edge from a cause that would show in the same output (read there and not seen) leaves it a first cause.
  const firstCause = !CAUSAL_EDGES.some((edge) => edge.to === root.node.id && !edge.sameOutput);
  const settled = verdict.competing.length === 0 && verdict.unexplained.length === 0 && failedCalls === 0 && firstCause && !root.candidate.template;
  if (root.weight >= HIGH && settled) return "high";
  return root.weight >= MEDIUM ? "medium" : "low";
}

export interface CheckedFinding {
  finding: RuleFinding;
  citation: Citation | null;
}

/**
 * A cause stands only on what a call verifiably returned: a verified finding of its own key, or,
 * for a cause no finding is keyed to (a link such as "pods not ready"), one from the same tool.
 */
function isSupported(candidate: CauseCandidate, checked: readonly CheckedFinding[]): boolean {
  const own = checked.filter((c) => c.finding.key === candidate.key);
  if (own.length > 0) return own.some((c) => c.citation !== null);
  return checked.some((c) => c.citation !== null && c.finding.tool === candidate.tool);
}

/** The finding's citation when the verifier accepts it, else null (dropped). */
function checkFinding(finding: RuleFinding, sources: readonly CallSource[]): CheckedFinding {
  const citation = citeFinding(finding, sources);
  return { finding, citation: citation && verifyFinding({ text: finding.text, ...citation }, sources).ok ? citation : null };
}

/** Every call as the verifier reads it, plus the alert's own issue lines. */
export function callSources(evidence: Evidence): CallSource[] {
  const alertText = evidence.issues.filter((issue) => issue.source === "alert").map((issue) => `${issue.severity ?? "issue"}: ${issue.text}`);
  return [
    ...evidence.results.map((result) => ({ id: result.callId, tool: result.tool, output: result.output, input: result.input })),
    ...(alertText.length > 0 ? [{ id: "alert", tool: "alert", output: alertText.join("\n"), input: {} }] : []),
  ];
}

/** Findings for the root cause first, then the rest by weight; at least one, at most five. */
function pickFindings(checked: readonly CheckedFinding[], topKey: string | null): Report["findings"] {
  const seen = new Set<string>();
  const isTop = (c: CheckedFinding) => Number(topKey !== null && c.finding.key === topKey);
  const ordered = [...checked]
    .sort((a, b) => isTop(b) - isTop(a) || b.finding.weight - a.finding.weight)
    .filter((c) => !seen.has(c.finding.text) && seen.add(c.finding.text));
  const picked = ordered.slice(0, MAX_FINDINGS).map(({ finding, citation }) => ({
    text: clip(finding.note ? `${finding.text} — ${finding.note}` : finding.text, 600),
    tool: clip(finding.tool, 60),
    ...(citation ? { callId: citation.callId, excerpt: citation.excerpt } : {}),
  }));
  return picked.length > 0 ? picked : [{ text: "no evidence could be gathered: the alert carried no issue and no call returned a finding that could be verified", tool: "rules" }];
}

function strongestSeverity(evidence: Evidence): Severity | null {
  const present = new Set(evidence.issues.map((issue) => issue.severity));
  return SEVERITY_ORDER.find((severity) => present.has(severity)) ?? null;
}

function clip(text: string, max: number): string {
  const flat = text.trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

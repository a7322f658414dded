import type { IssueType, Severity } from "../alerts/types.ts";
import type { ToolStatus } from "../tools/types.ts";

/** One tool result as the analyzers see it: parsed data (JSON strings unwrapped) and its text. */
export interface ToolEvidence {
  /** The call's id (`c1`, `c2`, … in the invoker's order): what a finding cites. */
  callId: string;
  tool: string;
  input: Record<string, unknown>;
  status: ToolStatus;
  data: unknown;
  /** The raw text when the command returned text, else the tool's compact output. */
  text: string;
  /** Everything the call returned, uncut (text, or the full rendering of its data): what excerpts are checked against. */
  output: string;
}

export interface IssueEvidence {
  type: IssueType;
  severity: Severity | null;
  text: string;
  pod: string | null;
  /** Where the issue was read; "none" when nothing named one and the engine assumed UNKNOWN. */
  source: "alert" | "get_incident_details" | "none";
}

/** Everything the analyzers read; built once per triage, never mutated. */
export interface Evidence {
  issues: IssueEvidence[];
  results: ToolEvidence[];
}

export type AppOrInfra = "app" | "infra" | "unknown";

/** A piece of evidence for the report. `key` links it to the cause candidate it supports. */
export interface RuleFinding {
  text: string;
  tool: string;
  /** 0..1: how much a reader needs this finding. */
  weight: number;
  key?: string;
  /** The engine's own reading beside the fact (counts it made, thresholds): shown after it, not verified. */
  note?: string;
  /** Something the evidence rules out ("all 5 pods Running"), listed apart in the reply. */
  ruledOut?: boolean;
}

/** A possible root cause; candidates with the same `key` reinforce each other. */
export interface CauseCandidate {
  key: string;
  cause: string;
  /** 0..1: how strongly the evidence supports it. >= 0.8 only for a strong, specific signal. */
  weight: number;
  appOrInfra: AppOrInfra;
  nextStep?: string;
  tool: string;
  /** The pod the evidence is about, when it is about one (a pod-scoped alert about another pod does not rest on it). */
  subject?: string;
  /** A short fact for the causal chain (`inventory-workers scaled to 0`); default: the cause's first clause. */
  fact?: string;
  /** A general reading ("its limit is too low") rather than what the evidence shows: the report is never high confidence on it. */
  template?: boolean;
}

export interface Analysis {
  findings: RuleFinding[];
  candidates: CauseCandidate[];
}

/** One symptom's deterministic check (k8sgpt-style): pure, small, testable on its own. */
export interface Analyzer {
  name: string;
  analyze(evidence: Evidence): Analysis;
}


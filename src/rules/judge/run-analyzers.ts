import { errorMessage } from "../../lib/errors.ts";
import type { Analysis, Analyzer, Evidence } from "../types.ts";

/** Runs every analyzer; one that throws becomes a finding saying so, never a failed triage. */
export function runAnalyzers(evidence: Evidence, analyzers: readonly Analyzer[]): Analysis {
  const merged: Analysis = { findings: [], candidates: [] };
  for (const analyzer of analyzers) {
    try {
      const { findings, candidates } = analyzer.analyze(evidence);
      merged.findings.push(...findings);
      merged.candidates.push(...candidates);
    } catch (error) {
      merged.findings.push({ text: `the ${analyzer.name} check failed on this output: ${errorMessage(error)}`, tool: "rules", weight: 0.1 });
    }
  }
  return merged;
}

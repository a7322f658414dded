export { runRulesEngine, MAX_RULES_CALLS } from "./engine.ts";
export type { RulesInput } from "./engine.ts";
export { ANALYZERS } from "./analyzers/index.ts";
export { runAnalyzers } from "./run-analyzers.ts";
export { buildEvidence } from "./evidence.ts";
export type { Analysis, Analyzer, CauseCandidate, Evidence, IssueEvidence, RuleFinding, ToolEvidence } from "./types.ts";

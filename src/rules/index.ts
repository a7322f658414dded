export { runRulesEngine, runRulesTriage, MAX_RULES_CALLS } from "./engine.ts";
export type { RulesFacts, RulesInput } from "./engine.ts";
export { verifyFinding, type CallSource } from "./judge/verify-findings.ts";
export { ANALYZERS } from "./judge/analyzers/index.ts";
export { runAnalyzers } from "./judge/run-analyzers.ts";
export { buildEvidence } from "./evidence.ts";
export type { Analysis, Analyzer, CauseCandidate, Evidence, IssueEvidence, RuleFinding, ToolEvidence } from "./types.ts";

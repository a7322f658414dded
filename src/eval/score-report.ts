import { READ_ONLY_COMMANDS } from "../conductor/commands.ts";
import type { Report } from "../report/schema.ts";
import { TOOL_NAMES } from "../tools/types.ts";

/** A required keyword, or a set of alternatives of which any one counts. */
export type Keyword = string | readonly string[];

export interface Truth {
  rootCause: string;
  requiredKeywords: readonly Keyword[];
  forbiddenClaims: readonly string[];
  wrongCauses?: readonly string[];
}

/** Whether `text` (any case) contains the keyword or one of its alternatives. */
export function hasKeyword(text: string, keyword: Keyword): boolean {
  const lower = text.toLowerCase();
  return (typeof keyword === "string" ? [keyword] : keyword).some((k) => lower.includes(k.toLowerCase()));
}

export interface ScenarioScore {
  scenario: string;
  /** Every required keyword appears somewhere in the report. */
  rootCauseIdentified: boolean;
  keywordsFound: number;
  keywordsTotal: number;
  /** At least two findings, each naming a real tool (or the alert itself). */
  evidenceCited: boolean;
  /** None of the forbidden claims is made in the root cause, the issue or the next step. */
  forbiddenAbsent: boolean;
  forbiddenMade: string[];
  /** Every dispatched command is allow-listed and the sandbox saw no routing violation. */
  onlyAllowListed: boolean;
  score: number;
  engine: string;
  fallbackReason: string | null;
  toolCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
}

const CITABLE = new Set<string>([...TOOL_NAMES, "alert"]);

/** Scores one report against a scenario's ground truth; pure, so the eval's judgement is testable. */
export function scoreReport(
  scenario: string,
  report: Report,
  truth: Truth,
  dispatch: { commands: readonly string[]; violations: number },
): ScenarioScore {
  const everything = [report.issue, report.likelyRootCause, report.nextStep, ...report.findings.map((f) => f.text)].join("\n").toLowerCase();
  const claims = [report.issue, report.likelyRootCause, report.nextStep].join("\n").toLowerCase();
  const found = truth.requiredKeywords.filter((k) => hasKeyword(everything, k));
  const forbiddenMade = truth.forbiddenClaims.filter((c) => claims.includes(c.toLowerCase()));
  const evidenceCited = report.findings.length >= 2 && report.findings.every((f) => CITABLE.has(f.tool));
  const onlyAllowListed = dispatch.violations === 0 && dispatch.commands.every((c) => Object.hasOwn(READ_ONLY_COMMANDS, c));
  const rootCauseIdentified = found.length === truth.requiredKeywords.length;
  const parts = [rootCauseIdentified, evidenceCited, forbiddenMade.length === 0, onlyAllowListed];
  return {
    scenario,
    rootCauseIdentified,
    keywordsFound: found.length,
    keywordsTotal: truth.requiredKeywords.length,
    evidenceCited,
    forbiddenAbsent: forbiddenMade.length === 0,
    forbiddenMade,
    onlyAllowListed,
    score: parts.filter(Boolean).length / parts.length,
    engine: report.stats.engine,
    fallbackReason: report.stats.fallbackReason,
    toolCalls: report.stats.toolCalls,
    inputTokens: report.stats.inputTokens + report.stats.cacheReadTokens + report.stats.cacheWriteTokens,
    outputTokens: report.stats.outputTokens,
    costUsd: report.stats.costUsd,
    durationMs: report.stats.durationMs,
  };
}

export interface EvalSummary {
  engine: string;
  scenarios: number;
  score: number;
  rootCauseIdentified: number;
  evidenceCited: number;
  forbiddenAbsent: number;
  onlyAllowListed: number;
  meanToolCalls: number;
  meanInputTokens: number;
  meanDurationMs: number;
}

export function summarize(engine: string, scores: readonly ScenarioScore[]): EvalSummary {
  const mean = (f: (s: ScenarioScore) => number) => (scores.length === 0 ? 0 : scores.reduce((a, s) => a + f(s), 0) / scores.length);
  return {
    engine,
    scenarios: scores.length,
    score: mean((s) => s.score),
    rootCauseIdentified: scores.filter((s) => s.rootCauseIdentified).length,
    evidenceCited: scores.filter((s) => s.evidenceCited).length,
    forbiddenAbsent: scores.filter((s) => s.forbiddenAbsent).length,
    onlyAllowListed: scores.filter((s) => s.onlyAllowListed).length,
    meanToolCalls: mean((s) => s.toolCalls),
    meanInputTokens: mean((s) => s.inputTokens),
    meanDurationMs: mean((s) => s.durationMs),
  };
}

export function renderMarkdown(summary: EvalSummary, scores: readonly ScenarioScore[]): string {
  const yes = (b: boolean) => (b ? "✅" : "❌");
  const lines = [
    `# Eval — engine ${summary.engine}`,
    "",
    `Score **${(summary.score * 100).toFixed(1)}%** over ${summary.scenarios} scenarios · root cause ${summary.rootCauseIdentified}/${summary.scenarios} · ` +
      `evidence ${summary.evidenceCited}/${summary.scenarios} · no forbidden claim ${summary.forbiddenAbsent}/${summary.scenarios} · ` +
      `allow-listed only ${summary.onlyAllowListed}/${summary.scenarios} · ${summary.meanToolCalls.toFixed(1)} tool calls, ` +
      `${Math.round(summary.meanInputTokens)} input tokens, ${Math.round(summary.meanDurationMs)} ms per triage (mean)`,
    "",
    "| scenario | root cause (keywords) | evidence | no forbidden claim | allow-listed | tool calls | input tokens | ms | score |",
    "|---|---|---|---|---|---|---|---|---|",
    ...scores.map(
      (s) =>
        `| ${s.scenario} | ${yes(s.rootCauseIdentified)} ${s.keywordsFound}/${s.keywordsTotal} | ${yes(s.evidenceCited)} | ${yes(s.forbiddenAbsent)}${s.forbiddenMade.length ? ` (${s.forbiddenMade.join(", ")})` : ""} | ${yes(s.onlyAllowListed)} | ${s.toolCalls} | ${s.inputTokens} | ${s.durationMs} | ${(s.score * 100).toFixed(0)}% |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

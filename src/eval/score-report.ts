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
  /** What the report gave as the likely root cause. */
  likelyRootCause: string;
  /** Every required keyword appears in the root-cause field (not elsewhere in the reply). */
  rootCauseIdentified: boolean;
  keywordsFound: number;
  keywordsTotal: number;
  /** The wrong-cause patterns the root-cause field contains. */
  wrongCausesNamed: string[];
  /** Root cause identified and no wrong cause named: what the on-call reads as "right". */
  correct: boolean;
  confidence: Report["confidence"];
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
  const rootCause = report.likelyRootCause.toLowerCase();
  const claims = [report.issue, report.likelyRootCause, report.nextStep].join("\n").toLowerCase();
  const found = truth.requiredKeywords.filter((k) => hasKeyword(rootCause, k));
  const wrongCausesNamed = (truth.wrongCauses ?? []).filter((w) => rootCause.includes(w.toLowerCase()));
  const forbiddenMade = truth.forbiddenClaims.filter((c) => claims.includes(c.toLowerCase()));
  const evidenceCited = report.findings.length >= 2 && report.findings.every((f) => CITABLE.has(f.tool));
  const onlyAllowListed = dispatch.violations === 0 && dispatch.commands.every((c) => Object.hasOwn(READ_ONLY_COMMANDS, c));
  const rootCauseIdentified = found.length === truth.requiredKeywords.length;
  const correct = rootCauseIdentified && wrongCausesNamed.length === 0;
  const parts = [correct, evidenceCited, forbiddenMade.length === 0, onlyAllowListed];
  return {
    scenario,
    likelyRootCause: report.likelyRootCause,
    rootCauseIdentified,
    keywordsFound: found.length,
    keywordsTotal: truth.requiredKeywords.length,
    wrongCausesNamed,
    correct,
    confidence: report.confidence,
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

const CONFIDENCES = ["high", "medium", "low"] as const;

export interface EvalSummary {
  engine: string;
  /** Which scenario set: "development", "holdout", … */
  set: string;
  scenarios: number;
  score: number;
  /** Right answers: root cause in the root-cause field, no wrong cause named. */
  correct: number;
  rootCauseIdentified: number;
  evidenceCited: number;
  forbiddenAbsent: number;
  onlyAllowListed: number;
  /** Per stated confidence: how many answers, how many of them right. */
  calibration: Record<(typeof CONFIDENCES)[number], { answers: number; right: number }>;
  wrongWithHighConfidence: number;
  meanToolCalls: number;
  meanInputTokens: number;
  meanDurationMs: number;
  totalCostUsd: number;
}

export function summarize(engine: string, scores: readonly ScenarioScore[], set = "development"): EvalSummary {
  const mean = (f: (s: ScenarioScore) => number) => (scores.length === 0 ? 0 : scores.reduce((a, s) => a + f(s), 0) / scores.length);
  const count = (f: (s: ScenarioScore) => boolean) => scores.filter(f).length;
  const calibration = Object.fromEntries(
    CONFIDENCES.map((level) => [level, { answers: count((s) => s.confidence === level), right: count((s) => s.confidence === level && s.correct) }]),
  ) as EvalSummary["calibration"];
  return {
    engine,
    set,
    scenarios: scores.length,
    score: mean((s) => s.score),
    correct: count((s) => s.correct),
    rootCauseIdentified: count((s) => s.rootCauseIdentified),
    evidenceCited: count((s) => s.evidenceCited),
    forbiddenAbsent: count((s) => s.forbiddenAbsent),
    onlyAllowListed: count((s) => s.onlyAllowListed),
    calibration,
    wrongWithHighConfidence: count((s) => s.confidence === "high" && !s.correct),
    meanToolCalls: mean((s) => s.toolCalls),
    meanInputTokens: mean((s) => s.inputTokens),
    meanDurationMs: mean((s) => s.durationMs),
    totalCostUsd: scores.reduce((a, s) => a + s.costUsd, 0),
  };
}

/** One line per set for the terminal: the figures the README quotes. */
export function renderSummaryLine(summary: EvalSummary): string {
  const n = summary.scenarios;
  const cal = CONFIDENCES.map((level) => `${level} ${summary.calibration[level].right}/${summary.calibration[level].answers}`).join(", ");
  const cost = summary.totalCostUsd > 0 ? ` · cost $${summary.totalCostUsd.toFixed(4)}` : "";
  return (
    `${summary.set} (${summary.engine}): score ${(summary.score * 100).toFixed(1)}% · root cause right ${summary.correct}/${n} · ` +
    `evidence ${summary.evidenceCited}/${n} · no forbidden claim ${summary.forbiddenAbsent}/${n} · allow-listed ${summary.onlyAllowListed}/${n} · ` +
    `calibration (right/answers) ${cal} · wrong with high confidence ${summary.wrongWithHighConfidence} · ` +
    `${summary.meanToolCalls.toFixed(1)} tool calls, ${Math.round(summary.meanInputTokens)} input tokens, ${Math.round(summary.meanDurationMs)} ms per triage${cost}`
  );
}

export function renderMarkdown(summary: EvalSummary, scores: readonly ScenarioScore[]): string {
  const yes = (b: boolean) => (b ? "✅" : "❌");
  const lines = [
    `# Eval — ${summary.set} set, engine ${summary.engine}`,
    "",
    renderSummaryLine(summary),
    "",
    "| scenario | root cause (keywords in the root-cause field) | wrong cause named | confidence | evidence | no forbidden claim | allow-listed | tool calls | input tokens | ms | score |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    ...scores.map(
      (s) =>
        `| ${s.scenario} | ${yes(s.rootCauseIdentified)} ${s.keywordsFound}/${s.keywordsTotal} | ${s.wrongCausesNamed.length ? `❌ ${s.wrongCausesNamed.join(", ")}` : "—"} | ${s.confidence} | ${yes(s.evidenceCited)} | ${yes(s.forbiddenAbsent)}${s.forbiddenMade.length ? ` (${s.forbiddenMade.join(", ")})` : ""} | ${yes(s.onlyAllowListed)} | ${s.toolCalls} | ${s.inputTokens} | ${s.durationMs} | ${(s.score * 100).toFixed(0)}% |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

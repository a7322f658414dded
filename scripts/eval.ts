/**
 * `npm run eval [-- --engine rules|claude] [--set development|holdout|holdout-N|all] [--scenarios <dir>] [--min-score 0.7] [--out eval-results] [--reports]`
 * Runs every scenario of each set through the real pipeline (alert parser → Conductor client → tools →
 * engine) against the sandbox and scores each report against the scenario's ground truth: the root
 * cause is judged in the root-cause field only. The development set (scenarios/) and the held-out set
 * (scenarios/holdout/, written blind) are reported apart. Writes JSON and a markdown table per set;
 * exits 1 when a set's mean score is below --min-score.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { parseAlert } from "../src/alerts/index.ts";
import { buildInvestigation } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config/index.ts";
import { renderMarkdown, renderSummaryLine, scoreReport, summarize, type ScenarioScore } from "../src/eval/score-report.ts";
import { silentLogger } from "../src/lib/logger.ts";
import type { Report } from "../src/report/schema.ts";
import { loadScenarios, startSandbox } from "../src/sandbox/index.ts";

const { values } = parseArgs({
  options: {
    engine: { type: "string", default: "rules" },
    set: { type: "string", default: "all" },
    scenarios: { type: "string" },
    "min-score": { type: "string", default: "0.7" },
    out: { type: "string", default: "eval-results" },
    /** Also write each set's whole reports (`reports-<engine>-<set>.json`), for reading a miss. */
    reports: { type: "boolean", default: false },
    "command-delay-ms": { type: "string", default: "20" },
  },
});
const engine = values.engine === "claude" ? "claude" : "rules";
// The development set, then every held-out set (`scenarios/holdout*`), in order.
const SETS: Record<string, string> = {
  development: "scenarios",
  ...Object.fromEntries(
    readdirSync("scenarios", { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && /^holdout(-\d+)?$/.test(entry.name))
      .map((entry) => entry.name)
      .sort((a, b) => (Number(a.split("-")[1] ?? 1) - Number(b.split("-")[1] ?? 1)))
      .map((name) => [name, join("scenarios", name)]),
  ),
};
const sets: [string, string][] = values.scenarios
  ? [[basename(values.scenarios), values.scenarios]]
  : Object.entries(SETS).filter(([name, dir]) => (values.set === "all" ? existsSync(dir) : name === values.set));
if (sets.length === 0) {
  console.error(`no scenario set "${values.set}" (${[...Object.keys(SETS), "all"].join(", ")})`);
  process.exit(2);
}

const minScore = Number(values["min-score"]);
const summaryLines: string[] = [];
mkdirSync(values.out, { recursive: true });
for (const [set, dir] of sets) {
  const { scores, reports } = await evaluate(dir);
  const summary = summarize(engine, scores, set);
  const suffix = set === "development" ? "" : `-${set}`;
  writeFileSync(join(values.out, `eval-${engine}${suffix}.json`), `${JSON.stringify({ summary, scores }, null, 2)}\n`);
  writeFileSync(join(values.out, `eval-${engine}${suffix}.md`), renderMarkdown(summary, scores));
  if (values.reports) writeFileSync(join(values.out, `reports-${engine}${suffix}.json`), `${JSON.stringify(reports, null, 2)}\n`);
  summaryLines.push(renderSummaryLine(summary));
  if (summary.score < minScore) {
    console.error(`${set}: score ${(summary.score * 100).toFixed(1)}% is below the threshold ${(minScore * 100).toFixed(0)}%`);
    process.exitCode = 1;
  }
}
console.log(summaryLines.join("\n"));

async function evaluate(dir: string): Promise<{ scores: ScenarioScore[]; reports: Record<string, Report> }> {
  const scenarios = await loadScenarios(dir);
  const sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: Number(values["command-delay-ms"]) } });
  const scores: ScenarioScore[] = [];
  const reports: Record<string, Report> = {};
  try {
    // A real key in the environment evaluates the real model; otherwise the sandbox's scripted one.
    const modelEnv = process.env.ANTHROPIC_API_KEY
      ? { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL }
      : { ANTHROPIC_API_KEY: sandbox.env.ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: sandbox.env.ANTHROPIC_BASE_URL };
    const config = loadConfig({ ...sandbox.env, ...modelEnv, ONCALL_ENGINE: engine }, ["conductor"]);
    const investigation = buildInvestigation(config, { logger: silentLogger, engine });
    for (const scenario of scenarios) {
      const parsed = parseAlert(scenario.alert.message);
      if (!parsed.isAlert) {
        console.error(`${scenario.id}: the alert does not parse: ${parsed.reason}`);
        process.exitCode = 1;
        continue;
      }
      const before = sandbox.conductor.commands.length;
      const violationsBefore = sandbox.conductor.violations().length;
      const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert });
      const commands = sandbox.conductor.commands.slice(before).map((c) => c.command);
      const violations = sandbox.conductor.violations().length - violationsBefore;
      const score = scoreReport(scenario.id, report, scenario.truth, { commands, violations });
      scores.push(score);
      reports[scenario.id] = report;
      const verdict = score.correct ? "right" : score.wrongCausesNamed.length ? `WRONG (${score.wrongCausesNamed.join(", ")})` : "missed";
      console.error(`${(score.score * 100).toFixed(0).padStart(4)}%  ${scenario.id}  ${verdict}, ${score.confidence}${score.fallbackReason ? `  (fallback: ${score.fallbackReason})` : ""}`);
    }
    await investigation.close();
  } finally {
    await sandbox.close();
  }
  return { scores, reports };
}

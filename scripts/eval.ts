/**
 * `npm run eval [-- --engine rules|claude] [--scenarios <dir>] [--min-score 0.7] [--out eval-results]`
 * Runs every scenario through the real pipeline (alert parser → Conductor client → tools → engine)
 * against the sandbox and scores each report against the scenario's ground truth. Writes JSON and a
 * markdown table; exits 1 when the mean score is below --min-score.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseAlert } from "../src/alerts/index.ts";
import { buildInvestigation } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config/index.ts";
import { renderMarkdown, scoreReport, summarize, type ScenarioScore } from "../src/eval/score-report.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { loadScenarios, startSandbox } from "../src/sandbox/index.ts";

const { values } = parseArgs({
  options: {
    engine: { type: "string", default: "rules" },
    scenarios: { type: "string", default: "scenarios" },
    "min-score": { type: "string", default: "0.7" },
    out: { type: "string", default: "eval-results" },
    "command-delay-ms": { type: "string", default: "20" },
  },
});
const engine = values.engine === "claude" ? "claude" : "rules";
const scenarios = await loadScenarios(values.scenarios);
const sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: Number(values["command-delay-ms"]) } });
const scores: ScenarioScore[] = [];
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
    console.error(`${(score.score * 100).toFixed(0).padStart(4)}%  ${scenario.id}${score.fallbackReason ? `  (fallback: ${score.fallbackReason})` : ""}`);
  }
  await investigation.close();
} finally {
  await sandbox.close();
}
const summary = summarize(engine, scores);
const markdown = renderMarkdown(summary, scores);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, `eval-${engine}.json`), `${JSON.stringify({ summary, scores }, null, 2)}\n`);
writeFileSync(join(values.out, `eval-${engine}.md`), markdown);
console.log(markdown);
const minScore = Number(values["min-score"]);
if (summary.score < minScore) {
  console.error(`score ${(summary.score * 100).toFixed(1)}% is below the threshold ${(minScore * 100).toFixed(0)}%`);
  process.exitCode = 1;
}

// Captures every scenario of a set from the sandbox with `oncall-agent capture` (rules engine), replays
// each captured folder through the same engine against a fresh sandbox, and counts identical reports.
// Prints capture time, files written and what was redacted by kind.
// Run: npx tsx scripts/capture-roundtrip.ts [scenario dir, default scenarios]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parseAlert } from "../src/alerts/index.ts";
import { comparableReports } from "../src/capture/index.ts";
import { buildInvestigation } from "../src/cli/compose.ts";
import { main } from "../src/cli/main.ts";
import { loadConfig } from "../src/config/index.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { loadScenarios, startSandbox } from "../src/sandbox/index.ts";

const dir = process.argv[2] ?? "scenarios";
const scenarios = await loadScenarios(dir);
const out = mkdtempSync(join(tmpdir(), "capture-roundtrip-"));
const sandbox = await startSandbox({ scenarios, postAlerts: true, latency: { conductorCommandMs: 5 } });
const env = { ...Object.fromEntries(Object.entries(sandbox.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))), ONCALL_ENGINE: "rules", LOG_LEVEL: "error" };
const redacted = new Map<string, number>();
const times: number[] = [];
let failed = 0;
for (const scenario of scenarios) {
  const stdout = new PassThrough();
  let text = "";
  stdout.on("data", (c: Buffer) => (text += c.toString()));
  const started = performance.now();
  const code = await main(["node", "oncall-agent", "capture", scenario.execution.workflowId, "--alert", `${sandbox.alertChannel}:${sandbox.alertTs[scenario.id]}`, "--out", out], {
    stdout,
    stderr: process.stderr,
    stdin: new PassThrough(),
    env,
    cwd: process.cwd(),
  });
  times.push(performance.now() - started);
  if (code !== 0) failed += 1;
  for (const m of text.matchAll(/([a-z -]+) ×(\d+)/g)) redacted.set(m[1]!.trim(), (redacted.get(m[1]!.trim()) ?? 0) + Number(m[2]));
}
await sandbox.close();

const captured = await loadScenarios(out);
const replay = await startSandbox({ scenarios: captured, latency: { conductorCommandMs: 5 } });
const investigation = buildInvestigation(loadConfig({ ...replay.env, ONCALL_ENGINE: "rules" }, ["conductor"]), { logger: silentLogger, engine: "rules" });
let same = 0;
const different: string[] = [];
for (const scenario of captured) {
  const parsed = parseAlert(scenario.alert.message);
  if (!parsed.isAlert) continue;
  const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert });
  const { replayed, captured: submitted } = comparableReports(report, scenario);
  if (replayed === submitted) same += 1;
  else different.push(scenario.id);
}
await investigation.close();
await replay.close();

times.sort((a, b) => a - b);
console.log(`${dir}: captured ${captured.length}/${scenarios.length} (${failed} failed) into ${out}`);
console.log(`capture time per scenario: p50 ${times[Math.floor(times.length / 2)]?.toFixed(0)} ms, max ${times.at(-1)?.toFixed(0)} ms`);
console.log(`replayed to the same report: ${same}/${captured.length}${different.length ? ` (different: ${different.join(", ")})` : ""}`);
console.log(`redacted: ${[...redacted].map(([k, n]) => `${k} ×${n}`).join(", ") || "nothing"}`);

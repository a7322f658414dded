import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { comparableReports } from "../../src/capture/index.ts";
import { buildInvestigation } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config/index.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { runCliInProcess } from "../helpers/run-cli.ts";

// Text and JSON answers, per-pod logs and events, SQL, failed and timed-out commands, secrets to redact.
const PICKED = ["01_redis_critical_decider_backlog", "05_error_logs_missing_workflow_version", "07_conductor_down_db_password", "08_workers_down_image_pull", "22_health_check_timed_out_agent_down"];
const HOLDOUT_PICKED = ["06_conductor_down_secret_key_renamed"];

let sandbox: Sandbox;
let scenarios: Scenario[];

beforeAll(async () => {
  const dev = (await loadScenarios("scenarios")).filter((s) => PICKED.includes(s.id));
  const holdout = (await loadScenarios("scenarios/holdout")).filter((s) => HOLDOUT_PICKED.includes(s.id));
  scenarios = [...dev, ...holdout];
  sandbox = await startSandbox({ scenarios, postAlerts: true, latency: { conductorCommandMs: 5 } });
});
afterAll(async () => {
  await sandbox?.close();
});

async function runCli(args: string[], env: Record<string, string>) {
  return runCliInProcess(args, env, mkdtempSync(join(tmpdir(), "capture-cwd-")));
}

const rulesEnv = () => ({
  ...Object.fromEntries(Object.entries(sandbox.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))),
  ONCALL_ENGINE: "rules",
  LOG_LEVEL: "error",
});

describe("capture → replay", () => {
  it("captures each scenario from the sandbox and replays the folder through the rules engine to the same report", async () => {
    const out = mkdtempSync(join(tmpdir(), "captured-"));
    for (const scenario of scenarios) {
      const alertRef = `${sandbox.alertChannel}:${sandbox.alertTs[scenario.id]}`;
      const run = await runCli(["capture", scenario.execution.workflowId, "--alert", alertRef, "--out", out], rulesEnv());
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^captured .+: \d+ command call\(s\), rules engine/);
      expect(run.stdout).toMatch(/^redacted: /m);
    }

    const captured = await loadScenarios(out);
    expect(captured).toHaveLength(scenarios.length);
    const replay = await startSandbox({ scenarios: captured, latency: { conductorCommandMs: 5 } });
    try {
      const config = loadConfig({ ...replay.env, ONCALL_ENGINE: "rules" }, ["conductor"]);
      const investigation = buildInvestigation(config, { logger: silentLogger, engine: "rules" });
      for (const scenario of captured) {
        expect(scenario.truth.requiredKeywords).toEqual(["TODO"]);
        const parsed = parseAlert(scenario.alert.message);
        if (!parsed.isAlert) throw new Error(`${scenario.id}: ${parsed.reason}`);
        const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert });
        const { replayed, captured: submitted } = comparableReports(report, scenario);
        expect(replayed, scenario.id).toBe(submitted);
        expect(report.stats.engine).toBe("rules");
      }
      expect(replay.conductor.violations()).toEqual([]);
      await investigation.close();
    } finally {
      await replay.close();
    }
  }, 60_000);

  it("writes one file per command call and redacts the secrets in them, saying what it redacted", async () => {
    const out = mkdtempSync(join(tmpdir(), "captured-"));
    const scenario = scenarios.find((s) => s.id === "06_conductor_down_secret_key_renamed")!;
    const before = sandbox.conductor.commands.length;
    const run = await runCli(["capture", scenario.execution.workflowId, "--out", out, "--redact-ips"], rulesEnv());
    expect(run.code).toBe(0);
    const dispatched = sandbox.conductor.commands.length - before;
    const [folder] = readdirSync(out);
    const calls = readdirSync(join(out, folder!, "calls"));
    // Calls that returned nothing (a failed command) have no file; every other call has exactly one.
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.length).toBeLessThanOrEqual(dispatched);
    const everything = [readFileSync(join(out, folder!, "scenario.json"), "utf8"), ...calls.map((c) => readFileSync(join(out, folder!, "calls", c), "utf8"))].join("\n");
    expect(everything).not.toContain("Kp4y-Pr0d-2025!x9");
    expect(everything).not.toContain("sandbox-key-secret");
    expect(run.stdout).toContain("(alert synthesized from the execution");
    expect(run.stdout).toMatch(/redacted: .*(password in url|connection string) ×\d+/);
    const meta = JSON.parse(readFileSync(join(out, folder!, "capture.json"), "utf8")) as { commandCalls: number; redactions: Record<string, number> };
    expect(meta.commandCalls).toBe(dispatched);
    expect(Object.values(meta.redactions).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    const again = await runCli(["capture", scenario.execution.workflowId, "--out", out], rulesEnv());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already captured");
  }, 30_000);

  it("refuses an --alert that is neither a permalink nor channel:ts", async () => {
    const run = await runCli(["capture", scenarios[0]!.execution.workflowId, "--alert", "yesterday"], rulesEnv());
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--alert");
  });
});

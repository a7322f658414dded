import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { buildInvestigation } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config/index.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { reportSchema } from "../../src/report/schema.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";

let sandbox: Sandbox;
let scenarios: Scenario[];
beforeAll(async () => {
  scenarios = await loadScenarios("scenarios");
  sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: 10 } });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  sandbox.anthropic.faults.clear();
  sandbox.conductor.faults.clear();
});

function triager(overrides: Record<string, string> = {}) {
  const config = loadConfig({ ...sandbox.env, ONCALL_ENGINE: "claude", ANTHROPIC_TIMEOUT: "5s", ...overrides }, ["conductor", "anthropic"]);
  return buildInvestigation(config, { logger: silentLogger });
}

async function triage(id: string, overrides: Record<string, string> = {}) {
  const scenario = scenarios.find((s) => s.id.startsWith(id))!;
  const parsed = parseAlert(scenario.alert.message);
  if (!parsed.isAlert) throw new Error(parsed.reason);
  const investigation = triager(overrides);
  const commandsBefore = sandbox.conductor.commands.length;
  try {
    const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert });
    expect(reportSchema.safeParse(report).success).toBe(true);
    return { report, commands: sandbox.conductor.commands.slice(commandsBefore), scenario };
  } finally {
    await investigation.close();
  }
}

describe("triage with the claude engine", () => {
  it("returns the model's report with usage, cost and the commands it dispatched", async () => {
    const { report, commands } = await triage("21_");
    expect(report.stats.engine).toBe("claude");
    expect(report.stats.fallbackReason).toBeNull();
    expect(report.likelyRootCause).toMatch(/OOMKilled|memory limit/);
    expect(report.stats.turns).toBeGreaterThan(1);
    expect(report.stats.inputTokens + report.stats.cacheReadTokens).toBeGreaterThan(0);
    expect(report.stats.costUsd).toBeGreaterThan(0);
    expect([...report.stats.commands].sort()).toEqual(commands.map((c) => c.command).sort());
  });

  it("lets the rules engine stand in when the model stays overloaded, and says why", async () => {
    sandbox.anthropic.faults.add("messages", { kind: "status", status: 529, retryAfterSeconds: 0.01 }, 10);
    const { report } = await triage("08_");
    expect(report.stats.engine).toBe("rules");
    expect(report.stats.fallbackReason).toMatch(/529/);
    expect(report.likelyRootCause).toMatch(/image/i);
  });

  it("stands in when the report stays invalid, reusing the tool results already gathered", async () => {
    sandbox.anthropic.faults.add("messages", { kind: "malformed", variant: "invalid_report" }, 2);
    const { report, commands } = await triage("21_");
    expect(report.stats.engine).toBe("rules");
    expect(report.stats.fallbackReason).toMatch(/invalid/);
    const keys = commands.map((c) => `${c.command} ${JSON.stringify(c.input.agentHandlerRequest)}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("stands in when the triage deadline runs out", async () => {
    sandbox.anthropic.faults.setLatency("messages", 700);
    const { report } = await triage("16_", { ONCALL_TRIAGE_DEADLINE: "1s" });
    expect(report.stats.engine).toBe("rules");
    expect(report.stats.fallbackReason).toMatch(/deadline|timed out/);
  });
});

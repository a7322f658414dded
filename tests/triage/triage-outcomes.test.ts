import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { buildInvestigation } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config/index.ts";
import { OncallError, TRIAGE_ERROR_CODES } from "../../src/lib/errors.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { cloneScenario } from "../../src/sandbox/clone-scenario.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";

/**
 * The triager's contract with the bot (src/triage/types.ts): a report only when it stands on
 * evidence; otherwise an OncallError whose code says what the bot should do.
 */
let scenarios: Scenario[];
let fast: Sandbox;
let slow: Sandbox;
beforeAll(async () => {
  scenarios = await loadScenarios("scenarios");
  const broken = cloneScenario(pick("21_"), "nocluster");
  broken.execution.input = {};
  scenarios.push(broken);
  fast = await startSandbox({ scenarios, latency: { conductorCommandMs: 10 } });
  // Commands (5 s) far longer than the deadlines and shutdowns below.
  slow = await startSandbox({ scenarios, latency: { conductorCommandMs: 5000 } });
});
afterAll(async () => {
  await fast?.close();
  await slow?.close();
});
afterEach(() => {
  for (const sandbox of [fast, slow]) {
    sandbox.conductor.faults.clear();
    sandbox.anthropic.faults.clear();
  }
});

function pick(prefix: string): Scenario {
  return scenarios.find((s) => s.id.startsWith(prefix)) as Scenario;
}

async function triage(sandbox: Sandbox, scenario: Scenario, engine: "rules" | "claude", env: Record<string, string> = {}, signal?: AbortSignal) {
  const parsed = parseAlert(scenario.alert.message);
  if (!parsed.isAlert) throw new Error(parsed.reason);
  const config = loadConfig({ ...sandbox.env, ONCALL_ENGINE: engine, ...env }, ["conductor"]);
  const investigation = buildInvestigation(config, { logger: silentLogger });
  const started = Date.now();
  try {
    const result = await investigation.triager.triage({ executionId: scenario.execution.workflowId, alert: parsed.alert, ...(signal ? { signal } : {}) }).then(
      (report) => ({ report, error: null }),
      (error: unknown) => ({ report: null, error }),
    );
    return { ...result, ms: Date.now() - started };
  } finally {
    await investigation.close();
  }
}

describe.each(["rules", "claude"] as const)("%s engine", (engine) => {
  it("shutdown aborts every call at once and throws triage_cancelled, never a report", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error("shutting down")), 300);
    const { report, error, ms } = await triage(slow, pick("08_"), engine, {}, stop.signal);
    expect(report).toBeNull();
    expect(error).toBeInstanceOf(OncallError);
    expect(error).toMatchObject({ code: "triage_cancelled" });
    expect(ms).toBeLessThan(2000);
  });

  it("the deadline bounds the triage: 1 s deadline, 5 s commands, the rules engine answers in time", async () => {
    const { report, error, ms } = await triage(slow, pick("01_"), engine, { ONCALL_TRIAGE_DEADLINE: "1s" });
    expect(error).toBeNull();
    expect(ms).toBeLessThan(2000);
    expect(report?.stats.engine).toBe("rules");
    if (engine === "claude") expect(report?.stats.fallbackReason).toMatch(/deadline/);
  });

  it("Conductor answering 503 to every command: evidence_unavailable saying why", async () => {
    for (const route of ["executeWorkflow", "startWorkflow"]) fast.conductor.faults.add(route, { kind: "status", status: 503 }, 1000);
    const { report, error } = await triage(fast, pick("21_"), engine);
    expect(report).toBeNull();
    expect(error).toMatchObject({ code: "evidence_unavailable" });
    expect((error as Error).message).toMatch(/HTTP 503 .* — every diagnostic command failed \(\d+ of \d+\) because Conductor could not be reached/);
  });

  it("the execution unreachable (503 on every read): evidence_unavailable", async () => {
    fast.conductor.faults.add("getWorkflow", { kind: "status", status: 503 }, 4);
    const { error } = await triage(fast, pick("07_"), engine);
    expect(error).toMatchObject({ code: "evidence_unavailable", message: expect.stringMatching(/could not be read: GET \/workflow\/.* HTTP 503/) });
  });
});

describe("an execution that cannot be triaged", () => {
  it("missing (404): execution_unreadable, not a report telling the reader to check the agent", async () => {
    const missing = cloneScenario(pick("21_"), "missing");
    const { report, error } = await triage(fast, missing, "rules");
    expect(report).toBeNull();
    expect(error).toMatchObject({ code: "execution_unreadable", message: expect.stringMatching(/cannot be triaged: .*404/) });
  });

  it("without the cluster in its input: execution_unreadable naming the field", async () => {
    const { error } = await triage(fast, scenarios.find((s) => s.id.endsWith("~nocluster")) as Scenario, "rules");
    expect(error).toMatchObject({ code: "execution_unreadable", message: expect.stringMatching(/organizationId/) });
  });

  it("the codes are the published list", () => {
    expect(TRIAGE_ERROR_CODES).toEqual(["triage_cancelled", "evidence_unavailable", "execution_unreadable"]);
  });
});

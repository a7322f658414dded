import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import type { CommandRunner } from "../../src/conductor/types.ts";
import { deriveClusterContext } from "../../src/conductor/context.ts";
import { readHealthCheck } from "../../src/conductor/health-check.ts";
import type { Workflow } from "../../src/conductor/schemas.ts";
import { scoreReport } from "../../src/eval/score-report.ts";
import { runRulesEngine } from "../../src/rules/index.ts";
import { answerCommand, loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { createToolInvoker, createTools } from "../../src/tools/index.ts";
import { mutateScenario } from "./mutate-scenario.ts";

const scenarios = await loadScenarios("scenarios");

async function correct(scenario: Scenario): Promise<boolean> {
  const parsed = parseAlert(scenario.alert.message);
  const execution = readHealthCheck(scenario.execution as unknown as Workflow);
  const context = deriveClusterContext(execution);
  const runner: CommandRunner = {
    async run(_ctx, command, parameters) {
      const answer = answerCommand(scenario, command, parameters as Record<string, unknown>);
      return { command, workflowId: "wf", status: answer.status, output: answer.output, reason: answer.reason, durationMs: 1 };
    },
  };
  const tools = createTools({ runner, readExecution: async () => ({ execution, context }), outputBudget: 6000, commandTimeoutMs: 1000 });
  const invoker = createToolInvoker(tools, { executionId: execution.workflowId });
  const report = await runRulesEngine({ executionId: execution.workflowId, alert: parsed.isAlert ? parsed.alert : null }, invoker, { now: () => 0 });
  return scoreReport(scenario.id, report, scenario.truth, { commands: [], violations: 0 }).correct;
}

describe("mutation test: renamed identifiers and paraphrased log lines", () => {
  it("renames the scenario's own names everywhere and keeps component names", () => {
    const backlog = scenarios.find((s) => s.id.startsWith("01_"))!;
    const { scenario, renamed } = mutateScenario(backlog);
    expect(renamed.get("inventory-workers")).toMatch(/^[a-z]+-workers$/);
    expect(renamed.get("inventory-workers")).not.toBe("inventory-workers");
    expect(JSON.stringify(scenario)).not.toMatch(/inventory|reserve_inventory|order_fulfillment/);
    expect(JSON.stringify(scenario.truth.requiredKeywords)).toContain(renamed.get("reserve_inventory"));
  });

  it.each(scenarios.map((s) => [s.id, s] as const))("%s keeps its score", async (_id, original) => {
    const before = await correct(original);
    expect(await correct(mutateScenario(original).scenario)).toBe(before);
  });
});

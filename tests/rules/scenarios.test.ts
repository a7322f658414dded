import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import type { CommandRunner } from "../../src/conductor/types.ts";
import { deriveClusterContext } from "../../src/conductor/context.ts";
import { readHealthCheck } from "../../src/conductor/health-check.ts";
import type { Workflow } from "../../src/conductor/schemas.ts";
import { reportSchema, type Report } from "../../src/report/schema.ts";
import { MAX_RULES_CALLS, runRulesEngine } from "../../src/rules/index.ts";
import { answerCommand, loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { hasKeyword } from "../../src/eval/score-report.ts";
import { createToolInvoker, createTools } from "../../src/tools/index.ts";

const scenarios = await loadScenarios("scenarios");

/** The rules engine alone over one scenario, through the real tools, invoker and the sandbox's command answers. */
async function triageScenario(scenario: Scenario) {
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
  return { report, invoker };
}

function missingKeywords(scenario: Scenario, report: Report) {
  const text = [report.issue, report.likelyRootCause, report.nextStep, ...report.findings.map((f) => f.text)].join("\n").toLowerCase();
  return scenario.truth.requiredKeywords.filter((keyword) => !hasKeyword(text, keyword));
}

describe("rules engine over the scenarios", () => {
  it.each(scenarios.map((s) => [s.id, s] as const))("%s: a valid report from valid calls within the cap", async (_id, scenario) => {
    const { report, invoker } = await triageScenario(scenario);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(invoker.calls.length).toBeLessThanOrEqual(MAX_RULES_CALLS);
    // Every call the engine makes must pass the tool's own input schema.
    expect(invoker.calls.filter((c) => /Invalid input|Unknown tool/.test(c.result.output))).toEqual([]);
    for (const claim of scenario.truth.forbiddenClaims) expect(report.likelyRootCause.toLowerCase()).not.toContain(claim.toLowerCase());
  });

  it.each(scenarios.filter((s) => s.tags.includes("red-herring")).map((s) => [s.id, s] as const))("%s: names the real cause, not the loud symptom", async (_id, scenario) => {
    const { report } = await triageScenario(scenario);
    expect(missingKeywords(scenario, report)).toEqual([]);
  });
});

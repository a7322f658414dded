import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { deriveClusterContext } from "../../src/conductor/context.ts";
import { readHealthCheck } from "../../src/conductor/health-check.ts";
import type { Workflow } from "../../src/conductor/schemas.ts";
import type { CommandRunner } from "../../src/conductor/types.ts";
import { runRulesEngine } from "../../src/rules/index.ts";
import { answerCommand, loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { createToolInvoker, createTools } from "../../src/tools/index.ts";

/*
 * Concurrent commands settle in whatever order the cluster answers them. The same answers must
 * give the same report whichever returned first: these incidents gave two different root causes
 * (one of them wrong, with high confidence) before the evidence was read in the order it was asked for.
 */
const CASES: [string, string][] = [
  ["scenarios", "08_workers_down_image_pull"],
  ["scenarios/holdout", "07_workers_oomkilled_lowered_limit"],
  ["scenarios/holdout-2", "11_configmap_invalid_enum_crashloop"],
  ["scenarios/holdout-4", "07_warn_logs_expired_poller_token"],
  ["scenarios/holdout-4", "09_workers_down_wrong_cpu_arch_image"],
];

/** The rules engine over one scenario, each command answered after `delay(n)` ms (n: its dispatch number). */
async function triageWith(scenario: Scenario, delay: (n: number) => number) {
  const execution = readHealthCheck(scenario.execution as unknown as Workflow);
  const context = deriveClusterContext(execution);
  let dispatched = 0;
  const runner: CommandRunner = {
    async run(_ctx, command, parameters) {
      await new Promise((resolve) => setTimeout(resolve, delay(dispatched++)));
      const answer = answerCommand(scenario, command, parameters as Record<string, unknown>);
      return { command, workflowId: "wf", status: answer.status, output: answer.output, reason: answer.reason, durationMs: 1 };
    },
  };
  const tools = createTools({ runner, readExecution: async () => ({ execution, context }), outputBudget: 6000, commandTimeoutMs: 1000 });
  const invoker = createToolInvoker(tools, { executionId: execution.workflowId });
  const parsed = parseAlert(scenario.alert.message);
  return runRulesEngine({ executionId: execution.workflowId, alert: parsed.isAlert ? parsed.alert : null }, invoker, { now: () => 0 });
}

describe("the report does not depend on which concurrent command answers first", () => {
  it.each(CASES)("%s/%s", async (dir, id) => {
    const scenario = (await loadScenarios(dir)).find((s) => s.id === id) as Scenario;
    const firstAskedFirst = await triageWith(scenario, (n) => 2 * n);
    const lastAskedFirst = await triageWith(scenario, (n) => Math.max(0, 40 - 3 * n));
    expect(lastAskedFirst.likelyRootCause).toBe(firstAskedFirst.likelyRootCause);
    expect(lastAskedFirst.confidence).toBe(firstAskedFirst.confidence);
    expect(lastAskedFirst.findings.map((f) => f.text)).toEqual(firstAskedFirst.findings.map((f) => f.text));
  });
});

import { parseAlert } from "../../src/alerts/index.ts";
import { deriveClusterContext } from "../../src/conductor/context.ts";
import { readHealthCheck } from "../../src/conductor/health-check.ts";
import type { Workflow } from "../../src/conductor/schemas.ts";
import type { CommandRunner } from "../../src/conductor/types.ts";
import { runRulesEngine } from "../../src/rules/index.ts";
import { answerCommand, type Scenario } from "../../src/sandbox/index.ts";
import { createToolInvoker, createTools } from "../../src/tools/index.ts";

/** The rules engine alone over one scenario, through the real tools, invoker and the sandbox's command answers. */
export async function triageScenario(scenario: Scenario) {
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

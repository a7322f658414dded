import { describe, expect, it } from "vitest";
import type { ReadOnlyCommand } from "../../src/conductor/commands.ts";
import type { ClusterContext, CommandOutcome, CommandRunner } from "../../src/conductor/types.ts";
import type { HealthCheckExecution } from "../../src/conductor/health-check.ts";
import { reportSchema } from "../../src/report/schema.ts";
import { runRulesEngine } from "../../src/rules/index.ts";
import { createToolInvoker, createTools } from "../../src/tools/index.ts";
import * as f from "./fixtures.ts";

const context: ClusterContext = {
  executionId: f.EXECUTION_ID,
  organizationId: "3f0c549d-1111-2222-3333-444455556666",
  organizationName: "Acme",
  clusterName: "acme-eu-1",
  clusterId: null,
  cloudEnvironmentTag: "c3f0c5-acme-eu-1",
  taskDomain: "3f0c549d-1111-2222-3333-444455556666#-#acme-eu-1",
};

const execution: HealthCheckExecution = {
  workflowId: f.EXECUTION_ID,
  workflowName: "health_check",
  status: "FAILED",
  input: {},
  reasonForIncompletion: null,
  issues: [{ severity: "CRITICAL", description: "Pod conductor-server-7d9f8-abcde has been restarted 4 times - conductor-server-7d9f8-abcde" }],
  clusterData: { deciderQueueSize: 310, redisUsage: 22 },
};

/** Command outputs as an agent returns them: JSON wrapped in a string for pods, text for the rest. */
const OUTPUTS: Partial<Record<ReadOnlyCommand, unknown>> = {
  GET_PODS_DATA: { result: JSON.stringify(f.PODS_JSON_KUBECTL) },
  GET_POD_EVENTS: f.EVENTS_JSON_OOM,
  PULL_LOGS: { logs: f.LOGS_SLOW_QUERY_WARNINGS },
};

describe("runRulesEngine over the real tools and invoker", () => {
  it("dispatches valid commands with the tools' own argument names and reaches the OOM cause", async () => {
    const dispatched: { command: ReadOnlyCommand; parameters: unknown }[] = [];
    const runner: CommandRunner = {
      async run(_ctx, command, parameters) {
        dispatched.push({ command, parameters });
        const outcome: CommandOutcome = { command, workflowId: "wf-1", status: "COMPLETED", output: OUTPUTS[command] ?? "", reason: null, durationMs: 40 };
        return outcome;
      },
    };
    const tools = createTools({ runner, readExecution: async () => ({ execution, context }), outputBudget: 4000, commandTimeoutMs: 5000 });
    const invoker = createToolInvoker(tools, { executionId: f.EXECUTION_ID });
    let t = 0;
    const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert: null }, invoker, { now: () => (t += 100) });

    expect(invoker.calls.filter((c) => c.result.status === "error")).toEqual([]);
    expect(dispatched).toEqual([
      { command: "GET_PODS_DATA", parameters: {} },
      { command: "GET_POD_EVENTS", parameters: { podName: "conductor-server-7d9f8-abcde" } },
      { command: "PULL_LOGS", parameters: { podName: "conductor-server-7d9f8-abcde", lines: 300, fetchOption: "TAIL" } },
      // The OOMKill's lead: the memory limit against the heap setting; why memory grew is still not seen,
      // so the widening round reads the metrics.
      { command: "GET_DEPLOYMENTS_INFO", parameters: {} },
      { command: "GET_CLUSTER_METRICS", parameters: {} },
      { command: "GET_INFRASTRUCTURE_METRICS", parameters: {} },
    ]);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.likelyRootCause).toMatch(/OOMKilled/);
    expect(report.confidence).toBe("medium"); // OOMKilled: why memory grew is a reading, not evidence
    expect(report.issue).toMatch(/^Pod restarted on acme-eu-1/);
    expect(report.stats.commands).toEqual(["GET_PODS_DATA", "GET_POD_EVENTS", "PULL_LOGS", "GET_DEPLOYMENTS_INFO", "GET_CLUSTER_METRICS", "GET_INFRASTRUCTURE_METRICS"]);
  });

  it("retries a command that timed out once, and records why every call was made", async () => {
    const dispatched: ReadOnlyCommand[] = [];
    let eventsTries = 0;
    const runner: CommandRunner = {
      async run(_ctx, command) {
        dispatched.push(command);
        const timedOut = command === "GET_POD_EVENTS" && (eventsTries += 1) === 1;
        const outcome: CommandOutcome = timedOut
          ? { command, workflowId: "wf-1", status: "TIMED_OUT", output: null, reason: "Task get_pod_events was not polled within 120 seconds", durationMs: 40 }
          : { command, workflowId: "wf-1", status: "COMPLETED", output: OUTPUTS[command] ?? "", reason: null, durationMs: 40 };
        return outcome;
      },
    };
    const tools = createTools({ runner, readExecution: async () => ({ execution, context }), outputBudget: 4000, commandTimeoutMs: 5000 });
    const invoker = createToolInvoker(tools, { executionId: f.EXECUTION_ID });
    const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert: null }, invoker, { now: () => 0 });

    expect(dispatched.filter((c) => c === "GET_POD_EVENTS")).toHaveLength(2);
    expect(report.likelyRootCause).toMatch(/OOMKilled/);
    expect(report.stats.callReasons).toEqual(
      expect.arrayContaining([
        { tool: "get_incident_details", reason: "the failing health check: its issues and cluster data" },
        { tool: "get_pod_events", reason: "retry: the first get_pod_events failed transiently" },
        expect.objectContaining({ tool: "get_pods_data", reason: expect.stringMatching(/^playbook \(POD_RESTARTED\): /) }),
      ]),
    );
    expect(report.stats.callReasons.length).toBeGreaterThanOrEqual(invoker.calls.length);
  });
});

import type { CommandParameters, ReadOnlyCommand } from "../../src/conductor/commands.ts";
import type { HealthCheckExecution } from "../../src/conductor/health-check.ts";
import type { ClusterContext, CommandOutcome, CommandRunner } from "../../src/conductor/types.ts";
import type { ToolDeps } from "../../src/tools/types.ts";

export const EXECUTION_ID = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";
export const OTHER_EXECUTION_ID = "0d9e8f7a-1111-4222-8333-444455556666";

export const CONTEXT: ClusterContext = {
  executionId: EXECUTION_ID,
  organizationId: "3f0c549d-7a1e-4c2b-9d55-21c3a9b0e6f1",
  organizationName: "Acme",
  clusterName: "acme-eu-1",
  clusterId: "cl-4471",
  cloudEnvironmentTag: "c3f0c5-acme-eu-1",
  taskDomain: "3f0c549d-7a1e-4c2b-9d55-21c3a9b0e6f1#-#acme-eu-1",
};

export const EXECUTION: HealthCheckExecution = {
  workflowId: EXECUTION_ID,
  workflowName: "health_check",
  status: "FAILED",
  input: { organizationId: CONTEXT.organizationId, organizationName: "Acme", clusterName: "acme-eu-1" },
  reasonForIncompletion: "Health check found 2 issues",
  issues: [
    { severity: "CRITICAL", description: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" },
    { severity: "MAJOR", description: "Pod conductor-server-7d9f8b6c5-x2k4p has been restarted - conductor-server-7d9f8b6c5-x2k4p" },
  ],
  clusterData: {
    redisUsedMemoryPercent: 71.4,
    deciderQueueSize: 48213,
    indexerQueueSize: 12,
    heapUsagePercent: 83,
    cpuUsagePercent: 41,
    postgres: { connections: 87, maxConnections: 200 },
    componentHealth: { conductor: "UP", workers: "UP", prometheus: "UP" },
  },
};

export interface RecordedRun {
  context: ClusterContext;
  command: ReadOnlyCommand;
  parameters: unknown;
  options: { signal?: AbortSignal; timeoutMs?: number } | undefined;
}

type Canned = Partial<Omit<CommandOutcome, "command">>;

/** A CommandRunner that records every dispatch and answers with canned outcomes (COMPLETED by default). */
export function createFakeRunner(respond: (command: ReadOnlyCommand, parameters: unknown) => Canned | Promise<Canned> = () => ({})) {
  const runs: RecordedRun[] = [];
  const runner: CommandRunner = {
    async run<C extends ReadOnlyCommand>(
      context: ClusterContext,
      command: C,
      parameters: CommandParameters<C>,
      options?: { signal?: AbortSignal; timeoutMs?: number },
    ): Promise<CommandOutcome> {
      runs.push({ context, command, parameters, options });
      const canned = await respond(command, parameters);
      return { command, workflowId: `wf-${runs.length}`, status: "COMPLETED", output: null, reason: null, durationMs: 1200, ...canned };
    },
  };
  return { runner, runs };
}

export function createFakeDeps(runner: CommandRunner, overrides: Partial<ToolDeps> = {}) {
  const reads: string[] = [];
  const deps: ToolDeps = {
    runner,
    async readExecution(executionId) {
      reads.push(executionId);
      return { execution: { ...EXECUTION, workflowId: executionId }, context: { ...CONTEXT, executionId } };
    },
    outputBudget: 6000,
    commandTimeoutMs: 180_000,
    ...overrides,
  };
  return { deps, reads };
}

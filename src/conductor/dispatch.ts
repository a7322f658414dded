import { randomUUID } from "node:crypto";
import type { Clock } from "../lib/clock.ts";
import { formatDuration } from "../lib/duration.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { ConductorClient } from "./client.ts";
import { CONTROL_PLANE_TASKS, isReadOnlyCommand, READ_ONLY_COMMANDS, type ReadOnlyCommand } from "./commands.ts";
import { ConductorError } from "./errors.ts";
import type { StartWorkflowRequest } from "./schemas.ts";
import type { ClusterContext, CommandOutcome, CommandRunner } from "./types.ts";
import type { WaitResult } from "./wait-for-terminal.ts";

export interface CommandRunnerOptions {
  client: Pick<ConductorClient, "startWorkflow" | "waitForTerminal">;
  clock: Clock;
  logger: Logger;
  /** Default: crypto.randomUUID. The agent-handler id of each command run. */
  newId?: () => string;
  /** How long to wait for a command when the caller gives no timeout. */
  commandTimeoutMs: number;
}

/**
 * The start request for one allow-listed command (domain.md §5). Refuses anything outside
 * READ_ONLY_COMMANDS, even when a cast got it past the type system, and validates parameters.
 */
export function buildCommandRequest(context: ClusterContext, command: string, parameters: unknown, agentHandlerId: string): StartWorkflowRequest {
  if (!isReadOnlyCommand(command)) {
    throw new ConductorError("conductor_refused", `refused to dispatch ${command}: it is not one of the allow-listed read-only commands`, {
      request: { command },
    });
  }
  const checked = READ_ONLY_COMMANDS[command].parameters.safeParse(parameters ?? {});
  if (!checked.success) {
    const issues = checked.error.issues.map((issue) => `${issue.path.join(".") || "parameters"}: ${issue.message}`).join("; ");
    throw new ConductorError("conductor_refused", `refused to dispatch ${command}: invalid parameters (${issues})`, { request: { command } });
  }
  const params: Record<string, unknown> = checked.data;
  const input: Record<string, unknown> = {
    customerId: context.organizationId,
    organizationId: context.organizationId,
    organizationName: context.organizationName,
    clusterId: context.clusterId,
    agentHandlerId,
    cloudEnvironmentTag: context.cloudEnvironmentTag,
    environment: "prod",
    requestedBy: null,
    agentHandlerRequest: { clusterName: context.clusterName, command, parameters: params },
  };
  // Some command workflows read their parameters from the top level.
  for (const [key, value] of Object.entries(params)) if (!Object.hasOwn(input, key)) input[key] = value;
  return {
    name: READ_ONLY_COMMANDS[command].workflow,
    correlationId: context.taskDomain,
    input,
    // The cluster agent polls only its own domain; control-plane tasks must stay in NO_DOMAIN.
    taskToDomain: { "*": context.taskDomain, ...Object.fromEntries(CONTROL_PLANE_TASKS.map((task) => [task, "NO_DOMAIN"])) },
  };
}

export function createCommandRunner(options: CommandRunnerOptions): CommandRunner {
  const { client, clock, logger } = options;
  const newId = options.newId ?? randomUUID;

  return {
    async run(context, command, parameters, runOptions = {}) {
      const started = clock.now();
      const timeoutMs = runOptions.timeoutMs ?? options.commandTimeoutMs;
      const request = buildCommandRequest(context, command, parameters, newId());
      const finish = (fields: Omit<CommandOutcome, "command" | "durationMs">): CommandOutcome => {
        const outcome = { command, ...fields, durationMs: clock.now() - started };
        logger.info({ command, workflowId: outcome.workflowId, status: outcome.status, durationMs: outcome.durationMs }, "command finished");
        return outcome;
      };

      let workflowId: string;
      try {
        workflowId = await client.startWorkflow(request, { signal: runOptions.signal });
      } catch (error) {
        return finish({ workflowId: null, status: "START_FAILED", output: null, reason: `${command} could not be started: ${errorMessage(error)}` });
      }
      logger.info({ command, workflowId, taskDomain: context.taskDomain }, "command started");
      try {
        const result = await client.waitForTerminal(workflowId, { deadlineMs: timeoutMs, signal: runOptions.signal });
        return finish({ workflowId, ...describeWait(result, command, timeoutMs, context) });
      } catch (error) {
        return finish({ workflowId, status: "DEADLINE", output: null, reason: `stopped waiting for ${command}: ${errorMessage(error)}` });
      }
    },
  };
}

function describeWait(
  result: WaitResult,
  command: ReadOnlyCommand,
  timeoutMs: number,
  context: ClusterContext,
): Pick<CommandOutcome, "status" | "output" | "reason"> {
  const output = result.workflow?.output ?? null;
  if (result.state === "stuck") {
    return { status: "PAUSED", output, reason: `${command} workflow is PAUSED; nothing will resume it` };
  }
  if (result.state === "deadline") {
    const seen = result.workflow ? `it is still ${result.workflow.status}` : `it could not be read (${result.lastError?.message ?? "no answer"})`;
    const hint = result.workflow?.status === "RUNNING" ? `; is the agent for ${context.taskDomain} polling?` : "";
    return { status: "DEADLINE", output, reason: `${command} gave no result within ${formatDuration(timeoutMs)}: ${seen}${hint}` };
  }
  const { status } = result;
  const reason = status === "COMPLETED" ? null : (result.workflow.reasonForIncompletion ?? `${command} ended ${status}`);
  return { status, output, reason };
}

import { createHash, randomUUID } from "node:crypto";
import type { Clock } from "../lib/clock.ts";
import { formatDuration } from "../lib/duration.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { ConductorClient } from "./client.ts";
import { CONTROL_PLANE_TASKS, isReadOnlyCommand, READ_ONLY_COMMANDS, type ReadOnlyCommand } from "./commands.ts";
import { ConductorError } from "./errors.ts";
import type { StartWorkflowRequest, Workflow } from "./schemas.ts";
import type { ClusterContext, CommandOutcome, CommandRunner } from "./types.ts";
import { isTerminalStatus, type WaitResult } from "./wait-for-terminal.ts";

export interface CommandRunnerOptions {
  client: Pick<ConductorClient, "startWorkflow" | "waitForTerminal"> & Partial<Pick<ConductorClient, "executeWorkflow">>;
  clock: Clock;
  logger: Logger;
  /** Default: crypto.randomUUID. The agent-handler id of each command run. */
  newId?: () => string;
  /** How long to wait for a command when the caller gives no timeout. */
  commandTimeoutMs: number;
  /** Start and wait in one request where the server can (default true); else start + poll. */
  synchronous?: boolean;
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
  const synchronous = options.synchronous ?? true;

  return {
    async run(context, command, parameters, runOptions = {}) {
      const started = clock.now();
      const timeoutMs = runOptions.timeoutMs ?? options.commandTimeoutMs;
      const { signal, callKey } = runOptions;
      // Validated (and refused) before any request; every try below sends the same parameters.
      buildCommandRequest(context, command, parameters, "");
      const agentHandlerId = (tryNumber: number) => (callKey === undefined ? newId() : deriveAgentHandlerId(callKey, command, parameters, tryNumber));
      const finish = (fields: Omit<CommandOutcome, "command" | "durationMs">): CommandOutcome => {
        const outcome = { command, ...fields, durationMs: clock.now() - started };
        logger.info({ command, workflowId: outcome.workflowId, status: outcome.status, durationMs: outcome.durationMs }, "command finished");
        return outcome;
      };
      const runTry = async (id: string): Promise<TryResult> => {
        const request = buildCommandRequest(context, command, parameters, id);
        const remaining = () => Math.max(0, started + timeoutMs - clock.now());
        let workflow: Workflow | null = null;
        let workflowId: string;
        try {
          if (synchronous && client.executeWorkflow) {
            // The server holds the request at most this long; a command still running then is polled.
            const waitForSeconds = Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.floor(remaining() / 1000)));
            workflow = await client.executeWorkflow(request, { signal, idempotencyKey: id, waitForSeconds, timeoutMs: Math.max(1, remaining()) });
          }
          workflowId = workflow?.workflowId ?? (await client.startWorkflow(request, { signal, idempotencyKey: id }));
        } catch (error) {
          const failure = error instanceof ConductorError ? error : undefined;
          return {
            outcome: { workflowId: null, status: "START_FAILED", output: null, reason: `${command} could not be started: ${errorMessage(error)}`, transport: failure?.isTransient ?? false },
            // Safe to send again only when Conductor surely did not start it (or it was looked up and not found).
            resend: failure !== undefined && failure.isTransient && !failure.mayHaveStarted,
          };
        }
        logger.info({ command, workflowId, taskDomain: context.taskDomain, synchronous: workflow !== null }, "command started");
        if (workflow && isTerminalStatus(workflow.status)) {
          return { outcome: { workflowId, ...describeWait({ state: "terminal", status: workflow.status, workflow }, command, timeoutMs, context) }, resend: false };
        }
        try {
          const result = await client.waitForTerminal(workflowId, { deadlineMs: remaining(), signal });
          return { outcome: { workflowId, ...describeWait(result, command, timeoutMs, context) }, resend: false };
        } catch (error) {
          return { outcome: { workflowId, status: "DEADLINE", output: null, reason: `stopped waiting for ${command}: ${errorMessage(error)}`, transport: false }, resend: false };
        }
      };

      const firstId = agentHandlerId(1);
      const first = await runTry(firstId);
      // One retry of a transient failure, when it is safe: a start Conductor surely did not take is
      // sent again with the same key; a command whose workflow timed out runs again as a new one.
      const again = first.resend ? firstId : first.outcome.status === "TIMED_OUT" ? agentHandlerId(2) : null;
      if (again === null || signal?.aborted || started + timeoutMs - clock.now() < MIN_RETRY_MS) return finish(first.outcome);
      logger.warn({ command, status: first.outcome.status, reason: first.outcome.reason }, "command failed transiently; trying once more");
      return finish((await runTry(again)).outcome);
    },
  };
}

interface TryResult {
  outcome: Omit<CommandOutcome, "command" | "durationMs">;
  resend: boolean;
}

/** The longest a synchronous execution is asked to hold one request (then: 206 and polling). */
const MAX_WAIT_SECONDS = 30;
/** Less time than this left: the retry could not finish, so the first outcome stands. */
const MIN_RETRY_MS = 200;

/**
 * The agentHandlerId of one try of one call, derived from the caller's key (one per triage), the
 * command and its parameters: a resend carries the same id, so a lost start can be found by it.
 */
export function deriveAgentHandlerId(callKey: string, command: string, parameters: unknown, tryNumber: number): string {
  const hex = createHash("sha256").update(JSON.stringify([callKey, command, canonicalJson(parameters ?? {}), tryNumber])).digest("hex");
  // A UUID of version 8 (custom): the input field has always held UUIDs.
  const variant = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === "object" && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

function describeWait(
  result: WaitResult,
  command: ReadOnlyCommand,
  timeoutMs: number,
  context: ClusterContext,
): Pick<CommandOutcome, "status" | "output" | "reason" | "transport"> {
  const output = result.workflow?.output ?? null;
  if (result.state === "stuck") {
    return { status: "PAUSED", output, reason: `${command} workflow is PAUSED; nothing will resume it` };
  }
  if (result.state === "deadline") {
    const seen = result.workflow ? `it is still ${result.workflow.status}` : `it could not be read (${result.lastError?.message ?? "no answer"})`;
    const hint = result.workflow?.status === "RUNNING" ? `; is the agent for ${context.taskDomain} polling?` : "";
    // No read of the workflow succeeded and the last one failed in transit: Conductor, not the command, failed.
    const transport = result.workflow === null && (result.lastError?.isTransient ?? false);
    return { status: "DEADLINE", output, reason: `${command} gave no result within ${formatDuration(timeoutMs)}: ${seen}${hint}`, transport };
  }
  const { status } = result;
  const reason = status === "COMPLETED" ? null : (result.workflow.reasonForIncompletion ?? `${command} ended ${status}`);
  return { status, output, reason };
}

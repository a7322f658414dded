import type { z } from "zod";
import type { CommandParameters, ReadOnlyCommand } from "../conductor/commands.ts";
import type { CommandOutcome } from "../conductor/types.ts";
import { ConductorError } from "../conductor/errors.ts";
import { formatDuration } from "../lib/duration.ts";
import { errorMessage } from "../lib/errors.ts";
import { cutText, isEmptyOutput, parseOutput, renderOutput, type CutText } from "./format-output.ts";
import type { Tool, ToolContext, ToolDeps, ToolName, ToolResult } from "./types.ts";

/** Builds a tool once the process-wide services exist. */
export type ToolFactory = (deps: ToolDeps) => Tool;

type ExecutionInput = { executionId: string };

export interface CommandToolSpec<S extends z.ZodType<ExecutionInput>, C extends ReadOnlyCommand> {
  name: ToolName;
  description: string;
  command: C;
  inputSchema: S;
  toParameters(input: z.output<S>): CommandParameters<C>;
  /**
   * Runs before anything is dispatched: a refusal becomes the error result; otherwise the input to
   * send (it may be rewritten) and a cleaner applied to the parsed output before anything sees it.
   */
  prepare?(input: z.output<S>): Promise<{ refusal: string } | { input: z.output<S>; clean?: (data: unknown) => unknown }>;
  /** Renders the parsed output for the model, within `budget` (default: renderOutput, head kept). */
  present?(data: unknown, budget: number): CutText;
  /** What to tell the model when the command completed with nothing (default: generic). */
  describeEmpty?(input: z.output<S>): string;
}

/**
 * The one shape of every command-backed tool: read the cluster context from the execution (never
 * from the model), dispatch one allow-listed command, and turn every outcome into a result.
 */
export function defineCommandTool<S extends z.ZodType<ExecutionInput>, C extends ReadOnlyCommand>(
  spec: CommandToolSpec<S, C>,
): ToolFactory {
  return (deps) => ({
    name: spec.name,
    description: spec.description,
    inputSchema: spec.inputSchema,
    execute: (input: z.output<S>, ctx: ToolContext) => runCommandTool(spec, deps, input, ctx),
  });
}

async function runCommandTool<S extends z.ZodType<ExecutionInput>, C extends ReadOnlyCommand>(
  spec: CommandToolSpec<S, C>,
  deps: ToolDeps,
  input: z.output<S>,
  ctx: ToolContext,
): Promise<ToolResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const { command } = spec;

  let outcome: CommandOutcome;
  let clean: (data: unknown) => unknown = (data) => data;
  try {
    const prepared = (await spec.prepare?.(input)) ?? { input };
    if ("refusal" in prepared) return { status: "error", output: prepared.refusal, durationMs: elapsed() };
    if (prepared.clean) clean = prepared.clean;
    const { context } = await deps.readExecution(input.executionId, ctx.signal);
    outcome = await deps.runner.run(context, command, spec.toParameters(prepared.input), {
      signal: ctx.signal,
      timeoutMs: deps.commandTimeoutMs,
      ...(ctx.runKey === undefined ? {} : { callKey: ctx.runKey }),
    });
  } catch (error) {
    if (ctx.signal?.aborted) return { ...stoppedResult(command, ctx.signal), durationMs: elapsed() };
    const transport = error instanceof ConductorError && error.isTransient;
    return {
      status: "error",
      output: `${command} was not run: ${errorMessage(error)}`,
      command,
      durationMs: elapsed(),
      ...(transport ? { failure: "transport" as const } : {}),
    };
  }

  if (outcome.status !== "COMPLETED") {
    if (ctx.signal?.aborted) return { ...stoppedResult(command, ctx.signal), durationMs: elapsed() };
    return { status: "error", output: describeFailure(outcome), command, durationMs: elapsed(), ...(outcome.transport ? { failure: "transport" as const } : {}) };
  }
  const data = clean(parseOutput(outcome.output));
  if (isEmptyOutput(data)) {
    const output = spec.describeEmpty?.(input) ?? `${command} completed but returned no data.`;
    return { status: "no_data", output, data, command, durationMs: elapsed() };
  }
  const shown = spec.present?.(data, deps.outputBudget) ?? cutText(renderOutput(data), deps.outputBudget);
  return {
    status: "ok",
    output: shown.text,
    data,
    command,
    durationMs: elapsed(),
    ...(shown.truncated ? { truncated: shown.truncated } : {}),
  };
}

/** A call the triage's signal cut short: says why (deadline or shutdown) rather than blaming the command. */
function stoppedResult(command: string, signal: AbortSignal): Omit<ToolResult, "durationMs"> {
  return { status: "error", output: `${command} was stopped before it answered: ${errorMessage(signal.reason)}`, command, failure: "cancelled" };
}

/** Names the command, what happened and why, so the model can decide whether to try something else. */
export function describeFailure(outcome: CommandOutcome): string {
  const workflow = outcome.workflowId ? ` (workflow ${outcome.workflowId})` : "";
  const reason = outcome.reason ? `: ${outcome.reason}` : "";
  switch (outcome.status) {
    case "START_FAILED":
      // The runner's reason already reads "<COMMAND> could not be started: …".
      return outcome.reason?.startsWith(`${outcome.command} could not be started`) ? outcome.reason : `${outcome.command} could not be started${reason}`;
    case "DEADLINE":
      return `${outcome.command} gave no answer within ${formatDuration(outcome.durationMs)}${workflow} (status DEADLINE)${reason}`;
    case "PAUSED":
      return `${outcome.command} is stuck in PAUSED${workflow}${reason}`;
    default:
      return `${outcome.command} ended with status ${outcome.status}${workflow}${reason}`;
  }
}

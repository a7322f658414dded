import type { z } from "zod";
import { errorMessage } from "../lib/errors.ts";
import { redactDeep } from "../lib/redact.ts";
import { isPlainObject } from "./format-output.ts";
import type { Tool, ToolCallRecord, ToolContext, ToolInvoker, ToolResult } from "./types.ts";

export interface ToolInvokerOptions {
  /** Most tool runs for this triage; cached repeats do not count. Default: unlimited. */
  maxCalls?: number;
  /** Called once per call, after it settles, with what was recorded. */
  onCall?: (record: ToolCallRecord) => void;
  /** Configured secret values, scrubbed from every result besides the recognisable secret shapes. */
  secrets?: readonly string[];
}

/** No tool takes more than a query or a grep pattern: anything this large is refused unread. */
export const MAX_INPUT_CHARS = 100_000;

/**
 * Runs tools by name for one triage (the ToolInvoker contract). Nothing the model sends can
 * throw out of `call`: bad names, bad input, budget and exceptions all become error results.
 */
export function createToolInvoker(tools: readonly Tool[], ctx: ToolContext, options: ToolInvokerOptions = {}): ToolInvoker {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const maxCalls = options.maxCalls ?? Number.POSITIVE_INFINITY;
  const calls: ToolCallRecord[] = [];
  const inFlightOrDone = new Map<string, Promise<ToolResult>>();
  let runs = 0;

  // The one redaction boundary: nothing a tool returns is stored, logged, rendered or sent to the model before this.
  const record = (name: string, input: unknown, raw: ToolResult, cached: boolean) => {
    const result = redactDeep(raw, options.secrets ?? []);
    const entry: ToolCallRecord = { name, input: redactDeep(input, options.secrets ?? []), result, cached };
    calls.push(entry);
    options.onCall?.(entry);
    return { ...result, cached };
  };

  const invoker: ToolInvoker = {
    calls,
    async retry(name, input) {
      const tool = byName.get(name);
      const parsed = tool?.inputSchema.safeParse(pinExecution(input, ctx.executionId));
      if (!tool || !parsed?.success) return invoker.call(name, input);
      const key = `${name} ${canonicalJson(parsed.data)}`;
      if (runs >= maxCalls) return invoker.call(name, input);
      runs += 1;
      const running = runSafely(tool, parsed.data, ctx);
      inFlightOrDone.set(key, running);
      return record(name, parsed.data, await running, false);
    },
    async call(name, input) {
      const tool = byName.get(name);
      if (tool === undefined) {
        const valid = [...byName.keys()].join(", ");
        return record(name, input, errorResult(`Unknown tool "${name}". Valid tools: ${valid}.`), false);
      }
      const size = JSON.stringify(input ?? null).length;
      if (size > MAX_INPUT_CHARS) {
        const summary = { size, note: "input too large to keep" };
        return record(name, summary, errorResult(`Input for ${name} is ${size.toLocaleString("en-US")} characters; the limit is ${MAX_INPUT_CHARS.toLocaleString("en-US")}. Nothing was run.`), false);
      }
      const foreign = foreignExecutionId(input, ctx.executionId);
      if (foreign !== null) {
        return record(name, input, errorResult(`executionId ${foreign} is not this triage's execution (${ctx.executionId}); tools only read the alert's own cluster. Nothing was run.`), false);
      }
      const pinned = pinExecution(input, ctx.executionId);
      const parsed = tool.inputSchema.safeParse(pinned);
      if (!parsed.success) {
        return record(name, pinned, errorResult(`Invalid input for ${name}: ${describeIssues(parsed.error)}. Nothing was run.`), false);
      }
      const key = `${name} ${canonicalJson(parsed.data)}`;
      const earlier = inFlightOrDone.get(key);
      if (earlier !== undefined) return record(name, parsed.data, await earlier, true);
      if (runs >= maxCalls) {
        return record(name, parsed.data, errorResult(`tool-call budget exhausted (${runs} of ${maxCalls} calls used); submit the report with the evidence you have.`), false);
      }
      runs += 1;
      const running = runSafely(tool, parsed.data, ctx);
      inFlightOrDone.set(key, running);
      return record(name, parsed.data, await running, false);
    },
  };
  return invoker;
}

/** An execution id the model sent that is not the triage's own (spelling aside), or null. */
function foreignExecutionId(input: unknown, executionId: string): string | null {
  if (!isPlainObject(input) || input.executionId === undefined) return null;
  const normalize = (id: unknown) => String(id).toLowerCase().replace(/-/g, "");
  return normalize(input.executionId) === normalize(executionId) ? null : String(input.executionId).slice(0, 80);
}

/** The model cannot aim a tool at another execution: a missing id or another spelling of it becomes the triage's own. */
function pinExecution(input: unknown, executionId: string): unknown {
  if (input === undefined || input === null) return { executionId };
  return isPlainObject(input) ? { ...input, executionId } : input;
}

async function runSafely(tool: Tool, input: unknown, ctx: ToolContext): Promise<ToolResult> {
  const started = performance.now();
  try {
    return await tool.execute(input, ctx);
  } catch (error) {
    return errorResult(`${tool.name} failed: ${errorMessage(error)}`, Math.round(performance.now() - started));
  }
}

function errorResult(output: string, durationMs = 0): ToolResult {
  return { status: "error", output, durationMs };
}

/** zod issues in plain words: `pod: must be a Kubernetes pod name; lines: Too big: ...`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      return path === "" ? issue.message : `${path}: ${issue.message}`;
    })
    .join("; ");
}

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same call. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    isPlainObject(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

import type { ToolCallRecord, ToolInvoker, ToolResult } from "../../src/tools/types.ts";

export type FakeHandler = (input: Record<string, unknown>) => Partial<ToolResult> | Promise<Partial<ToolResult>>;

/**
 * A ToolInvoker over canned handlers: records every call like the real one, reuses identical
 * calls, turns a throwing handler into an error result, and answers unknown tools with no_data.
 */
export function createFakeInvoker(handlers: Record<string, FakeHandler>): ToolInvoker & { calls: ToolCallRecord[] } {
  const calls: ToolCallRecord[] = [];
  const done = new Map<string, ToolResult>();
  return {
    calls,
    async call(name, input) {
      const args = (input ?? {}) as Record<string, unknown>;
      const key = `${name} ${JSON.stringify(Object.entries(args).sort())}`;
      const earlier = done.get(key);
      if (earlier) {
        calls.push({ name, input, result: earlier, cached: true });
        return { ...earlier, cached: true };
      }
      const handler = handlers[name];
      let result: ToolResult;
      try {
        const partial = handler ? await handler(args) : { status: "no_data" as const, output: `${name}: nothing` };
        result = { status: "ok", output: typeof partial.data === "string" ? partial.data : JSON.stringify(partial.data ?? ""), durationMs: 5, command: commandOf(name), ...partial };
      } catch (error) {
        result = { status: "error", output: `${name} failed: ${(error as Error).message}`, durationMs: 1 };
      }
      done.set(key, result);
      calls.push({ name, input, result, cached: false });
      return { ...result, cached: false };
    },
  };
}

function commandOf(name: string): string | undefined {
  return name === "get_incident_details" ? undefined : name.toUpperCase();
}

/** A handler that answers with `data` (JSON or text) as a successful tool would. */
export function ok(data: unknown): FakeHandler {
  return () => ({ status: "ok", data });
}

export function fail(message: string): FakeHandler {
  return () => ({ status: "error", output: message, data: undefined });
}

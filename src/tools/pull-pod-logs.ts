import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { cutText, isPlainObject, renderOutput } from "./format-output.ts";
import { executionIdSchema, podNameSchema } from "./tool-schemas.ts";

export const DEFAULT_LOG_LINES = 200;

export const pullPodLogsTool = defineCommandTool({
  name: "pull_pod_logs",
  description:
    "The newest log lines of one pod (timestamps, levels, Java stack traces), optionally only lines matching `grep`. " +
    "Use it to name the dominant exception or error behind an alert. Long output keeps the newest lines.",
  command: "PULL_LOGS",
  inputSchema: z
    .object({
      executionId: executionIdSchema,
      pod: podNameSchema,
      grep: z.string().min(1).max(200).optional().describe("Only lines containing this text, e.g. ERROR or OutOfMemoryError"),
      lines: z.number().int().min(1).max(1000).default(DEFAULT_LOG_LINES).describe("How many of the newest lines (1-1000)"),
    })
    .strict(),
  toParameters: ({ pod, lines, grep }) => ({ podName: pod, lines, fetchOption: "TAIL", ...(grep === undefined ? {} : { grep }) }),
  present: (data, budget) => cutText(renderLogs(data), budget, "tail"),
  describeEmpty: ({ pod, grep }) =>
    grep === undefined
      ? `PULL_LOGS completed but pod ${pod} returned no log lines.`
      : `PULL_LOGS completed: no line of pod ${pod} matched grep "${grep}".`,
});

/** Log lines unindented and last, so the tail cut keeps the newest lines, not a wrapper's fields. */
export function renderLogs(data: unknown): string {
  const lines = asLines(data);
  if (lines !== undefined) return lines;
  if (!isPlainObject(data)) return renderOutput(data);
  const longest = Object.entries(data)
    .map(([key, value]) => [key, asLines(value)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .sort((a, b) => b[1].length - a[1].length)[0];
  if (longest === undefined) return renderOutput(data);
  const { [longest[0]]: _logs, ...rest } = data;
  const header = Object.keys(rest).length === 0 ? "" : `${renderOutput(rest)}\n${longest[0]}:\n`;
  return header + longest[1];
}

function asLines(value: unknown): string | undefined {
  if (typeof value === "string") return value.replace(/\s+$/, "");
  if (Array.isArray(value) && value.length > 0 && value.every((line) => typeof line === "string")) return value.join("\n");
  return undefined;
}

import { renderOutput } from "../tools/format-output.ts";
import type { ToolCallRecord } from "../tools/types.ts";
import { jsonLineMessage } from "./read/read-logs.ts";
import { collectStrings, isObject, parseNested } from "./read/walk-json.ts";
import type { Evidence, IssueEvidence, ToolEvidence } from "./types.ts";

/** Turns the invoker's call records into what the analyzers read. */
export function buildEvidence(
  issues: IssueEvidence[],
  calls: readonly (Pick<ToolCallRecord, "name" | "input" | "result"> & { callId?: string })[],
): Evidence {
  return {
    issues,
    results: calls.map(({ name, input, result, callId }, i) => {
      const data = parseNested(result.data);
      const text = typeof data === "string" ? data : result.output;
      // Renderings cut long cells; the string values themselves are kept whole for the verifier.
      const rendered = data === undefined || data === null || typeof data === "string" ? "" : `${renderOutput(data)}\n${collectStrings(data).join("\n")}`;
      return {
        callId: callId ?? callIdOf(i),
        tool: name,
        input: isObject(input) ? input : {},
        status: result.status,
        data,
        text,
        output: [...new Set([text, result.output, rendered])].filter((part) => part !== "").join("\n"),
      };
    }),
  };
}

/** `c1` for the invoker's first call: ids both engines and the model cite. */
export function callIdOf(index: number): string {
  return `c${index + 1}`;
}

export function resultsFor(evidence: Evidence, ...tools: string[]): ToolEvidence[] {
  return evidence.results.filter((result) => result.status === "ok" && tools.includes(result.tool));
}

/** The pod a call was about, when it named one. */
export function podOf(result: ToolEvidence): string | null {
  const pod = result.input.podName ?? result.input.pod;
  return typeof pod === "string" && pod !== "" ? pod : null;
}

/** Log text wherever it sits: a string, an array of lines, or strings inside objects. */
export function logTextOf(result: ToolEvidence): string {
  if (typeof result.data === "string") return result.data;
  if (result.data !== undefined && result.data !== null) {
    const records = structuredLines(result.data);
    if (records.length > 0) return records.join("\n");
    const strings = collectStrings(result.data);
    if (strings.length > 0) return strings.join("\n");
  }
  return result.text;
}

/** JSON log records (`{"level":"error","msg":...}`), one line each with the level first, as text logs read. */
function structuredLines(data: unknown): string[] {
  const records = (Array.isArray(data) ? data : [data]).filter(isObject);
  const isRecord = (r: Record<string, unknown>) => ("msg" in r || "message" in r) && ("level" in r || "severity" in r);
  if (records.length === 0 || !records.every(isRecord)) return [];
  return records.map((r) => {
    const level = String(r.level ?? r.severity ?? "").toUpperCase();
    const rest = Object.entries(r).filter(([k, v]) => typeof v === "string" && !["level", "severity", "msg", "message", "ts", "time"].includes(k));
    return `${level} ${String(r.msg ?? r.message)} ${rest.map(([k, v]) => `${k}=${String(v).replace(/\s+/g, " ")}`).join(" ")}`.trim();
  });
}

/** After the level: a pid and `---`, `[thread]` groups, a dotted logger and its `:`/`-`, then the message. */
const QUOTED_MESSAGE = /\b(?:ERROR|FATAL|SEVERE|WARN(?:ING)?|INFO|DEBUG)\b\]?\s*(?:\d+\s+---\s+)?(?:\[[^\]]*\]\s*)*(?:[\w$]+(?:\.[\w$]+)+\s+[-:]\s+)?(.+)$/;

/** A log line as a finding quotes it: its message without timestamp, level and logger, cut to fit an excerpt. */
export function quoteLine(line: string, max = 140): string {
  const message = jsonLineMessage(line) ?? QUOTED_MESSAGE.exec(line)?.[1] ?? line.replace(/^\S*\d{2}:\d{2}\S*\s+/, "");
  const flat = message.trim().replace(/\s+/g, " ");
  return `"${flat.length <= max ? flat : flat.slice(0, max).replace(/\s+\S*$/, "")}"`;
}

export function hasIssue(evidence: Evidence, ...types: string[]): boolean {
  return evidence.issues.some((issue) => types.includes(issue.type));
}

export function formatNumber(n: number): string {
  return n.toLocaleString("en-US");
}

import type { ToolCallRecord } from "../tools/types.ts";

/**
 * Why the gathered evidence cannot support a report, or null when it can (pure). A report made
 * when Conductor failed every command would read "inconclusive" about an outage that is ours,
 * not the cluster's: the caller retries instead. Commands the deadline cut count as neither
 * evidence nor transport failure — a deadline still yields a report from what arrived in time.
 */
export function assessEvidence(calls: readonly Pick<ToolCallRecord, "result" | "cached">[]): string | null {
  const commands = calls.filter((call) => call.result.command !== undefined && !call.cached);
  const transport = commands.filter((call) => call.result.failure === "transport");
  const answered = commands.filter((call) => call.result.failure === undefined);
  if (transport.length === 0 || answered.length > 0) return null;
  const first = transport[0]?.result.output ?? "";
  return `${first} — every diagnostic command failed (${transport.length} of ${commands.length}) because Conductor could not be reached or did not answer`;
}

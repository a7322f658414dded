import type { Report } from "../report/schema.ts";
import type { ScenarioFile } from "../scenario/scenario-schema.ts";

// Each run starts its own command workflows, so their ids (quoted in failed-command findings) differ.
const RUN_ID = /\(workflow [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)/gi;
// Findings cite calls by id in the order calls completed; concurrent calls may complete in another order.
const CALL_ID = /"callId":"c\d+"/g;

/**
 * The replayed report, and the one the captured scenario submits, as compared by the capture round
 * trip: without stats, command workflow ids masked, and without the commands finding capture adds
 * to a one-finding report.
 */
export function comparableReports(replayed: Report, scenario: Pick<ScenarioFile, "script">): { replayed: string; captured: string } {
  const { stats: _stats, ...report } = replayed;
  const submitted = scenario.script.at(-1)?.calls.find((c) => c.name === "submit_report")?.input as Omit<Report, "stats"> | undefined;
  const findings = submitted && report.findings.length < 2 ? submitted.findings.slice(0, report.findings.length) : submitted?.findings;
  const mask = (value: unknown) => JSON.stringify(value).replace(RUN_ID, "(workflow …)").replace(CALL_ID, '"callId":"c…"');
  return { replayed: mask(report), captured: mask(submitted ? { ...submitted, findings } : null) };
}

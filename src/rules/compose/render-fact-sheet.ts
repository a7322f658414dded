import type { Report } from "../../report/schema.ts";
import type { Verdict } from "../judge/rank-along-graph.ts";
import type { Evidence } from "../types.ts";
import type { CheckedFinding } from "./compose-report.ts";

/** The fact sheet: what is settled (verified, with call ids), the chain so far, and what is still open. */
export function renderFactSheet(input: {
  verified: readonly CheckedFinding[];
  verdict: Verdict;
  ruledOut: readonly string[];
  evidence: Evidence;
  entryEvidence: readonly string[];
  confidence: Report["confidence"];
}): string {
  const { verified, verdict, ruledOut, evidence, entryEvidence, confidence } = input;
  const facts = [...verified]
    .sort((a, b) => b.finding.weight - a.finding.weight)
    .slice(0, 10)
    .map(({ finding, citation }) => `- ${citation?.callId} ${finding.tool}: ${clip(finding.text, 240)} — excerpt: "${citation?.excerpt}"`);
  const failed = evidence.results.filter((r) => r.status !== "ok").map((r) => `- ${r.callId} ${r.tool} (${r.status}): ${clip(r.text.replace(/\s+/g, " "), 160)}`);
  const reading = verdict.root ? `${verdict.root.candidate.cause} (confidence ${confidence})` : `inconclusive${verdict.lead ? `; best lead: ${verdict.lead.candidate.cause}` : ""}`;
  const open = verdict.root && verdict.unexplained.length === 0 && verdict.competing.length === 0
    ? ["- confirm or refute the reading above; look only for what would contradict it"]
    : [
        ...(verdict.lead?.candidate.nextStep ? [`- ${verdict.lead.candidate.nextStep}`] : []),
        ...verdict.competing.map((c) => `- tell apart: ${c.candidate.cause}`),
        ...(verdict.unexplained.length > 0 ? [`- unexplained: ${verdict.unexplained.join(", ")}`] : []),
        ...entryEvidence.map((e) => `- check: ${e}`),
      ];
  return [
    `Calls already made: ${evidence.results.map((r) => `${r.callId} ${r.tool}`).join(", ") || "none"} (their results are cached; do not repeat them).`,
    "Verified facts:",
    ...(facts.length > 0 ? facts : ["- none"]),
    ...(failed.length > 0 ? ["Calls that failed or returned nothing:", ...failed] : []),
    `Chain so far: ${verdict.chain ?? "none"}`,
    `The rules engine's reading: ${reading}`,
    ...(ruledOut.length > 0 ? [`Ruled out: ${ruledOut.join("; ")}`] : []),
    "Open leads:",
    ...open.slice(0, 6),
  ].join("\n");
}


function clip(text: string, max: number): string {
  const flat = text.trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

import { ISSUE_TYPES, type IssueType } from "../alerts/types.ts";
import { getPlaybookEntry } from "./playbook.ts";
import type { PlaybookEntry, PlaybookStep } from "./types.ts";

const ALL_TYPES: IssueType[] = [...ISSUE_TYPES, "UNKNOWN"];

/**
 * Renders the playbook (all types, or only `types`) as compact markdown for the model's system
 * prompt: one short block per type, tools in call order. A step's reason is printed the first
 * time only, which keeps the whole playbook near 3k tokens.
 */
export function renderPlaybookPrompt(types: readonly IssueType[] = ALL_TYPES): string {
  const header = [
    "Tools marked `{pod}` take the pod named in the alert issue, or else the most suspicious pod from get_pods_data.",
    "Cite the listed evidence; when it does not settle the cause, say what a human should check.",
  ].join("\n");
  const seenWhys = new Set<string>();
  const blocks = [...new Set(types)].map((type) => renderEntry(getPlaybookEntry(type), seenWhys));
  return [header, ...blocks].join("\n\n");
}

function renderEntry(entry: PlaybookEntry, seenWhys: Set<string>): string {
  return [
    `## ${entry.type} — ${entry.title} (${entry.category})`,
    entry.symptom,
    `- Tools: ${entry.tools.map((step) => renderStep(step, seenWhys)).join("; ")}`,
    `- Cite: ${entry.evidence.join("; ")}`,
    `- Usual causes: ${entry.rootCauses.join("; ")}`,
    `- Next step: ${entry.nextSteps.join(" / ")}`,
  ].join("\n");
}

function renderStep(step: PlaybookStep, seenWhys: Set<string>): string {
  const args = step.args ? `(${Object.entries(step.args).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(", ")})` : "";
  const key = `${step.tool}: ${step.why}`;
  if (seenWhys.has(key)) return `${step.tool}${args}`;
  seenWhys.add(key);
  return `${step.tool}${args} — ${step.why}`;
}

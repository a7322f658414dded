import { createHash } from "node:crypto";
import type { AlertIssue } from "./types.ts";

export interface IncidentParts {
  organization: string | null;
  cluster: string | null;
  issues: readonly Pick<AlertIssue, "type" | "text">[];
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?/g;
// Kubernetes pod suffixes use this alphabet (no vowels, no 0/1/3): `-<replicaset hash>-<pod hash>`,
// or a lone `-<5 chars>` for daemonset and job pods (then it must hold a digit, so words survive).
const K8S = "[bcdfghjklmnpqrstvwxz2456789]";
const POD_HASHES = new RegExp(`-${K8S}{6,10}-${K8S}{5}(?![\\w-])`, "g");
const POD_SUFFIX = new RegExp(`-(?=${K8S}{0,4}\\d)${K8S}{5}(?![\\w-])`, "g");
const HEX_ID = /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/g;
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** An issue text with what changes between repeats of one incident taken out. */
export function normaliseIssueText(text: string): string {
  return text
    .toLowerCase()
    .replace(UUID, "<id>")
    .replace(TIMESTAMP, "<time>")
    .replace(POD_HASHES, "")
    .replace(POD_SUFFIX, "")
    .replace(HEX_ID, "<id>")
    .replace(NUMBER, "#")
    .replace(/\s+/g, " ")
    .trim();
}

function normaliseName(name: string | null): string {
  return name === null ? "-" : name.toLowerCase().replace(/\s+/g, " ").trim();
}

/** The normalised description the signature hashes; order of issues does not matter. */
export function describeIncident(parts: IncidentParts): string {
  const issues = [...new Set(parts.issues.map((i) => `${i.type} ${normaliseIssueText(i.text)}`))].sort();
  return [`org=${normaliseName(parts.organization)}`, `cluster=${normaliseName(parts.cluster)}`, ...issues].join("\n");
}

/** 16 hex characters, equal for repeats of one incident and different between incidents. */
export function incidentSignature(parts: IncidentParts): string {
  return createHash("sha256").update(describeIncident(parts)).digest("hex").slice(0, 16);
}

import type { Alert } from "../alerts/types.ts";

/** How repeats are debounced: `windowMs` 0 disables; `bypassCritical` lets CRITICAL alerts through. */
export interface DebouncePolicy {
  windowMs: number;
  bypassCritical: boolean;
}

/**
 * One key per (organisation, cluster, issue type) the alert reports. An alert is a repeat when
 * every one of its keys has an open window (see findDebounceWindow in state/decisions.ts).
 * Empty when debounce is off, bypassed, or the alert names no issue type to compare.
 */
export function debounceKeys(alert: Pick<Alert, "organization" | "cluster" | "issues" | "severity">, policy: DebouncePolicy): string[] {
  if (policy.windowMs <= 0) return [];
  if (policy.bypassCritical && alert.severity === "CRITICAL") return [];
  const types = [...new Set(alert.issues.map((issue) => issue.type))].filter((type) => type !== "UNKNOWN").sort();
  const org = normalise(alert.organization);
  const cluster = normalise(alert.cluster);
  return types.map((type) => `${org}|${cluster}|${type}`);
}

function normalise(name: string | null): string {
  return name === null ? "-" : name.toLowerCase().replace(/\s+/g, " ").trim();
}

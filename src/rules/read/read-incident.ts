import { SEVERITIES, type Severity } from "../../alerts/types.ts";
import { asText, isObject, readKey, readString, walkObjects } from "./walk-json.ts";

export interface IncidentFacts {
  issues: { severity: Severity | null; text: string }[];
  clusterName: string | null;
  /** The health-check execution's own status and reason (a TIMED_OUT health check is an incident too). */
  status: string | null;
  reason: string | null;
}

const ISSUE_TEXT_KEYS = ["description", "text", "message", "issue", "summary", "detail"];

/** Reads the issues, cluster name and execution status from get_incident_details, whatever its shape. */
export function extractIncident(data: unknown, raw: string): IncidentFacts {
  const text = asText(raw);
  const issues: IncidentFacts["issues"] = [];
  walkObjects(data, (object) => {
    const list = readKey(object, "issues");
    if (!Array.isArray(list)) return false;
    for (const item of list) {
      const issueText = typeof item === "string" ? item : isObject(item) ? readString(item, ...ISSUE_TEXT_KEYS) : null;
      if (!issueText) continue;
      const severity = isObject(item) ? toSeverity(readString(item, "severity", "level")) : severityInText(issueText);
      issues.push({ severity, text: issueText });
    }
    return issues.length > 0;
  });
  if (issues.length === 0) issues.push(...issuesInText(text));
  return {
    issues,
    clusterName: findString(data, ["clusterName", "cluster"]) ?? /cluster(?:Name)?\s*[:=]\s*([\w.-]+)/i.exec(text)?.[1] ?? null,
    status: findString(data, ["status", "workflowStatus"]),
    reason: findString(data, ["reasonForIncompletion", "reason", "failureReason"]),
  };
}

/** A key on the execution itself or one level down (`{execution: {...}}`), never deep inside tasks or issues. */
function findString(data: unknown, keys: string[]): string | null {
  if (!isObject(data)) return null;
  const direct = readString(data, ...keys);
  if (direct !== null) return direct;
  for (const child of Object.values(data)) {
    const nested = isObject(child) ? readString(child, ...keys) : null;
    if (nested !== null) return nested;
  }
  return null;
}

function toSeverity(value: string | null): Severity | null {
  const upper = value?.toUpperCase();
  return SEVERITIES.find((severity) => severity === upper) ?? null;
}

function severityInText(text: string): Severity | null {
  return toSeverity(/\b(CRITICAL|MAJOR|MINOR|WARNING)\b/.exec(text)?.[1] ?? null);
}

/** `CRITICAL: The Redis instance is at 71%...` lines of a text rendering. */
function issuesInText(text: string): IncidentFacts["issues"] {
  return text.split(/\r?\n/).flatMap((line) => {
    const match = /\b(CRITICAL|MAJOR|MINOR|WARNING)\b[\]*`:\s-]+(.{8,})$/.exec(line);
    return match?.[2] ? [{ severity: toSeverity(match[1] ?? null), text: match[2].trim() }] : [];
  });
}

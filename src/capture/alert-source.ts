import type { HealthCheckExecution } from "../conductor/health-check.ts";
import type { SlackMessageInput } from "../scenario/scenario-schema.ts";

/** A Slack message address: `C0123ABCD:1700000000.000100` or a permalink `…/archives/C0123ABCD/p1700000000000100`. */
export function parseMessageRef(value: string): { channel: string; ts: string } | null {
  const trimmed = value.trim();
  const plain = /^([CGD][A-Z0-9]{2,}):(\d{9,}\.\d{1,6})$/.exec(trimmed);
  if (plain?.[1] && plain[2]) return { channel: plain[1], ts: plain[2] };
  const link = /\/archives\/([CGD][A-Z0-9]{2,})\/p(\d{10,})(?:[?#]|$)/.exec(trimmed);
  if (link?.[1] && link[2] && link[2].length > 6) {
    return { channel: link[1], ts: `${link[2].slice(0, -6)}.${link[2].slice(-6)}` };
  }
  return null;
}

const SEVERITY_ORDER = ["CRITICAL", "MAJOR", "MINOR", "WARNING"];

/**
 * Without `--alert`, the alert the health check would have posted, in its usual shape, written
 * from the execution's own issues, so that the scenario parses like any other.
 */
export function synthesizeAlertMessage(execution: HealthCheckExecution, executionUrl: string): SlackMessageInput {
  const input = execution.input;
  const org = typeof input.organizationName === "string" ? input.organizationName : "unknown organisation";
  const env = typeof input.environment === "string" ? input.environment : "prod";
  const cluster =
    (typeof input.clusterName === "string" && input.clusterName) ||
    (typeof (input.agentHandlerRequest as { clusterName?: unknown } | undefined)?.clusterName === "string"
      ? String((input.agentHandlerRequest as { clusterName: string }).clusterName)
      : "unknown-cluster");
  const severities = execution.issues.map((i) => i.severity.toUpperCase()).filter((s) => SEVERITY_ORDER.includes(s));
  const severity = SEVERITY_ORDER.find((s) => severities.includes(s)) ?? "CRITICAL";
  const lines =
    execution.issues.length > 0
      ? execution.issues.map((i) => `*${i.severity.toUpperCase()}:* ${i.description}`)
      : [`*${severity}:* ${execution.reasonForIncompletion ?? "the health check did not finish"}`];
  const count = execution.issues.length > 1 ? `following ${execution.issues.length} issues` : "following issue";
  const text = [
    `:rotating_light: *\`[${severity}]\`* The health-checking has FAILED for the _${org}'s_ ${env} *\`${cluster}\`* cluster with the ${count}:`,
    ...lines,
    executionUrl,
  ].join("\n");
  return { text, username: "Conductor Health Check (synthesized by capture)", subtype: "bot_message", bot_id: "BCAPTURE" };
}

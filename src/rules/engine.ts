import type { Alert, IssueType } from "../alerts/types.ts";
import { classifyIssue } from "../alerts/issue-types.ts";
import { errorMessage } from "../lib/errors.ts";
import { emptyStats, type Report } from "../report/schema.ts";
import type { ToolCallRecord, ToolInvoker, ToolResult } from "../tools/types.ts";
import { ANALYZERS } from "./judge/analyzers/index.ts";
import { composeReport } from "./compose/compose-report.ts";
import { buildEvidence } from "./evidence.ts";
import { extractIncident, type IncidentFacts } from "./read/read-incident.ts";
import { extractPods } from "./read/read-pods.ts";
import { isObject, parseNested } from "./read/walk-json.ts";
import { bindPod, findOtherSuspect, planCalls, podHintsFor, resolvePod } from "./investigate/plan-calls.ts";
import { planFollowUps } from "./investigate/plan-follow-ups.ts";
import { runAnalyzers } from "./judge/run-analyzers.ts";
import type { IssueEvidence } from "./types.ts";

export interface RulesInput {
  executionId: string;
  alert: Alert | null;
  /** Why the model was not used (the rules engine standing in); null when rules is the chosen engine. */
  fallbackReason?: string | null;
  signal?: AbortSignal;
}

/** Total tool calls the engine makes, get_incident_details included. */
export const MAX_RULES_CALLS = 10;

type CallRecord = Pick<ToolCallRecord, "name" | "input" | "result">;

/**
 * The deterministic triage: incident details, the playbook's calls for each issue type
 * (independent ones concurrently, pod-specific ones once the pod is known), the follow-ups those
 * answers call for, then the analyzers.
 * It never throws for tool or parse failures and always returns a report.
 */
export async function runRulesEngine(input: RulesInput, invoker: ToolInvoker, deps: { now: () => number }): Promise<Report> {
  const started = deps.now();
  const own: CallRecord[] = [];
  const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> => {
    const callInput = { executionId: input.executionId, ...args };
    const result = await callSafely(invoker, name, callInput, input.signal);
    own.push({ name, input: callInput, result });
    return result;
  };

  const incidentResult = await call("get_incident_details", {});
  const incident = extractIncident(parseNested(incidentResult.data), incidentResult.output);
  const issues = collectIssues(input.alert, incident, incidentResult.status === "ok");
  const types = [...new Set(issues.map((issue) => issue.type))];
  const alertPod = issues.find((issue) => issue.pod)?.pod ?? null;

  const plan = planCalls(types, alertPod, MAX_RULES_CALLS - 1);
  const first = await Promise.all(plan.filter((p) => !p.needsPod).map(async (p) => ({ tool: p.tool, result: await call(p.tool, p.args) })));
  const pods = first.filter((r) => r.tool === "get_pods_data" && r.result.status === "ok").flatMap((r) => extractPods(parseNested(r.result.data), r.result.output));
  const pod = resolvePod(alertPod, pods, podHintsFor(types));
  const bound = plan.filter((p) => p.needsPod).map((p) => ({ tool: p.tool, args: bindPod(p, pod) }));
  // A second troubled pod (e.g. Redis crash-looping behind server errors) gets its own events and logs.
  const suspect = findOtherSuspect(pod, pods);
  const room = MAX_RULES_CALLS - 1 - plan.length;
  const extra = suspect && room >= 2 ? [{ tool: "get_pod_events", args: { pod: suspect } }, { tool: "pull_pod_logs", args: { pod: suspect, lines: 200 } }] : [];
  await Promise.all([...bound, ...extra].map((b) => (b.args ? call(b.tool, b.args) : Promise.resolve(null))));
  // What the first answers point at (an empty replica, an exhausted pool, a stuck controller) gets a second look.
  const followUps = planFollowUps(buildEvidence(issues, own), pods, MAX_RULES_CALLS - own.length);
  await Promise.all(followUps.map((f) => call(f.tool, f.args)));

  // The model's calls (when standing in) are evidence too; a cached repeat is read once.
  const evidence = buildEvidence(issues, dedupe([...invoker.calls, ...own]));
  const analysis = runAnalyzers(evidence, ANALYZERS);
  if (!pod && bound.some((b) => b.args === null)) {
    analysis.findings.push({ text: "no pod to inspect: the alert names none and no pod list could be read, so pod events and logs were skipped", tool: "get_pods_data", weight: 0.2 });
  }
  const fields = composeReport({ evidence, analysis, types, severity: input.alert?.severity ?? null, cluster: input.alert?.cluster ?? incident.clusterName });
  return {
    ...fields,
    stats: {
      ...emptyStats("rules"),
      fallbackReason: input.fallbackReason ?? null,
      toolCalls: invoker.calls.length,
      durationMs: Math.max(0, deps.now() - started),
      commands: invoker.calls.flatMap((c) => (c.result.command && !c.cached ? [c.result.command] : [])),
    },
  };
}

async function callSafely(invoker: ToolInvoker, name: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult> {
  if (signal?.aborted) return { status: "error", output: `${name} skipped: ${errorMessage(signal.reason)}`, durationMs: 0, failure: "cancelled" };
  try {
    return await invoker.call(name, input);
  } catch (error) {
    return { status: "error", output: `${name} failed: ${errorMessage(error)}`, durationMs: 0 };
  }
}

/** The alert's issues; without an alert (or without issue lines), the execution's own, classified. */
function collectIssues(alert: Alert | null, incident: IncidentFacts, incidentRead: boolean): IssueEvidence[] {
  if (alert && alert.issues.length > 0) {
    return alert.issues.map((issue) => ({ type: issue.type, severity: issue.severity, text: issue.text, pod: issue.pod ?? null, source: "alert" }));
  }
  const fromExecution = incident.issues.map((issue) => ({
    type: safeClassify(issue.text, issue.severity),
    severity: issue.severity,
    text: issue.text,
    pod: /\s-\s([a-z0-9][-a-z0-9.]*[a-z0-9])\s*$/.exec(issue.text)?.[1] ?? null,
    source: "get_incident_details" as const,
  }));
  if (fromExecution.length > 0) return fromExecution;
  if (alert) return [{ type: "UNKNOWN", severity: alert.severity, text: alert.headline, pod: null, source: "alert" }];
  if (incident.reason) return [{ type: "UNKNOWN", severity: null, text: `health check ${incident.status ?? "failed"}: ${incident.reason}`, pod: null, source: "get_incident_details" }];
  const text = incidentRead ? "the health check failed without recorded issues" : "the failing execution could not be read";
  return [{ type: "UNKNOWN", severity: null, text, pod: null, source: "none" }];
}

function safeClassify(text: string, severity: IssueEvidence["severity"]): IssueType {
  try {
    return classifyIssue(text, severity);
  } catch {
    return "UNKNOWN";
  }
}

function dedupe(records: readonly CallRecord[]): CallRecord[] {
  const seen = new Set<string>();
  return records.filter((record) => {
    const key = `${record.name} ${canonicalInput(record.input)}`;
    return !seen.has(key) && seen.add(key);
  });
}

/** Sorted keys, without the execution id (pinned by the invoker): the same call reads the same. */
function canonicalInput(input: unknown): string {
  if (!isObject(input)) return JSON.stringify(input ?? null);
  return JSON.stringify(Object.entries(input).filter(([key]) => key !== "executionId").sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

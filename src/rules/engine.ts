import type { Alert, IssueType } from "../alerts/types.ts";
import { classifyIssue } from "../alerts/issue-types.ts";
import { errorMessage } from "../lib/errors.ts";
import { emptyStats, type Report } from "../report/schema.ts";
import type { ToolCallRecord, ToolInvoker, ToolResult } from "../tools/types.ts";
import { ANALYZERS } from "./judge/analyzers/index.ts";
import { callSources, composeReport } from "./compose/compose-report.ts";
import type { CallSource } from "./judge/verify-findings.ts";
import { buildEvidence, callIdOf } from "./evidence.ts";
import { extractIncident, type IncidentFacts } from "./read/read-incident.ts";
import { extractPods } from "./read/read-pods.ts";
import { isObject, parseNested } from "./read/walk-json.ts";
import { bindPod, conductorServerWorkloads, findOtherSuspect, planCalls, podHintsFor, resolvePod } from "./investigate/plan-calls.ts";
import { extractDeployments } from "./read/read-deployments.ts";
import { pausedSignaller } from "./judge/analyzers/analyze-external-waits.ts";
import { planFollowUps } from "./investigate/plan-follow-ups.ts";
import { callKey, planLeadCalls, type LeadContext } from "./investigate/follow-leads.ts";
import { EVIDENCE_MIN, rankAlongGraph, type Verdict } from "./judge/rank-along-graph.ts";
import { rankCandidates } from "./compose/compose-report.ts";
import { UNSETTLED, WIDENING } from "../playbook/leads.ts";
import { alertNodeFor, nodeForKey } from "../playbook/causal-graph.ts";
import type { PodRecord } from "./read/read-pods.ts";
import { runAnalyzers } from "./judge/run-analyzers.ts";
import type { Analysis, Evidence, IssueEvidence } from "./types.ts";

export interface RulesInput {
  executionId: string;
  alert: Alert | null;
  /** Why the model was not used (the rules engine standing in); null when rules is the chosen engine. */
  fallbackReason?: string | null;
  signal?: AbortSignal;
}

/** Total tool calls the engine makes, get_incident_details included. */
export const MAX_RULES_CALLS = 14;

type CallRecord = Pick<ToolCallRecord, "name" | "input" | "result">;

/**
 * The deterministic triage: incident details, the playbook's calls for each issue type
 * (independent ones concurrently, pod-specific ones once the pod is known), the follow-ups those
 * answers call for, then the analyzers.
 * It never throws for tool or parse failures and always returns a report.
 */
export async function runRulesEngine(input: RulesInput, invoker: ToolInvoker, deps: { now: () => number }): Promise<Report> {
  return (await runRulesTriage(input, invoker, deps)).report;
}

/** What the rules engine hands the model: the fact sheet and the calls its ids name. */
export interface RulesFacts {
  factSheet: string;
  sources: CallSource[];
}

/** The rules engine's report, with the fact sheet the model's first turn carries. */
export async function runRulesTriage(input: RulesInput, invoker: ToolInvoker, deps: { now: () => number }): Promise<{ report: Report; facts: RulesFacts }> {
  const started = deps.now();
  const own: CallRecord[] = [];
  const reasons: { tool: string; reason: string }[] = [];
  const made = new Set<string>();
  // Concurrent calls settle in any order; the evidence is read in the order they were asked for, so
  // the answer does not depend on which command happened to return first.
  const startOrder = new Map<string, number>();
  const inStartOrder = <T extends { name: string; input: unknown }>(records: readonly T[]): T[] =>
    [...records].sort((a, b) => (startOrder.get(keyOf(a)) ?? Infinity) - (startOrder.get(keyOf(b)) ?? Infinity));
  const modelCalls = invoker.calls.length;
  const call = async (name: string, args: Record<string, unknown>, reason: string): Promise<ToolResult> => {
    const callInput = { executionId: input.executionId, ...args };
    made.add(callKey(name, args));
    if (!startOrder.has(callKey(name, args))) startOrder.set(callKey(name, args), startOrder.size);
    reasons.push({ tool: name, reason });
    let result = await callSafely(invoker, name, callInput, input.signal);
    // A transient failure (a timed-out or unreachable command) gets one more try before it changes the answer.
    if (isTransient(result) && invoker.retry && !input.signal?.aborted) {
      reasons.push({ tool: name, reason: `retry: the first ${name} failed transiently` });
      result = await retrySafely(invoker, name, callInput);
    }
    own.push({ name, input: callInput, result });
    return result;
  };

  const incidentResult = await call("get_incident_details", {}, "the failing health check: its issues and cluster data");
  const incident = extractIncident(parseNested(incidentResult.data), incidentResult.output);
  const issues = collectIssues(input.alert, incident, incidentResult.status === "ok");
  const types = [...new Set(issues.map((issue) => issue.type))];
  const alertPod = issues.find((issue) => issue.pod)?.pod ?? null;

  const plan = planCalls(types, alertPod, MAX_RULES_CALLS - 1);
  const why = (p: { why?: string }) => `playbook (${types.join(", ")}): ${p.why ?? "the issue type's first look"}`;
  const first = await Promise.all(plan.filter((p) => !p.needsPod).map(async (p) => ({ tool: p.tool, result: await call(p.tool, p.args, why(p)) })));
  const pods = first.filter((r) => r.tool === "get_pods_data" && r.result.status === "ok").flatMap((r) => extractPods(parseNested(r.result.data), r.result.output));
  const deployments = first.filter((r) => r.tool === "get_deployments_info" && r.result.status === "ok").flatMap((r) => extractDeployments(parseNested(r.result.data), r.result.output));
  const pod = resolvePod(alertPod, pods, podHintsFor(types), conductorServerWorkloads(deployments));
  const bound = plan.filter((p) => p.needsPod).map((p) => ({ tool: p.tool, args: bindPod(p, pod), reason: why(p) }));
  // A second troubled pod (e.g. Redis crash-looping behind server errors) gets its own events and logs.
  const suspect = findOtherSuspect(pod, pods);
  const room = MAX_RULES_CALLS - 1 - plan.length;
  const second = "a second troubled pod: its own events and logs";
  const extra = suspect && room >= 2 ? [{ tool: "get_pod_events", args: { pod: suspect }, reason: second }, { tool: "pull_pod_logs", args: { pod: suspect, lines: 200 }, reason: second }] : [];
  await Promise.all([...bound, ...extra].map((b) => (b.args ? call(b.tool, b.args, b.reason) : Promise.resolve(null))));
  // What the first answers point at (an empty replica, an exhausted pool, a stuck controller) gets a second look.
  const followUps = planFollowUps(buildEvidence(issues, inStartOrder(own)), pods, MAX_RULES_CALLS - own.length);
  await Promise.all(followUps.map((f) => call(f.tool, f.args, "follow-up: what the first answers point at (an empty replica, an exhausted pool, a stuck controller)")));
  // Then the leads the findings open, a round at a time, within the budget.
  // Leads need a cluster that answers: when every command so far failed, more calls only add waiting.
  const answering = () => own.some((record) => record.name !== "get_incident_details" && record.result.status === "ok");
  for (let round = 0; round < LEAD_ROUNDS && !input.signal?.aborted && answering(); round += 1) {
    const sofar = buildEvidence(issues, inStartOrder(own));
    const steps = planLeadCalls(leadContext(sofar, runAnalyzers(sofar, ANALYZERS), pods, made), MAX_RULES_CALLS - own.length);
    if (steps.length === 0) break;
    await Promise.all(steps.map((step) => call(step.tool, step.args, step.reason)));
  }
  // Still nothing settled: widen the look with what is left of the budget before handing over.
  if (!input.signal?.aborted && answering()) {
    const sofar = buildEvidence(issues, inStartOrder(own));
    if (isUnsettled(rankAlongGraph(rankCandidates(runAnalyzers(sofar, ANALYZERS).candidates), sofar.issues))) {
      const context = { ...leadContext(sofar, { findings: [], candidates: [] }, pods, made), open: new Set([UNSETTLED]) };
      const steps = planLeadCalls(context, MAX_RULES_CALLS - own.length, [WIDENING]);
      await Promise.all(steps.map((step) => call(step.tool, step.args, step.reason)));
    }
  }

  // The model's calls (when standing in) are evidence too; a cached repeat is read once.
  const recorded = invoker.calls.map((call, i) => ({ ...call, callId: callIdOf(i) }));
  const evidence = buildEvidence(
    issues,
    dedupe([...recorded.slice(0, modelCalls), ...inStartOrder(recorded.slice(modelCalls)), ...inStartOrder(own).map((call, i) => ({ ...call, callId: `r${i + 1}` }))]),
  );
  const analysis = runAnalyzers(evidence, ANALYZERS);
  if (!pod && bound.some((b) => b.args === null)) {
    analysis.findings.push({ text: "no pod to inspect: the alert names none and no pod list could be read, so pod events and logs were skipped", tool: "get_pods_data", weight: 0.2 });
  }
  const { report: fields, findingsDropped, factSheet } = composeReport({ evidence, analysis, types, severity: input.alert?.severity ?? null, cluster: input.alert?.cluster ?? incident.clusterName });
  const report: Report = {
    ...fields,
    stats: {
      ...emptyStats("rules"),
      findingsDropped,
      callReasons: reasons,
      fallbackReason: input.fallbackReason ?? null,
      toolCalls: invoker.calls.length,
      durationMs: Math.max(0, deps.now() - started),
      commands: invoker.calls.flatMap((c) => (c.result.command && !c.cached ? [c.result.command] : [])),
    },
  };
  return { report, facts: { factSheet, sources: callSources(evidence) } };
}

function keyOf(record: { name: string; input: unknown }): string {
  return callKey(record.name, isObject(record.input) ? record.input : {});
}

/** No root, a root that is only a general reading, or two roots the evidence cannot tell apart. */
function isUnsettled(verdict: Verdict): boolean {
  return !verdict.root || verdict.root.candidate.template === true || verdict.competing.length > 0;
}

/** Lead-following rounds after the playbook's calls and follow-ups. */
const LEAD_ROUNDS = 2;

/**
 * A command the agent did not finish in time is worth one more try. Transport failures are not:
 * the Conductor client has already retried them, and a second round would only double the wait.
 */
function isTransient(result: ToolResult): boolean {
  if (result.status !== "error" || result.failure === "cancelled" || result.failure === "transport") return false;
  return /TIMED_OUT|timed out/i.test(result.output);
}

/** What the lead follower needs: the nodes with evidence so far (alert nodes too), the pods, the task nobody polls. */
function leadContext(evidence: Evidence, analysis: Analysis, pods: readonly PodRecord[], made: ReadonlySet<string>): LeadContext {
  const open = new Set(evidence.issues.map((issue) => alertNodeFor(issue.type).id));
  for (const candidate of analysis.candidates) {
    const node = candidate.weight >= EVIDENCE_MIN ? nodeForKey(candidate.key) : undefined;
    if (node) open.add(node.id);
  }
  const pending = analysis.candidates.find((c) => c.key === "tasks-unpolled" && c.subject)?.subject ?? null;
  const listed = evidence.results.filter((r) => r.tool === "get_pods_data" && r.status === "ok").flatMap((r) => extractPods(r.data, r.text));
  const unreadPods = new Set(evidence.results.filter((r) => r.tool === "pull_pod_logs" && r.status !== "ok").flatMap((r) => (typeof r.input.pod === "string" ? [r.input.pod] : [])));
  const deployments = evidence.results.filter((r) => r.tool === "get_deployments_info" && r.status === "ok").flatMap((r) => extractDeployments(r.data, r.text));
  return { open, pods: listed.length > 0 ? listed : pods, pendingTask: pending, made, unreadPods, serverWorkloads: conductorServerWorkloads(deployments), signaller: pausedSignaller(evidence)?.workload ?? null };
}

async function retrySafely(invoker: ToolInvoker, name: string, input: Record<string, unknown>): Promise<ToolResult> {
  try {
    return (await invoker.retry?.(name, input)) ?? (await invoker.call(name, input));
  } catch (error) {
    return { status: "error", output: `${name} failed: ${errorMessage(error)}`, durationMs: 0 };
  }
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

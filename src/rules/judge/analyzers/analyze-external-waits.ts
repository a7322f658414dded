import { CONDUCTOR_SERVER_IMAGE } from "../../../playbook/component-pods.ts";
import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { extractDeployments, type DeploymentRecord } from "../../read/read-deployments.ts";
import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { workloadOf } from "../../read/workload-name.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * Conductor's task types that no worker polls: an outside caller completes them through the API
 * (a WAIT or HUMAN task is signalled, an EVENT task's message arrives). When they pile up
 * IN_PROGRESS, what should signal them is not doing it.
 */
const EXTERNAL = /^(WAIT|HUMAN|EVENT|YIELD)$/i;
/** Waiting tasks of one reference in these numbers hold their workflows RUNNING. */
const PILED = 1_000;
/** A switch that turns a service's work off: `X_ENABLED=false`, `CONSUMER_PAUSED=true`. */
const OFF_WHEN_FALSE = /(^|[._-])(ENABLED?|ACTIVE|ON|RUNNING)$/i;
const OFF_WHEN_TRUE = /(^|[._-])(PAUSED?|DISABLED?|SUSPEND(ED)?|STOPPED|DRY[._-]?RUN|MAINTENANCE)$/i;
/** Switches of side features, not of the service's work. */
const PERIPHERAL = /TLS|SSL|METRIC|TRACING|TRACE|DEBUG|LOG|CACHE|PROFIL|TELEMETRY|AUTH|SWAGGER|HEALTH|PROBE|OTEL|SENTRY/i;
/** What a service logs when it has stopped its own work. */
const PAUSED_LINE = /\b(paus(ed|ing)|suspend(ed|ing)|disabled|not consuming|stopped consuming)\b/i;

export interface WaitingTasks {
  type: string;
  ref: string | null;
  count: number;
  since: string | null;
  tool: string;
}

export interface PausedSignaller {
  workload: string;
  setting: string;
}

/** Workflows parked on a WAIT/HUMAN/EVENT task, and the running service whose switch is off. */
export const analyzeExternalWaits: Analyzer = {
  name: "external waits",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const waiting = waitingTasks(evidence);
    if (!waiting) return analysis;
    const label = `${formatNumber(waiting.count)} ${waiting.type} tasks${waiting.ref ? ` ${waiting.ref}` : ""}`;
    const since = waiting.since ? ` since ${waiting.since}` : "";
    analysis.findings.push({ text: `${waiting.type}${waiting.ref ? ` ${waiting.ref}` : ""} IN_PROGRESS ${formatNumber(waiting.count)}${since}`, note: "completed from outside, not by workers", tool: waiting.tool, weight: 0.7, key: "external-wait" });
    analysis.candidates.push({
      key: "external-wait",
      cause: `${label} wait IN_PROGRESS${since}: nothing completes them (a ${waiting.type} task is completed by an outside caller, not polled), so their workflows stay RUNNING`,
      fact: `${waiting.ref ?? waiting.type} ${formatNumber(waiting.count)} IN_PROGRESS`,
      weight: 0.7,
      appOrInfra: "app",
      nextStep: `Find the service that completes ${waiting.ref ?? `the ${waiting.type} tasks`} (its deployment's settings and logs) and why it stopped`,
      tool: waiting.tool,
    });
    const signaller = pausedSignaller(evidence, waiting);
    if (!signaller) return analysis;
    const said = pausedLogLine(evidence, signaller.workload);
    analysis.findings.push({ text: `${signaller.workload}: ${signaller.setting}`, note: "its own work switched off", tool: "get_deployments_info", weight: 0.85, key: "signaller-paused" });
    if (said) analysis.findings.push({ text: `${said.pod}: ${quoteLine(said.line)}`, tool: "pull_pod_logs", weight: 0.8, key: "signaller-paused" });
    analysis.candidates.push({
      key: "signaller-paused",
      cause: `${signaller.workload} runs with ${signaller.setting}${said ? ` (its log: ${quoteLine(said.line)})` : ""}: it is paused, so the ${label} it should complete wait IN_PROGRESS${since} and their workflows stay RUNNING`,
      fact: `${signaller.workload} paused (${signaller.setting})`,
      weight: said ? 0.88 : 0.82,
      appOrInfra: "app",
      nextStep: `Re-enable ${signaller.workload} (${signaller.setting.replace(/=.*$/, "")}) once it is safe; the waiting tasks complete as it catches up`,
      tool: "get_deployments_info",
    });
    return analysis;
  },
};

/** The most piled-up WAIT/HUMAN/EVENT reference IN_PROGRESS, from the task table or task metrics. */
export function waitingTasks(evidence: Evidence): WaitingTasks | null {
  const found: WaitingTasks[] = [];
  for (const result of resultsFor(evidence, "run_sql_select")) {
    for (const row of extractRows(result.data, result.text)) {
      const entries = Object.entries(row).map(([k, v]) => [normalizeKey(k), v] as const);
      const get = (...keys: string[]) => entries.find(([k]) => keys.includes(k))?.[1];
      const type = get("tasktype");
      const status = get("status");
      if (typeof type !== "string" || !EXTERNAL.test(type) || typeof status !== "string" || !/^IN_PROGRESS$/i.test(status)) continue;
      const count = toNumber(get("count", "tasks", "n", "total"));
      const ref = get("referencetaskname", "taskrefname", "refname", "taskname");
      const since = get("oldeststart", "oldest", "since", "minstarttime", "oldeststarttime");
      if (count !== null) found.push({ type: type.toUpperCase(), ref: typeof ref === "string" ? ref : null, count, since: typeof since === "string" ? since : null, tool: result.tool });
    }
  }
  for (const result of resultsFor(evidence, "get_cluster_metrics")) {
    for (const match of result.text.matchAll(/^\w*task\w*in_?progress\w*\{([^}]*)\}\s+([\d.e+]+)\s*$/gim)) {
      const type = /task_?type="(\w+)"/i.exec(match[1] ?? "")?.[1];
      const count = Number(match[2]);
      if (!type || !EXTERNAL.test(type) || !Number.isFinite(count)) continue;
      found.push({ type: type.toUpperCase(), ref: /task_?ref_?name="([\w.-]+)"/i.exec(match[1] ?? "")?.[1] ?? null, count, since: null, tool: result.tool });
    }
  }
  // The task table first (it says since when), then the largest count.
  return found.filter((w) => w.count >= PILED).sort((a, b) => b.count - a.count || Number(b.since !== null) - Number(a.since !== null))[0] ?? null;
}

/**
 * The running workload (not Conductor's server) whose own switch is off: the one named like the
 * waiting task when several are, else the only one.
 */
export function pausedSignaller(evidence: Evidence, waiting: WaitingTasks | null = waitingTasks(evidence)): PausedSignaller | null {
  if (!waiting) return null;
  const switchedOff = resultsFor(evidence, "get_deployments_info")
    .flatMap((r) => extractDeployments(r.data, r.text))
    .filter((d) => !d.images.some((image) => CONDUCTOR_SERVER_IMAGE.test(image)) && d.desired !== 0)
    .flatMap((d) => {
      const setting = offSetting(d);
      return setting ? [{ workload: d.name, setting }] : [];
    });
  const words = (waiting.ref ?? "").toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length >= 4);
  const named = switchedOff.filter((s) => words.some((w) => s.workload.toLowerCase().includes(w)));
  if (named.length >= 1) return named[0] ?? null;
  // Not named like the task: only a lone switch over the service's own work, not a side feature (TLS, metrics, logging).
  const own = switchedOff.filter((s) => !PERIPHERAL.test(s.setting.replace(/=.*$/, "")));
  return own.length === 1 && switchedOff.length === 1 ? (own[0] ?? null) : null;
}

function offSetting(deployment: DeploymentRecord): string | null {
  for (const [key, raw] of Object.entries(deployment.env)) {
    const value = raw.trim().toLowerCase();
    if ((OFF_WHEN_FALSE.test(key) && /^(false|0|no|off)$/.test(value)) || (OFF_WHEN_TRUE.test(key) && /^(true|1|yes|on)$/.test(value))) return `${key}=${raw.trim()}`;
  }
  return null;
}

function pausedLogLine(evidence: Evidence, workload: string): { pod: string; line: string } | null {
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const pod = podOf(result);
    if (!pod || workloadOf(pod) !== workload) continue;
    const line = logTextOf(result).split(/\r?\n/).find((l) => PAUSED_LINE.test(l) && /\b(WARN|ERROR|INFO)\b|"level"/.test(l));
    if (line) return { pod, line: line.trim() };
  }
  return null;
}

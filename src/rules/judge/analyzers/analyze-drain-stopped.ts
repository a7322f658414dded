import { parseTables } from "../../read/parse-table.ts";
import { findMetric } from "../../read/read-metrics.ts";
import { DECIDER_BACKLOG } from "./analyze-decider-queue.ts";
import { readWorkloads } from "../../read/read-settings.ts";
import { asText, isObject, objectName, readKey, walkObjects } from "../../read/walk-json.ts";
import { hasIssue, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** What a workload that removes finished data is called, in its name or its settings (archiver, cleanup, purge, TTL sweeper…). */
const DRAIN_ROLE = /archiv|clean(?:up|er)|purg|janitor|reaper|prun(?:e|er|ing)|compactor|garbage|evictor|drainer|sweeper/i;
/** Settings that say a workload removes data (`REMOVE_FROM_REDIS_AFTER_ARCHIVE`, `PURGE_AFTER_DAYS`); `LOG_RETENTION_DAYS` is any app's. */
const DRAIN_SETTING = /archiv|purg|cleanup|remove\w*(?:redis|after)|delete\w*after/i;
/** A log line saying that removal stopped: no heartbeat, nothing archived, data retained. */
const ABSENT = /\b(?:no|not|never|missing|stale|stopped|retained|without)\b/i;
const ROLE_WORD = new RegExp(`[A-Za-z]*(?:${DRAIN_ROLE.source})[A-Za-z]*`, "i");

/**
 * A deployment whose job is to remove finished data (archive completed workflows and delete them
 * from Redis, purge, clean up) scaled to 0: nothing takes the data away any more, so the store it
 * drained grows without any backlog. A cause under a Redis alert; the server's own log line saying
 * that the removal stopped (no archiver heartbeat, retained until archived) confirms it.
 */
export const analyzeDrainStopped: Analyzer = {
  name: "drain workload stopped",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    if (!hasIssue(evidence, "REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE")) return analysis;
    const stopped = resultsFor(evidence, "get_deployments_info").flatMap((result) => [
      ...readWorkloads(result.data, result.text)
        .filter((d) => (d.desired === 0 || (d.desired !== null && d.ready === 0)) && (DRAIN_ROLE.test(d.name) || Object.keys(d.env).some((key) => DRAIN_SETTING.test(key))))
        .map((d) => ({
          deployment: { name: d.name, env: d.env, changeCause: d.changeCause, lastChange: d.lastChange, kind: "deployment", state: d.desired === 0 ? "is scaled to 0 replicas" : `has no ready pod (0/${d.desired} ready)` },
          tool: result.tool,
        })),
      ...suspendedJobs(result.data, result.text)
        .filter((name) => DRAIN_ROLE.test(name))
        .map((name) => ({ deployment: { name, env: {}, changeCause: null, lastChange: null, kind: "CronJob", state: "is suspended" }, tool: result.tool })),
    ]);
    // Finished workflows pile up without a backlog; with one, the running workflows are what fills Redis.
    const backlog = resultsFor(evidence, "get_incident_details", "get_cluster_metrics").map((r) => findMetric(r.data, r.text, /decider/)).find((n) => n !== null && n > DECIDER_BACKLOG) ?? null;
    for (const { deployment, tool } of stopped) {
      const role = ROLE_WORD.exec(deployment.name)?.[0] ?? ROLE_WORD.exec(Object.keys(deployment.env).join(" "))?.[0] ?? "cleanup";
      const change = deployment.changeCause ? ` (last change: ${deployment.changeCause})` : "";
      analysis.findings.push({ text: `${deployment.kind} ${deployment.name} ${deployment.state}${change}`, tool, weight: 0.75, key: "drain-stopped" });
      const confirmed = confirmingLine(evidence, deployment.name, role);
      if (confirmed) analysis.findings.push({ text: `${confirmed.pod}: ${quoteLine(confirmed.line, 180)}`, tool: "pull_pod_logs", weight: 0.7, key: "drain-stopped" });
      const since = deployment.lastChange ? ` since ${deployment.lastChange}` : "";
      analysis.candidates.push({
        key: "drain-stopped",
        cause: `The ${deployment.name} ${deployment.kind} ${deployment.state}${change}${since}; as the ${role.toLowerCase()} it is what removes finished workflows, so nothing takes them out of Redis any more and Redis keeps growing without a backlog${confirmed ? ` (${quoteLine(confirmed.line, 140)})` : ""}`,
        fact: `${deployment.name} ${deployment.state.replace(/^is /, "")}`,
        weight: backlog !== null ? 0.45 : confirmed ? 0.8 : 0.6,
        appOrInfra: "infra",
        nextStep: `Ask the owner of ${deployment.name} whether stopping it was meant${deployment.changeCause ? ` (${deployment.changeCause})` : ""}; scaled back up (a human action), it drains what piled up and Redis usage falls`,
        tool,
        subject: deployment.name,
      });
    }
    return analysis;
  },
};

/** CronJobs with `suspend: true` (JSON) or `True` in a `kubectl get cronjobs` SUSPEND column. */
function suspendedJobs(data: unknown, text: string): string[] {
  const names: string[] = [];
  walkObjects(data, (object) => {
    const spec = isObject(object.spec) ? object.spec : object;
    const suspended = readKey(spec, "suspend", "suspended");
    const name = objectName(object);
    if (name && readKey(spec, "schedule") !== undefined && (suspended === true || String(suspended).toLowerCase() === "true")) names.push(name);
    return false;
  });
  for (const row of parseTables(asText(text))) if (row.name && row.schedule && /^true$/i.test(row.suspend ?? "")) names.push(row.name);
  return [...new Set(names)];
}

/** A server log line naming the stopped workload (or its role) and saying the work is not done. */
function confirmingLine(evidence: Parameters<Analyzer["analyze"]>[0], name: string, role: string): { pod: string; line: string } | null {
  const stem = (DRAIN_ROLE.exec(role)?.[0] ?? role).toLowerCase();
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const line = logTextOf(result)
      .split(/\r?\n/)
      .find((l) => (l.includes(name) || (stem.length >= 4 && l.toLowerCase().includes(stem))) && ABSENT.test(l));
    if (line) return { pod: podOf(result) ?? "the pod", line };
  }
  return null;
}

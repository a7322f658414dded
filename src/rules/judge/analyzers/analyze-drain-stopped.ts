import { readWorkloads } from "../../read/read-settings.ts";
import { hasIssue, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** What a workload that removes finished data is called, in its name or its settings (archiver, cleanup, purge, TTL sweeper…). */
const DRAIN_ROLE = /archiv|clean(?:up|er)|purg|janitor|reaper|prun(?:e|er|ing)|retention|compact(?:or|ion)|garbage|expir(?:e|er|y)|evict(?:or|ion)/i;
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
    const stopped = resultsFor(evidence, "get_deployments_info").flatMap((result) =>
      readWorkloads(result.data, result.text)
        .filter((d) => d.desired === 0 && (DRAIN_ROLE.test(d.name) || Object.keys(d.env).some((key) => DRAIN_ROLE.test(key))))
        .map((deployment) => ({ deployment, tool: result.tool })),
    );
    for (const { deployment, tool } of stopped) {
      const role = ROLE_WORD.exec(deployment.name)?.[0] ?? ROLE_WORD.exec(Object.keys(deployment.env).join(" "))?.[0] ?? "cleanup";
      const change = deployment.changeCause ? ` (last change: ${deployment.changeCause})` : "";
      analysis.findings.push({ text: `deployment ${deployment.name} is scaled to 0 replicas${change}`, tool, weight: 0.75, key: "drain-stopped" });
      const confirmed = confirmingLine(evidence, deployment.name, role);
      if (confirmed) analysis.findings.push({ text: `${confirmed.pod}: ${quoteLine(confirmed.line, 180)}`, tool: "pull_pod_logs", weight: 0.7, key: "drain-stopped" });
      const since = deployment.lastChange ? ` since ${deployment.lastChange}` : "";
      analysis.candidates.push({
        key: "drain-stopped",
        cause: `The ${deployment.name} deployment is scaled to 0 replicas${change}${since}; as the ${role.toLowerCase()} it is what removes finished workflows, so nothing takes them out of Redis any more and Redis keeps growing without a backlog${confirmed ? ` (${quoteLine(confirmed.line, 140)})` : ""}`,
        fact: `${deployment.name} scaled to 0`,
        weight: confirmed ? 0.8 : 0.6,
        appOrInfra: "infra",
        nextStep: `Ask the owner of ${deployment.name} whether scaling it to 0 was meant${deployment.changeCause ? ` (${deployment.changeCause})` : ""}; scaled back up (a human action), it drains what piled up and Redis usage falls`,
        tool,
        subject: deployment.name,
      });
    }
    return analysis;
  },
};

/** A server log line naming the stopped workload (or its role) and saying the work is not done. */
function confirmingLine(evidence: Parameters<Analyzer["analyze"]>[0], name: string, role: string): { pod: string; line: string } | null {
  const stem = (DRAIN_ROLE.exec(role)?.[0] ?? role).toLowerCase();
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const line = logTextOf(result)
      .split(/\r?\n/)
      .find((l) => (l.includes(name) || (stem.length >= 5 && l.toLowerCase().includes(stem))) && ABSENT.test(l));
    if (line) return { pod: podOf(result) ?? "the pod", line };
  }
  return null;
}

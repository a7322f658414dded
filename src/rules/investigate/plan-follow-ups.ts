import { SESSIONS_QUERY } from "../../playbook/leads.ts";
import type { ToolName } from "../../tools/types.ts";

export { SESSIONS_QUERY };
import { podScore } from "../judge/analyzers/analyze-pod-statuses.ts";
import { CERT_MANAGER, DNS_RECORD_CONTROLLER, INGRESS_CONTROLLER } from "../../playbook/component-pods.ts";
import { analyzeSaturation } from "../judge/analyzers/analyze-saturation.ts";
import { findDependencyRejection } from "../judge/analyzers/analyze-dependency-auth.ts";
import { hasIssue, logTextOf, podOf, resultsFor } from "../evidence.ts";
import { extractIngresses } from "../read/read-ingresses.ts";
import type { PodRecord } from "../read/read-pods.ts";
import type { Evidence } from "../types.ts";
import { workloadOf } from "../read/workload-name.ts";

export { workloadOf };

export interface FollowUpCall {
  tool: ToolName;
  args: Record<string, string | number>;
}


/** A pool waiting for connections (not Hikari's housekeeping warnings, not a failed login). */
const POOL_EXHAUSTED = /Connection is not available|CannotGetJdbcConnection|too many clients|remaining connection slots|pool (is )?exhausted/i;
const OUT_OF_SLOTS = /too many clients|remaining connection slots/i;
const PULL_LINES = 200;

/**
 * Second-look calls an experienced engineer makes once the first answers are in: another
 * replica's logs when the first had none, Postgres sessions when the pool is exhausted, the
 * ingress controller when an ingress has no address or no endpoints, cert-manager when a
 * certificate is not renewed. Pure; at most `room` calls, most telling first.
 */
export function planFollowUps(evidence: Evidence, pods: readonly PodRecord[], room: number): FollowUpCall[] {
  const pulled = new Set(resultsFor(evidence, "pull_pod_logs").map(podOf));
  const calls: FollowUpCall[] = [
    ...siblingLogs(evidence, pods, pulled),
    ...databaseSessions(evidence),
    ...controllerCalls(evidence, pods, pulled),
    ...certManagerLogs(evidence, pods, pulled),
    ...dnsControllerLogs(evidence, pods, pulled),
    ...rejectedWorkerLogs(evidence, pods, pulled),
  ];
  return calls.slice(0, Math.max(0, room));
}

/** A replica with empty logs says nothing; its sibling (same workload) may hold the story. */
function siblingLogs(evidence: Evidence, pods: readonly PodRecord[], pulled: ReadonlySet<string | null>): FollowUpCall[] {
  const empty = evidence.results.find((r) => r.tool === "pull_pod_logs" && (r.status === "no_data" || (r.status === "ok" && logTextOf(r).trim() === "")));
  const pod = empty ? podOf(empty) : null;
  if (!empty || !pod) return [];
  const workload = workloadOf(pod);
  const sibling = [...pods].filter((p) => p.name !== pod && !pulled.has(p.name) && workloadOf(p.name) === workload).sort((a, b) => podScore(b) - podScore(a))[0];
  if (!sibling) return [];
  const { lines, grep } = empty.input;
  return [{ tool: "pull_pod_logs", args: { pod: sibling.name, lines: typeof lines === "number" ? lines : PULL_LINES, ...(typeof grep === "string" ? { grep } : {}) } }];
}

function databaseSessions(evidence: Evidence): FollowUpCall[] {
  // Postgres itself refusing connections: the agent's SQL may not get a slot either, the exporter's counts per client still come.
  const outOfSlots = resultsFor(evidence, "pull_pod_logs").some((r) => OUT_OF_SLOTS.test(logTextOf(r)));
  const exporter: FollowUpCall[] = outOfSlots && resultsFor(evidence, "get_infrastructure_metrics").length === 0 ? [{ tool: "get_infrastructure_metrics", args: {} }] : [];
  if (resultsFor(evidence, "run_sql_select").some((r) => /pg_stat_activity/i.test(String(r.input.query ?? "")))) return exporter;
  const poolInLogs = resultsFor(evidence, "pull_pod_logs").some((r) => POOL_EXHAUSTED.test(logTextOf(r)));
  const saturated = analyzeSaturation.analyze(evidence).candidates.some((c) => c.key === "database");
  return poolInLogs || saturated ? [{ tool: "run_sql_select", args: { query: SESSIONS_QUERY } }, ...exporter] : exporter;
}

/** No address (the controller never built the LB) or an unreachable domain (the controller routes it). */
function controllerCalls(evidence: Evidence, pods: readonly PodRecord[], pulled: ReadonlySet<string | null>): FollowUpCall[] {
  const ingresses = resultsFor(evidence, "get_ingress_info").flatMap((r) => extractIngresses(r.data, r.text));
  const broken = ingresses.some((i) => i.address === null || i.endpoints === 0);
  if (!broken && !(ingresses.length > 0 && hasIssue(evidence, "DOMAIN_REACHABILITY"))) return [];
  const controller = pickPod(pods, INGRESS_CONTROLLER);
  if (!controller || pulled.has(controller)) return [];
  return [
    { tool: "pull_pod_logs", args: { pod: controller, lines: PULL_LINES } },
    { tool: "get_pod_events", args: { pod: controller } },
  ];
}

/** A domain that does not resolve although its ingress has an address: the controller that writes the record says why not. */
function dnsControllerLogs(evidence: Evidence, pods: readonly PodRecord[], pulled: ReadonlySet<string | null>): FollowUpCall[] {
  if (!hasIssue(evidence, "DOMAIN_RESOLUTION")) return [];
  const ingresses = resultsFor(evidence, "get_ingress_info").flatMap((r) => extractIngresses(r.data, r.text));
  if (!ingresses.some((i) => i.address !== null)) return [];
  const controller = pickPod(pods, DNS_RECORD_CONTROLLER);
  return controller && !pulled.has(controller) ? [{ tool: "pull_pod_logs", args: { pod: controller, lines: PULL_LINES } }] : [];
}

function certManagerLogs(evidence: Evidence, pods: readonly PodRecord[], pulled: ReadonlySet<string | null>): FollowUpCall[] {
  if (!hasIssue(evidence, "DOMAIN_CERTIFICATE_WILL_EXPIRE")) return [];
  const controller = pickPod(pods, CERT_MANAGER);
  return controller && !pulled.has(controller) ? [{ tool: "pull_pod_logs", args: { pod: controller, lines: PULL_LINES } }] : [];
}

/** The server relays a worker's failure (a third party rejecting its credential): the worker's own log says why (the secret, not the token). */
function rejectedWorkerLogs(evidence: Evidence, pods: readonly PodRecord[], pulled: ReadonlySet<string | null>): FollowUpCall[] {
  const workload = findDependencyRejection(evidence)?.[0]?.workload;
  if (!workload || [...pulled].some((pod) => pod !== null && workloadOf(pod) === workload)) return [];
  const pod = [...pods].filter((p) => workloadOf(p.name) === workload).sort((a, b) => podScore(b) - podScore(a))[0]?.name;
  return pod ? [{ tool: "pull_pod_logs", args: { pod, lines: PULL_LINES } }] : [];
}

/** The matching pod most worth reading (a troubled one first). */
export function pickPod(pods: readonly PodRecord[], pattern: RegExp): string | null {
  return [...pods].filter((p) => pattern.test(p.name)).sort((a, b) => podScore(b) - podScore(a))[0]?.name ?? null;
}

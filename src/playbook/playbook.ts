import type { IssueType } from "../alerts/types.ts";
import type { PlaybookEntry, PlaybookStep } from "./types.ts";

/*
 * How an experienced engineer triages each health-issue type (domain.md §2), as data: the rules
 * engine runs `tools` in order and the model reads the same text in its system prompt.
 */

const INCIDENT: PlaybookStep = {
  tool: "get_incident_details",
  why: "issues, severity and cluster data (Redis %, decider queue = running workflows, heap, CPU) from the failing health check",
};
const PODS: PlaybookStep = { tool: "get_pods_data", why: "phase, ready, restart counts and last-state reasons (OOMKilled) of every pod" };
const EVENTS: PlaybookStep = {
  tool: "get_pod_events",
  args: { pod: "{pod}" },
  why: "OOMKilled, CrashLoopBackOff, ImagePullBackOff, probe failures, FailedScheduling, Evicted",
};
const INGRESS: PlaybookStep = { tool: "get_ingress_info", why: "hosts and load-balancer address; an empty address means the LB was never provisioned" };
const CLUSTER_METRICS: PlaybookStep = { tool: "get_cluster_metrics", why: "Redis used memory, decider/indexer queue depths, heap and CPU per pod" };
const DEPLOYMENTS: PlaybookStep = { tool: "get_deployments_info", why: "replicas desired vs ready (a worker deployment scaled to 0 leaves its tasks unpolled), images, limits" };
/** Conductor's Postgres index (workflow_index) says which workflow type is piling up. */
const RUNNING_BY_TYPE: PlaybookStep = {
  tool: "run_sql_select",
  args: {
    query: "SELECT workflow_type, count(*) AS running FROM workflow_index WHERE status = 'RUNNING' GROUP BY workflow_type ORDER BY running DESC LIMIT 10",
  },
  why: "which workflow type holds the running backlog",
};

function logs(lines: number, why: string, grep?: string): PlaybookStep {
  return { tool: "pull_pod_logs", args: { pod: "{pod}", lines, ...(grep ? { grep } : {}) }, why };
}

const SERVER = ["conductor-server", "server", "conductor"];
const WORKERS = ["worker"];

const redisEntry = (type: IssueType, title: string, level: string): PlaybookEntry => ({
  type,
  title,
  category: "saturation",
  symptom: `Redis memory is above the ${level} threshold. Redis holds the queues, so this is usually a decider-queue backlog, not a Redis fault.`,
  podHints: SERVER,
  tools: [
    INCIDENT,
    CLUSTER_METRICS,
    PODS,
    DEPLOYMENTS,
    RUNNING_BY_TYPE,
    logs(500, "the server's warnings and exceptions: workflows stuck on a task nobody polls, oversized payloads, Redis connection errors"),
  ],
  evidence: ["Redis usage % vs threshold", "decider queue size (> 1,000 running workflows = backlog, > 10,000 severe)", "the workflow type piling up and a worker deployment at 0 replicas", "dominant server warning or exception with its count"],
  rootCauses: [
    "Decider-queue backlog: a workflow type started in bulk or stuck RUNNING (workers not polling its tasks)",
    "Workflows with huge inputs/outputs or many tasks kept in Redis",
    "Redis maxmemory too small for the cluster's normal load",
  ],
  nextSteps: [
    "Find the workflow type piling up (Conductor UI: search RUNNING workflows by name) and check that its workers are polling; pause or terminate the runaway workflows before adding Redis memory",
    "If the load is legitimate, raise Redis memory for the cluster",
  ],
});

const ENTRIES: PlaybookEntry[] = [
  redisEntry("REDIS_CRITICAL_USAGE", "Redis usage critical", "CRITICAL"),
  redisEntry("REDIS_HIGH_USAGE", "Redis usage high", "HIGH"),
  {
    type: "CONDUCTOR_HIGH_HEAP_USAGE",
    title: "Conductor heap high",
    category: "saturation",
    symptom: "A Conductor server JVM is using most of its heap; GC pauses and OutOfMemoryError follow.",
    podHints: SERVER,
    tools: [INCIDENT, { tool: "get_top_output", args: { pod: "{pod}" }, why: "which pod holds the memory" }, PODS, logs(500, "OutOfMemoryError with the frame that allocates, GC overhead, large payloads or searches")],
    evidence: ["heap % per server pod", "restarts with last state OOMKilled", "OutOfMemoryError count in logs"],
    rootCauses: ["Backlog of running workflows kept in memory", "Large workflow/task payloads", "Heap (-Xmx) or container memory limit too small", "Memory leak after an upgrade"],
    nextSteps: ["Compare heap usage with the decider queue and payload sizes; if load is normal raise -Xmx together with the container memory limit, otherwise take a heap dump in a maintenance window (not from the bot)"],
  },
  {
    type: "CONDUCTOR_HIGH_CPU_USAGE",
    title: "Conductor CPU high",
    category: "saturation",
    symptom: "A Conductor server is using most of its CPU; requests slow down and tasks wait.",
    podHints: SERVER,
    tools: [
      INCIDENT,
      { tool: "get_top_output", args: { pod: "{pod}" }, why: "the hot pod and process" },
      PODS,
      { tool: "get_thread_dump", args: { pod: "{pod}" }, why: "what the busy threads run (RUNNABLE frames, BLOCKED locks)" },
      logs(300, "what the busy threads are doing: long-running INLINE scripts, sweeper warnings"),
    ],
    evidence: ["hot pod with its CPU value", "dominant RUNNABLE frame or BLOCKED count in the thread dump", "decider queue size"],
    rootCauses: ["Backlog: the decider sweeping many running workflows", "A hot loop or lock contention (thread dump)", "CPU limit too low / throttling", "Heavy GC caused by a full heap"],
    nextSteps: ["Open the thread dump and look at the busiest RUNNABLE frames; if it is the sweeper/decider, treat it as a backlog, otherwise raise the CPU limit or open an engineering ticket with the dump"],
  },
  {
    type: "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD",
    title: "Conductor error logs over threshold",
    category: "saturation",
    symptom: "The server logged more ERROR lines than the threshold in the check window.",
    podHints: SERVER,
    tools: [INCIDENT, PODS, logs(1000, "count exception classes and Caused-by chains; name the dominant one")],
    evidence: ["dominant exception class with its count", "its Caused by root", "how many ERROR lines are harmless noise (deprecation)"],
    rootCauses: ["A dependency failing (Redis JedisConnectionException, Postgres, Elasticsearch)", "A customer workflow failing repeatedly", "Noisy but harmless errors after an upgrade"],
    nextSteps: ["Follow the dominant exception: check the dependency it names (Redis/Postgres/ES) or the workflow that triggers it; if it is harmless noise, tune the threshold"],
  },
  {
    type: "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD",
    title: "Conductor warn logs over threshold",
    category: "saturation",
    symptom: "The server logged more WARN lines than the threshold in the check window.",
    podHints: SERVER,
    tools: [INCIDENT, PODS, logs(1000, "the dominant WARN message", "WARN")],
    evidence: ["dominant WARN message with its count", "whether any ERROR/exception accompanies it"],
    rootCauses: ["Slow queries or retries against a dependency", "Deprecated API use by a client", "Workers polling tasks that no longer exist"],
    nextSteps: ["Name the client or workflow behind the dominant warning and tell its owner; if harmless, tune the threshold"],
  },
  {
    type: "CONDUCTOR_HEALTHY",
    title: "Conductor health check failed",
    category: "component",
    symptom: "The Conductor server did not answer its health endpoint.",
    podHints: SERVER,
    tools: [INCIDENT, PODS, EVENTS, logs(300, "the last lines before the failure: startup errors, Redis/Postgres connection failures")],
    evidence: ["server pods' phase and restarts", "warning events (OOMKilled, probes, scheduling)", "dominant exception in server logs"],
    rootCauses: ["Server pods crashing (OOMKilled, startup error)", "Redis or Postgres unreachable", "Probe failing under load"],
    nextSteps: ["Fix what the events/logs name (memory limit, dependency, config), then confirm the server pods are Ready and the next health check passes"],
  },
  {
    type: "WORKERS_HEALTHY",
    title: "Workers health check failed",
    category: "component",
    symptom: "The system workers are not polling or not running.",
    podHints: WORKERS,
    tools: [INCIDENT, PODS, DEPLOYMENTS, EVENTS, logs(300, "worker errors: cannot reach the server, auth failures")],
    evidence: ["worker pods' phase and restarts", "warning events", "dominant exception in worker logs"],
    rootCauses: ["Worker pods crashing or not scheduled", "Workers cannot reach the server (auth/DNS)", "Deployment scaled to zero"],
    nextSteps: ["Check the worker deployment (replicas, image, last change) and fix what the events or logs name"],
  },
  {
    type: "PROMETHEUS_NOT_RUNNING",
    title: "Prometheus down",
    category: "component",
    symptom: "The cluster's Prometheus is down, so metrics-based checks are blind.",
    podHints: ["prometheus"],
    tools: [INCIDENT, PODS, EVENTS, logs(200, "TSDB/WAL corruption, out-of-space, config errors")],
    evidence: ["prometheus pod phase and restarts", "events (OOMKilled, FailedScheduling with its PVC/StorageClass, FailedMount)", "the last error in its logs"],
    rootCauses: ["OOMKilled (too many series)", "PVC unbound (StorageClass missing)", "Volume full or WAL corrupt", "Pod unschedulable"],
    nextSteps: ["Fix the cause the events name (memory limit, volume size), then confirm the prometheus pod is Running"],
  },
  {
    type: "POD_NOT_RUNNING",
    title: "Pod not running",
    category: "component",
    symptom: "A pod is not in the Running phase.",
    podHints: [],
    tools: [INCIDENT, PODS, EVENTS, logs(200, "the container's last words (if it started at all)")],
    evidence: ["pod phase/status and restarts", "the warning event that explains it", "last error in its logs"],
    rootCauses: ["Image cannot be pulled", "Unschedulable (insufficient CPU/memory)", "CrashLoopBackOff on startup", "Missing secret/config", "Evicted under node pressure"],
    nextSteps: ["Act on the event reason: fix the image tag/registry secret, free or add node capacity, or fix the startup error"],
  },
  {
    type: "POD_RESTARTED",
    title: "Pod restarted",
    category: "component",
    symptom: "A pod's containers restarted since the last check.",
    podHints: [],
    tools: [INCIDENT, PODS, EVENTS, logs(300, "errors just before the restart")],
    evidence: ["restart count and last-state reason (OOMKilled, Error exit code)", "events", "dominant exception in logs", "if the DB pool is exhausted: pg_stat_activity sessions by state and client"],
    rootCauses: ["OOMKilled: memory limit too low for the load", "Liveness probe failing (slow startup, GC pauses, DB pool starved by idle-in-transaction sessions)", "Application crash"],
    nextSteps: ["If OOMKilled, raise the memory limit or find what grew; if probes, relax them or find the pause; if a crash, follow the exception"],
  },
  {
    type: "DNS_HEALTHY",
    title: "DNS resolution failed",
    category: "network",
    symptom: "The cluster's domain could not be resolved by the health check.",
    podHints: SERVER,
    tools: [INCIDENT, INGRESS, PODS],
    evidence: ["ingress hosts and external address", "LB controller error (AccessDenied)", "whether the app pods are healthy"],
    rootCauses: ["Load balancer never provisioned (ingress without address)", "DNS record missing or pointing at an old LB", "Domain/zone expired or delegated wrongly"],
    nextSteps: ["If the ingress has no address, fix the load balancer (controller, quotas, subnets); otherwise make the DNS record point at the ingress address"],
  },
  {
    type: "DOMAIN_RESOLUTION",
    title: "Domain not resolved",
    category: "network",
    symptom: "The customer's domain has not been resolved.",
    podHints: SERVER,
    tools: [INCIDENT, INGRESS, PODS],
    evidence: ["ingress hosts and external address", "LB controller error (AccessDenied)", "app pods healthy or not"],
    rootCauses: ["Load balancer never provisioned", "DNS record missing or wrong", "Customer-managed DNS not updated"],
    nextSteps: ["Compare the ingress address with the domain's DNS record and ask the owner of the zone to fix the record"],
  },
  {
    type: "DOMAIN_REACHABILITY",
    title: "Domain unreachable",
    category: "network",
    symptom: "The domain resolves but does not answer.",
    podHints: SERVER,
    tools: [
      INCIDENT,
      INGRESS,
      PODS,
      { tool: "get_deployments_info", why: "pod labels and last rollout, vs the Service selector" },
      EVENTS,
    ],
    evidence: ["ingress address and its Service's endpoints", "server pods Ready or not", "Service selector vs pod labels"],
    rootCauses: [
      "Service without endpoints: selector matches no pod labels (a rollout renamed one) or no pod Ready",
      "Server pods down behind a healthy LB",
      "Ingress/LB misrouted or security group closed",
      "TLS/ingress controller failure",
    ],
    nextSteps: ["Rule out the app (pods Ready) and the Service (selector vs pod labels); then check the ingress controller, LB listeners and security groups"],
  },
  {
    type: "AUTH_STALE",
    title: "Stale API key",
    category: "self-describing",
    symptom: "The health check's API key is stale (expired or rotated).",
    podHints: [],
    tools: [INCIDENT],
    evidence: ["the alert text"],
    rootCauses: ["API key rotated or expired without updating the health check's credentials"],
    nextSteps: ["Refresh the cluster's health-check API key in the control plane and confirm the next health check passes"],
  },
  {
    type: "DOMAIN_CERTIFICATE_WILL_EXPIRE",
    title: "Certificate expiring",
    category: "self-describing",
    symptom: "The domain's TLS certificate expires soon.",
    podHints: ["cert-manager"],
    tools: [INCIDENT, { ...INGRESS, why: "TLS secret and cert-manager Certificates with their last failure" }, PODS],
    evidence: ["domain and days left, from the alert", "the Certificate's last failure (HTTP-01/DNS-01 challenge)"],
    rootCauses: ["cert-manager/ACME renewal failing (HTTP-01 challenge answered 403/404, DNS-01 not propagating)", "Manually managed certificate not renewed"],
    nextSteps: ["Renew the certificate before it expires: check cert-manager's Certificate/Order status, or ask the customer to renew a certificate they manage"],
  },
  {
    type: "RESPONSE_TIME",
    title: "Slow response",
    category: "self-describing",
    symptom: "Conductor is taking too long to respond.",
    podHints: SERVER,
    tools: [INCIDENT, CLUSTER_METRICS, PODS],
    evidence: ["response time from the alert", "server pods healthy or restarting", "CPU/heap/decider queue from the cluster data"],
    rootCauses: ["Server saturated (CPU/heap/backlog)", "Slow dependency (Redis/Postgres)", "Network path latency"],
    nextSteps: ["Check whether the slowness persists in the next runs; if so, look at server CPU/heap and the decider queue"],
  },
  {
    type: "UNKNOWN",
    title: "Health check failed",
    category: "unknown",
    symptom: "An unrecognised issue, or the health check itself failed or timed out (the agent may be unreachable).",
    podHints: SERVER,
    tools: [INCIDENT, PODS, DEPLOYMENTS, CLUSTER_METRICS],
    evidence: ["the execution's status and reason", "pods and deployments not ready"],
    rootCauses: ["In-cluster agent not polling (agent pod down, network)", "Cluster overloaded", "Control-plane problem"],
    nextSteps: ["Open the failing execution, read the failed task's reason, and check that the cluster's agent pod is running"],
  },
];

export const PLAYBOOK: Readonly<Record<IssueType, PlaybookEntry>> = Object.fromEntries(
  ENTRIES.map((entry) => [entry.type, entry]),
) as Record<IssueType, PlaybookEntry>;

export function getPlaybookEntry(type: IssueType): PlaybookEntry {
  return PLAYBOOK[type] ?? PLAYBOOK.UNKNOWN;
}

import type { ToolName } from "../tools/types.ts";

/*
 * What an engineer looks at next once a finding points somewhere: a lead opens when its node of
 * the causal graph has evidence (or the alert is of that kind) and maps to calls. Data both
 * engines read: the rules engine follows them within its budget; the model's fact sheet lists
 * the ones still open.
 */

/** Stand-ins resolved from the evidence before a call: a worker pod for the pending task, the crashed pod, a server pod. */
export type LeadTarget = "{workerPod}" | "{crashedPod}" | "{unreadCrashedPod}" | "{serverPod}" | "{siblingServerPod}" | "{uninspectedTroubledPod}" | "{secretSyncPod}" | "{dnsPod}" | "{agentPod}" | "{signallerPod}";

export interface LeadCall {
  tool: ToolName;
  args: Record<string, string | number>;
}

export interface Lead {
  id: string;
  /** Causal-graph node ids (alert nodes included) whose evidence opens it. */
  opensOn: readonly string[];
  /** Nodes whose evidence already settles what the lead would look into (an ingress without an address, for a DNS alert). */
  closedBy?: readonly string[];
  why: string;
  calls: readonly LeadCall[];
}

/** Which task types are waiting and in what state (Conductor's task table), to find the one nobody polls. */
export const PENDING_TASKS_QUERY =
  "SELECT task_type, status, count(*) AS tasks FROM task WHERE status IN ('SCHEDULED', 'IN_PROGRESS') GROUP BY task_type, status ORDER BY tasks DESC LIMIT 10";
/** Who holds the Postgres connections, by state (idle in transaction starves a pool) and client. */
export const SESSIONS_QUERY =
  "SELECT state, application_name, count(*) AS sessions FROM pg_stat_activity GROUP BY state, application_name ORDER BY sessions DESC LIMIT 10";
/** Whether the database the server's connection reaches is a standby (in recovery, read-only), and which one. */
export const RECOVERY_QUERY = "SELECT pg_is_in_recovery() AS in_recovery, current_setting('transaction_read_only') AS read_only, inet_server_addr() AS server";
/** Sessions waiting on a lock and who blocks them. */
export const BLOCKING_QUERY =
  "SELECT pid, pg_blocking_pids(pid) AS blocked_by, state, wait_event_type, left(query, 120) AS query FROM pg_stat_activity WHERE cardinality(pg_blocking_pids(pid)) > 0 LIMIT 10";

/** Tables read by sequential scans: a hot lookup without a usable index saturates Postgres. */
export const TABLE_SCANS_QUERY =
  "SELECT relname, n_live_tup, seq_scan, seq_tup_read, idx_scan FROM pg_stat_user_tables ORDER BY seq_tup_read DESC LIMIT 5";

/** The workflow definitions changed last (Conductor's meta_workflow_def): a DO_WHILE's loopCondition is in their JSON. */
export const RECENT_DEFINITIONS_QUERY = "SELECT name, version, json_data FROM meta_workflow_def ORDER BY modified_on DESC NULLS LAST LIMIT 5";
/** Per-table storage options: autovacuum_enabled=false leaves a hot table to bloat. */
export const TABLE_OPTIONS_QUERY = "SELECT relname, reloptions FROM pg_class WHERE relkind = 'r' AND reloptions IS NOT NULL LIMIT 20";

/** Task definitions that retry at once and many times (Conductor's meta_task_def): a failing task then spins its workflows. */
export const NO_DELAY_RETRIES_QUERY =
  "SELECT name, json_data FROM meta_task_def WHERE (json_data::json->>'retryDelaySeconds')::int = 0 AND (json_data::json->>'retryCount')::int >= 50 LIMIT 20";

export const LEADS: readonly Lead[] = [
  // An error that names its mechanism: first what changed before it (error-mechanisms.ts).
  {
    id: "read-only-failover",
    opensOn: ["db-read-only"],
    why: "writes refused as read-only: the datasource host (deployments), the database's failover events (infrastructure), whether the database reached is in recovery (SQL)",
    calls: [
      { tool: "get_deployments_info", args: {} },
      { tool: "get_infrastructure_metrics", args: {} },
      { tool: "run_sql_select", args: { query: RECOVERY_QUERY } },
    ],
  },
  {
    id: "credentials-changed",
    opensOn: ["credentials-rejected"],
    why: "credentials rejected: the Secrets the workload reads (deployments) and whether the secret-sync controller updated one (its logs)",
    calls: [
      { tool: "get_deployments_info", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{secretSyncPod}", lines: 200 } },
    ],
  },
  {
    id: "leak-after-rollout",
    opensOn: ["fd-leak"],
    why: "file descriptors exhausted: what the workload last rolled out (image, change-cause)",
    calls: [{ tool: "get_deployments_info", args: {} }],
  },
  {
    id: "backlog-pending-task",
    opensOn: ["backlog"],
    why: "a backlog: which task is pending, and who should poll it",
    calls: [
      { tool: "run_sql_select", args: { query: PENDING_TASKS_QUERY } },
      { tool: "get_deployments_info", args: {} },
      { tool: "get_pods_data", args: {} },
    ],
  },
  {
    id: "unpolled-task-workers",
    opensOn: ["tasks-unpolled", "alert:workers-down"],
    why: "a task nobody polls: its workers' deployment and logs",
    calls: [
      { tool: "get_deployments_info", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{workerPod}", lines: 300 } },
    ],
  },
  {
    id: "worker-auth-config",
    opensOn: ["worker-auth"],
    why: "workers rejected by the server: their configured server URL and key",
    calls: [{ tool: "get_deployments_info", args: {} }],
  },
  {
    id: "latency-database",
    opensOn: ["alert:response-time", "database", "db-saturated"],
    why: "slow responses or a starved pool: who holds Postgres (sessions, locks, blocking pids), then the server's logs",
    calls: [
      { tool: "run_sql_select", args: { query: SESSIONS_QUERY } },
      { tool: "run_sql_select", args: { query: BLOCKING_QUERY } },
      { tool: "run_sql_select", args: { query: TABLE_SCANS_QUERY } },
      { tool: "pull_pod_logs", args: { pod: "{serverPod}", lines: 300 } },
    ],
  },
  {
    id: "table-bloat-options",
    opensOn: ["table-bloat"],
    why: "a table bloated with dead tuples: its storage options (autovacuum_enabled) say whether vacuum may run on it",
    calls: [{ tool: "run_sql_select", args: { query: TABLE_OPTIONS_QUERY } }],
  },
  {
    id: "saturation-after-change",
    opensOn: ["alert:heap", "alert:cpu", "heap"],
    why: "heap or CPU: the deployments' images and rollout history (did it start with a change?), then the logs",
    calls: [
      { tool: "get_deployments_info", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{serverPod}", lines: 500 } },
    ],
  },
  {
    id: "cpu-node-neighbours",
    opensOn: ["alert:cpu"],
    why: "CPU high: the nodes' CPU and the pods beside the server (a neighbour with no limits burns the node the server shares)",
    calls: [{ tool: "get_infrastructure_metrics", args: {} }],
  },
  {
    id: "pod-down-events-logs",
    opensOn: ["pod-down", "crash", "alert:pod-not-running", "alert:pod-restarted"],
    why: "a pod not running: its events first, then its logs",
    calls: [
      { tool: "get_pod_events", args: { pod: "{crashedPod}" } },
      { tool: "pull_pod_logs", args: { pod: "{crashedPod}", lines: 200 } },
    ],
  },
  {
    id: "oom-memory-settings",
    opensOn: ["memory-limit"],
    why: "an OOMKill: the container's memory limit against the heap setting it runs with (-Xmx, MaxRAMPercentage)",
    calls: [{ tool: "get_deployments_info", args: {} }],
  },
  {
    id: "unschedulable-nodes",
    opensOn: ["scheduling"],
    why: "a pod no node takes: the nodes' zones, taints and capacity against what it asks (volume zone, tolerations, requests)",
    calls: [{ tool: "get_infrastructure_metrics", args: {} }],
  },
  {
    id: "missing-pods-controller",
    opensOn: ["alert:pod-not-running"],
    why: "pods missing or not running: their deployment's conditions (ReplicaFailure: FailedCreate, exceeded quota) and last change",
    calls: [{ tool: "get_deployments_info", args: {} }],
  },
  {
    id: "crash-replica-logs",
    opensOn: ["crash", "pod-down"],
    why: "a crash loop whose logs could not be read: a replica's logs (a restarting container's previous logs are often gone)",
    calls: [{ tool: "pull_pod_logs", args: { pod: "{unreadCrashedPod}", lines: 200 } }],
  },
  {
    id: "crash-own-error-change",
    opensOn: ["startup-error", "dns-server", "probe", "probe-target"],
    why: "a container exiting on its own error or failing its probes: what last changed in its workload (image, config, probes, rollout history)",
    calls: [{ tool: "get_deployments_info", args: {} }],
  },
  {
    id: "clock-skew-node",
    opensOn: ["clock-skew"],
    why: "times that cannot be true: which node the pods that print them run on, and that node's time sync",
    calls: [
      { tool: "get_pods_data", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{siblingServerPod}", lines: 300 } },
      { tool: "get_infrastructure_metrics", args: {} },
    ],
  },
  {
    id: "dns-server-load",
    opensOn: ["alert:dns"],
    closedBy: ["load-balancer", "netpol-egress", "dns-loop", "dns-server"],
    why: "lookups failing: the cluster DNS server itself (its CPU and throttling, its limits and the workloads' ndots, its log)",
    calls: [
      { tool: "get_cluster_metrics", args: {} },
      { tool: "get_deployments_info", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{dnsPod}", lines: 200 } },
    ],
  },
  {
    id: "agent-own-pod",
    opensOn: ["agent-down"],
    closedBy: ["agent-pod-down"],
    why: "the agent not polling: its own pod's logs and events (it may fail to reach or authenticate to Conductor)",
    calls: [
      { tool: "pull_pod_logs", args: { pod: "{agentPod}", lines: 200 } },
      { tool: "get_pod_events", args: { pod: "{agentPod}" } },
    ],
  },
  {
    id: "server-replicas",
    opensOn: ["alert:error-logs", "alert:warn-logs", "alert:heap", "alert:cpu"],
    why: "several pods' logs, not one: another server replica",
    calls: [{ tool: "pull_pod_logs", args: { pod: "{siblingServerPod}", lines: 300 } }],
  },
  {
    id: "redis-own-view",
    opensOn: ["redis-connection", "alert:redis"],
    why: "Redis slow or full: Redis's own view (INFO, SLOWLOG, commandstats, clients) in the infrastructure metrics",
    calls: [{ tool: "get_infrastructure_metrics", args: {} }],
  },
  {
    id: "loop-definition",
    opensOn: ["runaway-loop"],
    why: "a DO_WHILE that never ends: its definition's loop condition",
    calls: [{ tool: "run_sql_select", args: { query: RECENT_DEFINITIONS_QUERY } }],
  },
  {
    id: "external-wait-signaller",
    opensOn: ["external-wait", "signaller-paused"],
    why: "WAIT/HUMAN/EVENT tasks nobody completes: the deployments' settings and the logs of the service that should complete them",
    calls: [
      { tool: "get_deployments_info", args: {} },
      { tool: "pull_pod_logs", args: { pod: "{signallerPod}", lines: 300 } },
    ],
  },
  {
    id: "search-backend-health",
    opensOn: ["indexer", "elasticsearch"],
    why: "the indexer falls behind: the server's bulk index errors and the search backend's health",
    calls: [
      { tool: "pull_pod_logs", args: { pod: "{serverPod}", lines: 300 } },
      { tool: "get_infrastructure_metrics", args: {} },
    ],
  },
  {
    id: "retry-config",
    opensOn: ["retry-storm", "backlog"],
    why: "a backlog or tasks retrying: task definitions that retry at once, hundreds of times",
    calls: [{ tool: "run_sql_select", args: { query: NO_DELAY_RETRIES_QUERY } }],
  },
];

/**
 * When the leads are followed and the evidence still settles no cause (no root, or only a general
 * reading), an engineer widens the look before handing over: the views not taken yet, and the next
 * troubled pod nobody has looked at. Opens on its own pseudo-node; the engine decides when.
 */
export const UNSETTLED = "unsettled";
export const WIDENING: Lead = {
  id: "unsettled-widen",
  opensOn: [UNSETTLED],
  why: "no cause is settled yet: the views not taken so far",
  calls: [
    { tool: "get_pod_events", args: { pod: "{uninspectedTroubledPod}" } },
    { tool: "pull_pod_logs", args: { pod: "{uninspectedTroubledPod}", lines: 200 } },
    { tool: "get_deployments_info", args: {} },
    { tool: "get_cluster_metrics", args: {} },
    { tool: "get_infrastructure_metrics", args: {} },
  ],
};

import type { IssueType } from "../alerts/types.ts";

/*
 * What explains what, as data both engines read (domain.md §2): causes and symptoms are nodes,
 * "explains" edges run from a cause to what it produces, and each edge names the evidence that
 * establishes it. The root cause of an alert is the deepest node with direct evidence from which
 * the alert's symptom can be reached; a symptom is never the answer while something upstream of
 * it has evidence.
 */

/** `symptom`: something a cause produces (never a root cause on its own); `cause`: may be one. */
export type NodeKind = "symptom" | "cause";

export interface CausalNode {
  id: string;
  kind: NodeKind;
  /** What the node is, for prompts and the "what to check" of an inconclusive report. */
  label: string;
  /** The alert's own issue types this node stands for (the chain ends there). */
  issueTypes?: readonly IssueType[];
  /** The analyzers' candidate keys that are direct evidence of this node (default: the id). */
  keys?: readonly string[];
}

export interface CausalEdge {
  from: string;
  to: string;
  /** The evidence that establishes the link, as an engineer would look for it. */
  evidence: string;
  /**
   * The upstream cause would show in the very output that shows this effect (the same log lines,
   * or a closer reading of the same error): read there and not seen, it is ruled out, so the effect
   * may still stand as a first cause for confidence.
   */
  sameOutput?: boolean;
}

const alert = (id: string, label: string, issueTypes: IssueType[], keys: string[] = []): CausalNode => ({ id, kind: "symptom", label, issueTypes, keys });
const symptom = (id: string, label: string, keys?: string[]): CausalNode => ({ id, kind: "symptom", label, ...(keys ? { keys } : {}) });
const cause = (id: string, label: string, keys?: string[]): CausalNode => ({ id, kind: "cause", label, ...(keys ? { keys } : {}) });

export const CAUSAL_NODES: readonly CausalNode[] = [
  // What the health check alerts on.
  alert("alert:redis", "Redis memory above its threshold", ["REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE"]),
  alert("alert:heap", "Conductor heap above its threshold", ["CONDUCTOR_HIGH_HEAP_USAGE"]),
  alert("alert:cpu", "Conductor CPU above its threshold", ["CONDUCTOR_HIGH_CPU_USAGE"]),
  alert("alert:error-logs", "error log count above its threshold", ["CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD"]),
  alert("alert:warn-logs", "warn log count above its threshold", ["CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD"]),
  alert("alert:conductor-down", "Conductor failed its health check", ["CONDUCTOR_HEALTHY"]),
  alert("alert:workers-down", "workers failed their health check", ["WORKERS_HEALTHY"]),
  alert("alert:prometheus-down", "Prometheus is down", ["PROMETHEUS_NOT_RUNNING"]),
  alert("alert:pod-not-running", "a pod is not Running", ["POD_NOT_RUNNING"]),
  alert("alert:pod-restarted", "a pod restarted", ["POD_RESTARTED"]),
  alert("alert:dns", "DNS resolution inside the cluster failed", ["DNS_HEALTHY"]),
  alert("alert:domain-resolution", "the cluster's domain does not resolve", ["DOMAIN_RESOLUTION"]),
  alert("alert:domain-reachability", "the cluster's domain is unreachable", ["DOMAIN_REACHABILITY"]),
  alert("alert:auth-stale", "the health check's API key is stale", ["AUTH_STALE"]),
  alert("alert:certificate", "the TLS certificate expires soon", ["DOMAIN_CERTIFICATE_WILL_EXPIRE"]),
  alert("alert:response-time", "Conductor responds slowly", ["RESPONSE_TIME"], ["slow-response"]),
  alert("alert:unknown", "the health check itself failed", ["UNKNOWN"], ["health-check-failed"]),

  // Symptoms in between: what causes produce and alerts show.
  symptom("backlog", "decider-queue backlog (many running workflows)"),
  symptom("indexer", "indexer queue backlog"),
  symptom("tasks-unpolled", "a task type nobody polls (tasks stay SCHEDULED)"),
  symptom("external-wait", "WAIT/HUMAN/EVENT tasks nobody completes (they stay IN_PROGRESS)"),
  symptom("pod-down", "pods not running or not ready", ["pod-down"]),
  symptom("crash", "a container crash-looping"),
  symptom("workers-unavailable", "a worker deployment with no ready pod"),
  symptom("agent-pod-down", "the in-cluster agent's own pod not running or not ready"),
  symptom("probe", "failing liveness/readiness probes"),
  symptom("cpu-hot", "a pod or thread pool burning CPU"),
  symptom("heap", "the JVM heap filling (OutOfMemoryError, long GC)"),
  symptom("credentials-rejected", "a dependency rejects the credentials a workload holds"),
  // A dependency failing is a cause of what Conductor shows, until its own cause is seen upstream.
  cause("redis-connection", "Conductor cannot reach Redis"),
  cause("database", "Conductor cannot get Postgres connections (pool exhausted, saturated)"),

  // Causes.
  cause("scaled-to-zero", "a worker deployment scaled to 0 replicas"),
  cause("worker-auth", "workers rejected by the server (401) or pointed at the wrong URL"),
  cause("image-pull", "an image that cannot be pulled"),
  cause("volume-claim", "an unbound PersistentVolumeClaim"),
  cause("scheduling", "no node can take the pod"),
  cause("quota", "a namespace ResourceQuota used up: the ReplicaSet cannot create the pods (FailedCreate: exceeded quota)"),
  cause("create-failed", "a controller refused pod creation (FailedCreate: admission policy, ServiceAccount)"),
  cause("storage-limit", "a pod writing past its own emptyDir sizeLimit / ephemeral-storage limit (the kubelet evicts it)"),
  cause("config", "a missing Secret or ConfigMap"),
  cause("eviction", "the node ran out of disk or memory and evicted the pod"),
  cause("volume", "a volume that cannot be mounted"),
  cause("node", "a node that is not ready"),
  cause("heap-too-small", "a JVM heap (-Xmx) too small for the load (Full GCs reclaim little)"),
  cause("recent-upgrade", "a new image rolled out just before the trouble"),
  cause("unbounded-buffer", "an in-memory queue that never drains (a missing or stuck sink)"),
  cause("probe-target", "a liveness/readiness probe pointed at a port or path the container does not serve"),
  cause("startup-error", "a container that exits on its own error (the exception or fatal message it logged before exiting)"),
  cause("dns-server", "the cluster DNS server (CoreDNS) exiting on its own error (its configuration, a plugin)"),
  cause("cpu-limit", "a CPU limit lowered (the container is CFS-throttled at its limit)"),
  cause("memory-limit", "a container memory limit too low (OOMKilled)"),
  cause("heap-no-headroom", "a JVM heap (-Xmx, MaxRAMPercentage) as large as the container memory limit: native memory has no room (OOMKilled with the heap not full)"),
  cause("db-credentials", "the database rejects the server's credentials"),
  cause("db-idle-transaction", "sessions idle in transaction hold the connections"),
  cause("db-connections-held", "another client holds most of Postgres's connection slots (too many clients)"),
  cause("db-saturated", "Postgres saturated"),
  cause("db-lock-holder", "a Postgres session holding a lock every other query queues behind"),
  cause("missing-index", "a hot lookup without a usable index (sequential scans of a big table)"),
  cause("version-leak", "a leak in one version of a workload: the heap climbs only on the replicas running it"),
  cause("dependency-auth", "a third-party service rejecting the credential a worker calls it with (401, invalid_client, an expired client secret)"),
  cause("table-bloat", "a hot table bloated with dead tuples vacuum never reclaims (autovacuum switched off for it)"),
  cause("dns-loop", "CoreDNS forwarding to itself (loop detected)"),
  cause("redis-aof", "a store cannot load its own files (corrupt Redis AOF, Prometheus WAL)"),
  cause("schedule-burst", "a schedule whose cron fires far too often"),
  cause("ingress-config", "an Ingress annotation that breaks the ingress controller's config"),
  cause("redis-size", "Redis too small for the normal load"),
  cause("capacity-lowered", "a capacity setting lowered by a change (Redis maxmemory, -Xmx, max_connections) under a normal load"),
  cause("payload", "oversized workflow or task payloads"),
  cause("fan-out", "workflows with huge fan-out (dynamic forks)"),
  cause("large-requests", "expensive requests (large searches)"),
  cause("inline-script", "a system task evaluating an expression (INLINE script, JSON_JQ_TRANSFORM) that never finishes or is costly on every run"),
  cause("rate-limit", "a task throttled by its rate limit"),
  cause("lock-contention", "threads blocked on a lock"),
  cause("noisy-neighbour", "another pod on the same node using the node's CPU (no requests or limits)"),
  cause("redis-blocking-command", "a client runs a slow O(N) command (KEYS *, a huge scan) that blocks Redis"),
  cause("runaway-loop", "a DO_WHILE whose condition never turns false (one execution's iterations in the thousands)"),
  cause("signaller-paused", "the running service that completes WAIT/HUMAN/EVENT tasks has its own work switched off"),
  cause("elasticsearch", "the search index (Elasticsearch/OpenSearch) rejects writes"),
  cause("dns", "a host name that does not resolve"),
  cause("network", "a dependency refusing or timing out connections"),
  cause("stack-overflow", "a StackOverflowError (deep recursion)"),
  cause("conductor", "a Conductor application error (a client calls something that does not exist)", ["conductor", "log-error", "log-warn"]),
  cause("netpol-egress", "a NetworkPolicy that blocks egress to DNS (port 53)"),
  cause("load-balancer", "the load balancer was never provisioned"),
  cause("dns-record", "the domain's DNS record is missing or wrong"),
  cause("no-endpoints", "a Service whose selector matches no ready pod"),
  cause("ingress-port", "an Ingress backend naming a Service, or a Service port, that does not exist"),
  cause("lb-health-check", "a load-balancer health check on a path the pods do not serve (no healthy target)"),
  cause("certificate", "certificate renewal failing"),
  cause("challenge-blocked", "an authentication rule on the ingress that answers the ACME HTTP-01 challenge with a redirect or a refusal"),
  cause("api-key", "an API key rotated or expired"),
  cause("clock-skew", "a node whose clock drifted (its time sync, NTP/chrony, stopped): its pods see valid tokens as not yet valid and times in the future"),
  cause("agent-down", "the in-cluster agent is not polling", ["agent-down"]),
  cause("agent-error", "the in-cluster agent failing on its own error (it cannot reach or authenticate to Conductor, a bad setting)"),
  cause("known-issue", "a vetted known issue (src/known-issues) whose signature matched"),
  // Errors that name their mechanism, with the change that brought them (src/playbook/error-mechanisms.ts).
  cause("fd-leak", "a descriptor/connection leak: the process runs out of file descriptors (Too many open files)"),
  cause("db-read-only", "writes reaching a read-only database (a standby: the old primary after a failover)"),
  cause("stale-secret", "a Secret rotated after the pods started: they still hold the old credentials"),
  cause("schema-mismatch", "code and database schema that disagree (a migration not applied for the version that runs)"),
  cause("library-conflict", "a binary incompatibility between libraries (a dependency bumped without its peers)"),
  cause("tls-trust", "TLS to a dependency that fails (an untrusted or invalid certificate: rotated, a changed CA)"),
  // Who generates the load, and a bound too small for it.
  cause("drain-stopped", "a workload that removes finished data (archiver, cleanup) scaled to 0"),
  cause("retry-storm", "a task retried at once, hundreds of times (retryDelaySeconds 0, a huge retryCount)"),
  cause("poll-storm", "a worker fleet polling in a tight loop (a poll interval of a few ms)"),
  cause("pool-too-small", "a connection pool too small for the load while the database is idle"),
  cause("dns-overload", "the cluster DNS server CPU-throttled at its limit (query fan-out from ndots and search domains)"),
];

const CAUSAL_ALERT_IDS = CAUSAL_NODES.filter((node) => node.issueTypes).map((node) => node.id);

const e = (from: string | string[], to: string | string[], evidence: string, options: { sameOutput?: boolean } = {}): CausalEdge[] =>
  (Array.isArray(from) ? from : [from]).flatMap((f) => (Array.isArray(to) ? to : [to]).map((t) => ({ from: f, to: t, evidence, ...options })));
/** An error that names its own mechanism: a closer reading of the downstream node's evidence. */
const refine = (from: string, to: string[], evidence: string): CausalEdge[] => e(from, to, evidence, { sameOutput: true });

export const CAUSAL_EDGES: readonly CausalEdge[] = [
  ...e("backlog", ["alert:redis", "alert:heap", "alert:cpu", "alert:response-time"], "decider queue size (running workflows) in the cluster data, with Redis/heap readings"),
  ...e("indexer", "alert:redis", "indexer queue size in the cluster data or metrics"),
  ...e("external-wait", "backlog", "workflows RUNNING on a WAIT/HUMAN/EVENT task that stays IN_PROGRESS (SQL on the task table, task metrics)"),
  ...e("redis-blocking-command", ["redis-connection", "alert:redis", "alert:response-time", "backlog"], "Redis SLOWLOG/commandstats: a command taking 100 ms or more per call, the client name or address that sends it; client output buffers"),
  ...e("runaway-loop", ["cpu-hot", "alert:cpu", "alert:heap", "alert:redis", "alert:response-time"], "server logs: a DO_WHILE's iteration number in the thousands for one workflow, its task count and slow decides; the task table's iteration"),
  ...e("signaller-paused", "external-wait", "a running deployment's switch off (X_ENABLED=false, PAUSED=true) and its log saying it paused"),
  ...e("tasks-unpolled", "backlog", "workflows RUNNING on a task that stays SCHEDULED (server logs, SQL on the index)"),
  ...e("tasks-unpolled", "alert:workers-down", "a task queue with no pollers (server logs, queue metrics)"),
  // Not to tasks-unpolled: which pods poll which task is not in the pod list, and any pod down would "explain" any backlog.
  ...e("pod-down", ["alert:conductor-down", "alert:workers-down", "alert:prometheus-down", "alert:pod-not-running", "alert:dns", "alert:domain-reachability"], "pod phase and ready count in the pod list"),
  ...e("crash", ["pod-down", "alert:pod-restarted"], "CrashLoopBackOff in pod events or the pod list, restart counts"),
  ...e("probe", ["alert:pod-restarted", "pod-down"], "Liveness/Readiness probe failed events"),
  ...e("cpu-hot", "alert:cpu", "the hottest pod or thread in top output or metrics"),
  ...e("heap", ["alert:heap", "crash", "probe", "alert:response-time"], "OutOfMemoryError or long GC pauses in the server logs; probes time out during stop-the-world pauses"),
  ...e("heap-too-small", ["heap", "probe", "alert:heap"], "Full GC logs: the heap at its maximum after each collection, with the -Xmx it runs with"),
  ...e("redis-connection", ["alert:error-logs", "crash", "alert:response-time", "alert:conductor-down"], "Redis connection exceptions in the server logs"),
  ...e("database", ["alert:error-logs", "probe", "crash", "alert:response-time", "alert:conductor-down"], "JDBC/Hikari pool exceptions in the server logs, Postgres connections at their limit"),
  ...e("workers-unavailable", ["tasks-unpolled", "alert:workers-down"], "a worker deployment with desired > 0 and 0 ready replicas (deployments)"),
  ...e(["image-pull", "config", "scheduling", "memory-limit", "startup-error", "crash"], "workers-unavailable", "the cause seen on the pods of that same worker deployment (pod list, events, logs)"),
  ...e("scaled-to-zero", ["tasks-unpolled", "alert:workers-down"], "a worker deployment with 0 desired replicas (deployments)"),
  ...e("worker-auth", "tasks-unpolled", "401 / connection refused in the worker logs, the workers' configured server URL (deployments)"),
  ...e("image-pull", "pod-down", "ImagePullBackOff / ErrImagePull / manifest unknown in pod events or the pod list"),
  ...e("volume-claim", "pod-down", "FailedScheduling on an unbound PersistentVolumeClaim, ProvisioningFailed events"),
  ...e("scheduling", "pod-down", "FailedScheduling: Insufficient cpu/memory, untolerated taints or volume node affinity conflict, counted per node"),
  ...e(["quota", "create-failed"], ["pod-down", "workers-unavailable"], "FailedCreate events of the ReplicaSet (exceeded quota: requested/used/limited), the deployment's ReplicaFailure condition"),
  ...e("storage-limit", ["pod-down", "alert:pod-restarted"], "Evicted events or pod status naming the emptyDir volume or container that exceeded its local-storage limit"),
  ...e("config", "pod-down", "CreateContainerConfigError naming a missing Secret or ConfigMap"),
  ...e("eviction", ["pod-down", "alert:pod-restarted"], "Evicted events naming the resource the node ran low on (the pod is recreated: a restart)"),
  ...e("volume", "pod-down", "FailedMount / FailedAttachVolume events"),
  ...e("node", "pod-down", "NodeNotReady events, pods Unknown/Terminating on one node"),
  ...e("node", "volume", "a Multi-Attach / FailedAttachVolume event while the node the volume was attached to is NotReady"),
  ...e("recent-upgrade", ["unbounded-buffer", "heap", "cpu-hot", "alert:heap", "alert:cpu"], "deployments: the image against the previous one and the rollout's revision and age"),
  ...e("unbounded-buffer", ["heap", "alert:heap"], "logs: a queue size that only grows with nothing drained, events buffered in memory"),
  ...e("probe-target", ["probe", "pod-down", "alert:pod-restarted"], "a probe refused on a port the program's logs do not listen on (or answered 404): probe config against the container's ports"),
  ...e("startup-error", ["crash", "pod-down", "alert:pod-restarted"], "the crash-looping container's last log lines: the exception or error it exits on, with exit code ≠ 0 (not OOMKilled)"),
  ...e("dns-server", ["dns", "crash", "pod-down", "alert:dns"], "the CoreDNS container's last log lines: the error it exits on"),
  ...e("cpu-limit", ["cpu-hot", "probe", "alert:cpu", "alert:response-time"], "a recorded change (helm history, rollout cause) lowering resources.limits.cpu, CPU at the new limit"),
  ...e("memory-limit", ["crash", "alert:pod-restarted", "pod-down"], "last state OOMKilled, exit code 137, OOMKilling events"),
  ...e("heap-no-headroom", "memory-limit", "the deployment's -Xmx / MaxRAMPercentage against its limits.memory, on a workload OOMKilled while its heap is not full"),
  ...e("db-credentials", ["crash", "database"], "password authentication failed in the server's startup logs"),
  ...e("db-idle-transaction", "database", "pg_stat_activity: sessions idle in transaction holding most connections"),
  ...e("db-connections-held", ["database", "db-saturated"], "\"too many clients\" from Postgres, with pg_stat_activity grouped by application/user against max_connections"),
  ...e("db-lock-holder", ["database", "db-saturated", "alert:response-time"], "pg_locks / pg_blocking_pids: the blocking pid at the head of the chain, waiting on no one"),
  ...e("db-saturated", "database", "Postgres connections or CPU at their limit in the cluster data"),
  ...e("missing-index", ["db-saturated", "database", "alert:response-time"], "pg_stat_user_tables: seq_scan against idx_scan of the biggest tables"),
  ...e("version-leak", ["heap", "alert:heap", "memory-limit"], "per-pod heap over hours against each pod's image: climbing on one version's pods, flat on the other's"),
  ...refine("dependency-auth", ["credentials-rejected", "conductor", "alert:error-logs", "alert:warn-logs", "alert:workers-down"], "errors carrying an external host's URL and its 401 / invalid_client, the task failures (FAILED by worker …) they produce"),
  ...e("table-bloat", ["db-saturated", "database", "alert:response-time"], "pg_stat_user_tables: n_dead_tup above n_live_tup and last_autovacuum long ago; pg_class.reloptions autovacuum_enabled=false"),
  ...e("dns-loop", ["crash", "alert:dns"], "CoreDNS logs: plugin/loop detected a forwarding loop"),
  ...e("redis-aof", ["crash", "redis-connection"], "Redis logs: bad format reading the append-only file, Redis restarting"),
  ...e("schedule-burst", ["backlog", "alert:redis"], "scheduler logs: a schedule's cron expression and the workflows it starts"),
  ...e("ingress-config", ["crash", "alert:domain-reachability", "alert:domain-resolution"], "ingress-nginx logs: nginx: [emerg] / configuration test failed"),
  ...e("redis-size", "alert:redis", "Redis usage high with a normal decider queue and no large payloads"),
  ...e("capacity-lowered", ["redis-size", "alert:redis", "alert:heap", "heap", "database"], "a recorded change (helm values diff, config) lowering maxmemory / -Xmx / max_connections, or the ceiling's metric stepping down while usage stays flat"),
  ...e("payload", ["alert:redis", "alert:heap", "backlog"], "oversized payload warnings in the server logs"),
  ...e("fan-out", ["alert:redis", "alert:heap", "backlog"], "workflows with thousands of forked tasks in the server logs"),
  ...e("large-requests", ["alert:heap", "alert:cpu", "alert:response-time"], "large search requests in the server logs"),
  ...e("inline-script", ["cpu-hot", "alert:cpu", "backlog"], "an INLINE/JSON_JQ_TRANSFORM task still evaluating or slow per run (server logs), script- or jq-engine frames in a thread dump"),
  ...e("rate-limit", ["alert:warn-logs", "backlog"], "rate-limit warnings naming a task (server logs)"),
  ...e("lock-contention", ["cpu-hot", "alert:response-time"], "many BLOCKED threads in a thread dump"),
  ...e("noisy-neighbour", ["cpu-hot", "probe", "alert:cpu", "alert:response-time"], "pods -o wide: another pod on the alerted pod's node; usage by pod: it uses several times the pod's CPU, the node near capacity"),
  ...e("elasticsearch", ["indexer", "alert:error-logs"], "bulk index rejections (es_rejected_execution_exception) in the server logs"),
  ...e("dns", ["alert:error-logs", "crash", "alert:dns"], "UnknownHostException in the logs"),
  ...e("dns", ["redis-connection", "database"], "UnknownHostException as the Caused-by of a Redis or JDBC connection error: the store's name does not resolve"),
  ...e("network", ["alert:error-logs", "crash", "alert:response-time"], "ConnectException / timeouts naming a host:port"),
  ...e("network", "backlog", "a task failing on a dependency's timeouts (HTTP task, worker call) and retrying keeps its workflows RUNNING"),
  ...e("stack-overflow", ["alert:error-logs", "crash"], "StackOverflowError in the logs"),
  ...e("conductor", ["alert:error-logs", "alert:warn-logs"], "the dominant exception or message in the server logs"),
  ...e("netpol-egress", ["dns", "alert:dns", "network"], "a NetworkPolicy restricting Egress with no rule for port 53 (kubectl get networkpolicy, its spec)"),
  ...e("netpol-egress", "tasks-unpolled", "workers' connections to the server's port time out, and a NetworkPolicy in their namespace restricting Egress allows no rule for that port"),
  ...e("load-balancer", ["alert:domain-resolution", "alert:domain-reachability", "alert:dns"], "an ingress without an external address, controller warnings"),
  ...e("dns-record", ["alert:domain-resolution", "alert:domain-reachability", "alert:dns"], "the ingress address against the domain's DNS record"),
  ...e("no-endpoints", "alert:domain-reachability", "a Service with no endpoints, selector against the pods' labels"),
  ...e("ingress-port", ["no-endpoints", "alert:domain-reachability"], "the ingress backend's port (name or number) against the Service's ports: a port it lacks has no endpoints"),
  ...e("lb-health-check", "alert:domain-reachability", "target health: every target unhealthy on the LB's health-check path, against the pods' own probe path"),
  ...e("certificate", "alert:certificate", "a Certificate not Ready, the ACME challenge's status (cert-manager)"),
  ...refine("challenge-blocked", ["certificate"], "cert-manager's self check: wrong status code 30x/401/403 on the challenge path, and an auth annotation on the ingress serving that host"),
  ...e("api-key", "alert:auth-stale", "the alert itself (self-describing)"),
  ...e("clock-skew", ["alert:warn-logs", "alert:error-logs"], "log lines with times that cannot be true (not yet valid, in the future) only from the pods of one node (pod list -o wide), the node's time-sync metrics"),
  ...e("clock-skew", ["conductor", "worker-auth"], "the dominant warnings or 401s are rejections of times that cannot be true (a token not yet valid)", { sameOutput: true }),
  ...e("agent-down", "alert:unknown", "the health check and commands TIMED_OUT, tasks not polled"),
  ...e("agent-error", "agent-down", "the agent's own logs: the error it fails its polls on, while the health check timed out"),
  ...e("agent-pod-down", "agent-down", "the agent's own pod (agent-handler) crash-looping or not ready in the pod list"),
  ...e(["image-pull", "config", "scheduling", "memory-limit", "startup-error", "crash", "eviction", "node"], "agent-pod-down", "the cause seen on the agent's own pod (pod list, events, logs)"),
  ...refine("fd-leak", ["startup-error", "conductor", "network"], "Too many open files in the logs, open descriptors climbing to the limit, leak warnings; the rollout it started with"),
  ...e("fd-leak", ["crash", "probe", "alert:error-logs"], "Too many open files in the logs of the crashing or failing container"),
  ...refine("db-read-only", ["database", "conductor", "redis-connection"], "cannot execute … in a read-only transaction in the logs; a failover event and the datasource host that is no longer the writer"),
  ...e("db-read-only", ["alert:conductor-down", "alert:error-logs"], "writes refused as read-only in the server logs while the health check's workflow cannot start"),
  ...e("credentials-rejected", ["alert:error-logs", "crash"], "authentication failures (invalid credentials) in the logs"),
  ...e("stale-secret", ["credentials-rejected"], "a Secret the deployment reads updated (secret-sync controller logs) after its pods started"),
  ...refine("stale-secret", ["conductor", "worker-auth", "db-credentials", "startup-error"], "the dominant exception (or the rejected polls) is the authentication failure, starting just after the Secret's update"),
  ...refine("schema-mismatch", ["conductor", "database", "startup-error"], "column/relation does not exist in the logs; the rollout that brought the new version"),
  ...e("schema-mismatch", ["crash", "alert:error-logs"], "schema errors in the logs of the crashing or failing container"),
  ...refine("library-conflict", ["conductor", "startup-error"], "NoSuchMethodError/NoClassDefFoundError in the logs; the rollout that bumped a dependency"),
  ...e("library-conflict", ["crash", "alert:error-logs"], "linkage errors in the logs of the crashing or failing container"),
  ...refine("tls-trust", ["conductor", "network", "startup-error", "redis-connection", "database"], "PKIX / x509 / certificate verify failed in the logs; the Secret or rollout that changed the trust"),
  ...e("tls-trust", ["crash", "alert:error-logs"], "TLS handshake errors in the logs of the crashing or failing container"),
  ...e("drain-stopped", "alert:redis", "deployments: an archiver/cleanup workload at 0 replicas; server logs: no archiver heartbeat, completed workflows retained"),
  ...e("retry-storm", ["backlog", "alert:redis", "alert:cpu"], "server logs: a task's retries numbered in the hundreds, rescheduled with delay 0; its task definition's retryCount and retryDelaySeconds"),
  ...e("poll-storm", ["cpu-hot", "alert:cpu", "alert:response-time"], "deployments: a worker's poll-interval setting of a few ms; the server's poll rate, mostly empty (HTTP 204)"),
  ...e("pool-too-small", ["database", "alert:response-time"], "pool gauges or Hikari's timeout line: active = max with requests waiting; pg_stat_activity mostly idle; the configured pool size"),
  ...e("dns-loop", "dns-overload", "CoreDNS logs: plugin/loop detected — a forwarding loop spins CoreDNS at its CPU limit"),
  ...e("dns-overload", ["dns", "alert:dns"], "CFS throttling of the CoreDNS pods with their CPU limit (metrics, deployments); NXDOMAIN answers for names tried under search suffixes (CoreDNS logs, ndots)"),
  // A vetted entry names its own cause; it may explain whichever alert it shows up under.
  ...e("known-issue", CAUSAL_ALERT_IDS, "the known-issue table's log signature or image version range, matched in a call's output"),
];

const BY_ID = new Map(CAUSAL_NODES.map((node) => [node.id, node]));
const BY_KEY = new Map(CAUSAL_NODES.flatMap((node) => (node.keys ?? [node.id]).map((key) => [key, node] as const)));

export function getNode(id: string): CausalNode | undefined {
  return BY_ID.get(id);
}

/** The node an analyzer's candidate key is direct evidence of. */
export function nodeForKey(key: string): CausalNode | undefined {
  return BY_KEY.get(key) ?? (key.startsWith("exception-") ? BY_ID.get("conductor") : key.startsWith("known-issue:") ? BY_ID.get("known-issue") : undefined);
}

/** The alert node for an issue type. */
export function alertNodeFor(type: IssueType): CausalNode {
  return CAUSAL_NODES.find((node) => node.issueTypes?.includes(type)) ?? (BY_ID.get("alert:unknown") as CausalNode);
}

export function edgesFrom(id: string): CausalEdge[] {
  return CAUSAL_EDGES.filter((edge) => edge.from === id);
}

/** Every path from `from` to `to` (the graph is a small DAG), shortest first. */
export function pathsBetween(from: string, to: string, seen: ReadonlySet<string> = new Set()): string[][] {
  if (from === to) return [[to]];
  if (seen.has(from)) return [];
  const next = new Set([...seen, from]);
  return edgesFrom(from)
    .flatMap((edge) => pathsBetween(edge.to, to, next).map((path) => [from, ...path]))
    .sort((a, b) => a.length - b.length);
}

/** True when `from` explains `to`, directly or through other nodes. */
export function explains(from: string, to: string): boolean {
  return from !== to && pathsBetween(from, to).length > 0;
}

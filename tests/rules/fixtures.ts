/** Real-looking command outputs in the shapes agents return: JSON of differing shapes and kubectl-like text. */

export const EXECUTION_ID = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";

export const PODS_JSON_KUBECTL = {
  kind: "PodList",
  items: [
    {
      metadata: { name: "conductor-server-7d9f8-abcde", namespace: "orkes" },
      spec: { nodeName: "ip-10-0-1-12" },
      status: {
        phase: "Running",
        containerStatuses: [
          {
            name: "conductor",
            ready: true,
            restartCount: 4,
            state: { running: { startedAt: "2026-11-23T10:58:00Z" } },
            lastState: { terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: "2026-11-23T10:57:58Z" } },
          },
        ],
        conditions: [{ type: "Ready", status: "True", reason: "PodCompleted" }],
      },
    },
    {
      metadata: { name: "conductor-workers-5c4b-xyz12" },
      status: { phase: "Running", containerStatuses: [{ name: "workers", ready: true, restartCount: 0, state: { running: {} }, lastState: {} }] },
    },
  ],
};

export const PODS_JSON_SIMPLE = {
  pods: [
    { name: "conductor-server-0", status: "Running", ready: "1/1", restart_count: 0, node: "node-a" },
    { name: "conductor-workers-1", status: "CrashLoopBackOff", ready: "0/1", restart_count: 12, lastState: "Error", node: "node-b" },
    { name: "prometheus-server-0", status: "Running", ready: "2/2", restart_count: 0 },
  ],
};

export const PODS_TEXT = `NAME                                READY   STATUS             RESTARTS       AGE
conductor-server-7d9f8-abcde        1/1     Running            0              3d
conductor-workers-5c4b-xyz12        1/1     Running            0              3d
prometheus-server-0                 1/2     ImagePullBackOff   0              14m
redis-master-0                      1/1     Running            2 (4h ago)     9d
`;

export const PODS_TEXT_HEALTHY = `NAME                          READY   STATUS    RESTARTS   AGE
conductor-server-6f7c9-k2l4m  1/1     Running   0          6d
conductor-workers-7b8d-q9r8s  1/1     Running   0          6d
`;

export const EVENTS_JSON_OOM = {
  events: [
    { type: "Normal", reason: "Pulled", message: "Container image \"orkes/conductor:5.2.1\" already present on machine", count: 4, involvedObject: { name: "conductor-server-7d9f8-abcde" } },
    { type: "Warning", reason: "OOMKilling", message: "Memory cgroup out of memory: Killed process 4187 (java) total-vm:9012345kB", count: 4, involvedObject: { name: "conductor-server-7d9f8-abcde" } },
    { type: "Warning", reason: "BackOff", message: "Back-off restarting failed container conductor in pod conductor-server-7d9f8-abcde", count: 7, involvedObject: { name: "conductor-server-7d9f8-abcde" } },
  ],
};

export const EVENTS_TEXT_IMAGE = `LAST SEEN   TYPE      REASON           OBJECT                        MESSAGE
14m         Normal    Scheduled        pod/prometheus-server-0       Successfully assigned orkes/prometheus-server-0 to ip-10-0-3-7
12m         Warning   Failed           pod/prometheus-server-0       Failed to pull image "quay.io/prometheus/prometheus:v9.9.9": manifest unknown
2m          Warning   ImagePullBackOff pod/prometheus-server-0       Back-off pulling image "quay.io/prometheus/prometheus:v9.9.9"
`;

export const EVENTS_TEXT_SCHEDULING = `LAST SEEN   TYPE      REASON             OBJECT                           MESSAGE
3m          Warning   FailedScheduling   pod/conductor-server-6f7c9-zz1   0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available.
`;

export const EVENTS_TEXT_NORMAL = `LAST SEEN   TYPE     REASON    OBJECT                     MESSAGE
5m          Normal   Pulled    pod/conductor-server-0     Container image already present on machine
5m          Normal   Started   pod/conductor-server-0     Started container conductor
`;

const ts = (i: number) => `2026-11-23T10:${String(10 + (i % 50)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}.123Z`;

function repeat(n: number, line: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => line(i));
}

/** Redis connection failures, wrapped by Conductor, with Caused-by chains. */
export const LOGS_JEDIS = [
  ...repeat(40, (i) => `${ts(i)} INFO  [http-nio-8080-exec-${i % 8}] c.n.c.s.WorkflowSweeper - swept 120 workflows`),
  ...repeat(25, (i) => [
    `${ts(i)} ERROR [sweeper-${i % 4}] c.n.c.c.e.WorkflowExecutor - Error deciding workflow ${i}`,
    `com.netflix.conductor.core.exception.TransientException: Unable to decide workflow`,
    `\tat com.netflix.conductor.core.execution.WorkflowExecutor.decide(WorkflowExecutor.java:1102)`,
    `Caused by: redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the pool`,
    `\tat redis.clients.jedis.util.Pool.getResource(Pool.java:59)`,
    `Caused by: java.net.ConnectException: Connection refused`,
    `\t... 12 more`,
  ].join("\n")),
].join("\n");

/** A harmless deprecated-API error drowns the logs; the real failure is Redis. */
export const LOGS_DEPRECATION_HERRING = [
  ...repeat(300, (i) => `${ts(i)} ERROR [http-nio-8080-exec-${i % 8}] c.n.c.r.c.WorkflowResource - Client used deprecated API /api/workflow/bulk/v1 (com.netflix.conductor.core.exception.DeprecatedApiUsageException); use /api/workflow/bulk`),
  ...repeat(30, (i) => `${ts(i)} ERROR [redis-pool-${i % 3}] c.n.c.r.d.RedisExecutionDAO - redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketTimeoutException: Read timed out`),
].join("\n");

/** Loud WARN noise about a slow query, and nothing else. */
export const LOGS_SLOW_QUERY_WARNINGS = repeat(
  400,
  (i) => `${ts(i)} WARN  [pool-3-thread-${i % 6}] c.n.c.p.d.PostgresIndexDAO - Slow query took ${1200 + i} ms: SELECT json_data FROM workflow_index WHERE ...`,
).join("\n");

export const LOGS_HEAP_OOM = [
  ...repeat(20, (i) => `${ts(i)} INFO  [main] c.n.c.Conductor - heartbeat ${i}`),
  ...repeat(6, (i) => `${ts(i)} ERROR [sweeper-${i}] c.n.c.c.e.WorkflowExecutor - Uncaught\njava.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3512)`),
].join("\n");

export const INGRESS_JSON_NO_ADDRESS = {
  items: [
    {
      metadata: { name: "conductor-ingress", namespace: "orkes" },
      spec: { ingressClassName: "alb", rules: [{ host: "acme-eu-1.orkesconductor.io", http: { paths: [{ path: "/" }] } }] },
      status: { loadBalancer: {} },
    },
  ],
};

export const INGRESS_JSON_WITH_ADDRESS = {
  ingresses: [{ name: "conductor-ingress", hosts: ["acme-eu-1.orkesconductor.io"], address: "k8s-orkes-abc123.eu-west-1.elb.amazonaws.com" }],
};

export const INGRESS_TEXT_NO_ADDRESS = `NAME                CLASS   HOSTS                         ADDRESS   PORTS     AGE
conductor-ingress   nginx   acme-eu-1.orkesconductor.io             80, 443   2d
`;

export const INGRESS_TEXT_WITH_ADDRESS = `NAME                CLASS   HOSTS                         ADDRESS        PORTS     AGE
conductor-ingress   nginx   acme-eu-1.orkesconductor.io   34.120.18.77   80, 443   40d
`;

export const CLUSTER_DATA_BACKLOG = { redisUsage: 71, deciderQueueSize: 48000, indexerQueueSize: 120, heapUsage: 55, cpuUsage: 40 };

export const CLUSTER_METRICS_PAIRS = {
  metrics: [
    { name: "redis_used_memory_percent", value: "69%" },
    { name: "decider_queue_size", value: "2,400" },
    { name: "decider_queue_threshold", value: 1000 },
  ],
};

export const CLUSTER_METRICS_TEXT = `Cluster metrics for acme-eu-1
Redis used memory: 6.1 GiB (71%)
Decider queue size: 520
Indexer queue size: 12,000
`;

export const TOP_PODS_TEXT = `NAME                           CPU(cores)   MEMORY(bytes)
conductor-server-7d9f8-abcde   1850m        3200Mi
conductor-workers-5c4b-xyz12   120m         900Mi
`;

export const TOP_PROCESS_TEXT = `top - 10:58:01 up 3 days,  2:01,  0 users,  load average: 7.91, 7.40, 6.90
Tasks:   3 total,   1 running,   2 sleeping,   0 stopped,   0 zombie
  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND
    1 conduct+  20   0   12.1g   3.1g  23456 S 385.2  78.1 912:01.22 java -Xmx3g -jar conductor-server.jar
  412 conduct+  20   0    7.2m   3.1m   2.8m R   0.3   0.0   0:00.01 top
`;

export const THREAD_DUMP_TEXT = Array.from({ length: 8 }, (_, i) => `"sweeper-${i}" #${30 + i} prio=5 os_prio=0 tid=0x00007f nid=0x${i} runnable
   java.lang.Thread.State: RUNNABLE
\tat java.util.HashMap.resize(HashMap.java:704)
\tat com.netflix.conductor.core.execution.DeciderService.getTasksToBeScheduled(DeciderService.java:412)
\tat com.netflix.conductor.core.execution.DeciderService.decide(DeciderService.java:120)
`).join("\n") + `\n"http-nio-8080-exec-1" #12 daemon prio=5
   java.lang.Thread.State: WAITING (parking)
\tat jdk.internal.misc.Unsafe.park(Native Method)
`;

export const INCIDENT_TIMED_OUT = {
  workflowId: EXECUTION_ID,
  status: "TIMED_OUT",
  reasonForIncompletion: "Task get_cluster_metrics timed out after 300 seconds",
  issues: [],
  clusterData: null,
  cluster: { clusterName: "acme-eu-1", organizationName: "Acme" },
};

export function incident(issues: { severity: string; description: string }[], clusterData: unknown = null) {
  return {
    workflowId: EXECUTION_ID,
    status: "FAILED",
    reasonForIncompletion: "Health check found issues",
    issues,
    clusterData,
    cluster: { clusterName: "acme-eu-1", organizationName: "Acme", cloudEnvironmentTag: "c3f0c5-acme-eu-1" },
  };
}

export const PODS_TEXT_REDIS_CRASHING = `NAME                          READY   STATUS    RESTARTS      AGE
conductor-server-6f7c9-k2l4m  1/1     Running   0             6d
redis-master-0                0/1     Running   6 (1m ago)    6d
`;

/** Redis's own log format: no levels, `#` marks a warning. */
export const LOGS_REDIS_AOF = `1:C 23 Nov 2025 09:58:11.002 * Redis is starting
1:M 23 Nov 2025 09:58:11.004 * Reading RDB base file on AOF loading...
1:M 23 Nov 2025 09:58:14.771 # Bad file format reading the append only file appendonly.aof.41.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>
`;

export const DEPLOYMENTS_JSON = {
  deployments: [
    { name: "conductor-server", replicas: { desired: 2, ready: 2, available: 2 } },
    { name: "inventory-workers", replicas: { desired: 0, ready: 0 }, annotations: { "kubernetes.io/change-cause": "helm upgrade inventory-workers --set replicaCount=0" } },
    { metadata: { name: "billing-workers" }, spec: { replicas: 3 }, status: { readyReplicas: 1 } },
  ],
};

export const DEPLOYMENTS_TEXT = `NAME                READY   UP-TO-DATE   AVAILABLE   AGE
conductor-server    2/2     2            2           40d
inventory-workers   0/0     0            0           40d
billing-workers     1/3     3            1           40d
`;

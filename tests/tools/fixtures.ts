/** Realistic command outputs, shaped like what in-cluster agents of different versions return. */

export const PODS_JSON = [
  { name: "conductor-server-7d9f8b6c5-x2k4p", phase: "Running", ready: "1/1", restarts: 7, lastState: "OOMKilled", node: "ip-10-0-3-17.ec2.internal", age: "3d4h" },
  { name: "conductor-server-7d9f8b6c5-q8m2z", phase: "Running", ready: "1/1", restarts: 0, lastState: null, node: "ip-10-0-1-52.ec2.internal", age: "3d4h" },
  { name: "conductor-workers-5c6b7f9d8-lk3jd", phase: "Running", ready: "1/1", restarts: 1, lastState: "Error", node: "ip-10-0-2-9.ec2.internal", age: "12d" },
  { name: "redis-master-0", phase: "Running", ready: "1/1", restarts: 0, lastState: null, node: "ip-10-0-3-17.ec2.internal", age: "40d" },
];

export const PODS_KUBECTL_TEXT = `NAME                                READY   STATUS             RESTARTS        AGE
conductor-server-7d9f8b6c5-x2k4p    0/1     CrashLoopBackOff   7 (2m14s ago)   3d4h
conductor-server-7d9f8b6c5-q8m2z    1/1     Running            0               3d4h
conductor-workers-5c6b7f9d8-lk3jd   1/1     Running            1 (5h ago)      12d
prometheus-server-0                 2/2     Running            0               40d
redis-master-0                      1/1     Running            0               40d`;

export const POD_EVENTS_TEXT = `LAST SEEN   TYPE      REASON      OBJECT                                 MESSAGE
4m12s       Normal    Pulled      pod/conductor-server-7d9f8b6c5-x2k4p   Container image "orkesio/orkes-conductor-server:5.2.14" already present on machine
4m12s       Warning   BackOff     pod/conductor-server-7d9f8b6c5-x2k4p   Back-off restarting failed container conductor-server in pod conductor-server-7d9f8b6c5-x2k4p
2m14s       Warning   OOMKilling  node/ip-10-0-3-17.ec2.internal         Memory cgroup out of memory: Killed process 31337 (java) total-vm:9812444kB`;

const STACK = [
  "java.lang.OutOfMemoryError: Java heap space",
  "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
  "\tat java.base/java.lang.AbstractStringBuilder.ensureCapacityInternal(AbstractStringBuilder.java:228)",
  "\tat com.netflix.conductor.core.execution.WorkflowExecutor.decide(WorkflowExecutor.java:1012)",
  "\tat com.netflix.conductor.core.reconciliation.WorkflowSweeper.sweep(WorkflowSweeper.java:74)",
];

/** `count` log lines, oldest first, each numbered so a test can tell which end survived a cut. */
export function javaLogLines(count: number): string {
  const lines: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    const time = new Date(Date.UTC(2026, 10, 3, 9, 0, 0) + i * 250).toISOString();
    if (i % 10 === 0) {
      lines.push(`${time} ERROR [sweeper-${i % 4}] c.n.c.c.r.WorkflowSweeper - line ${i}: error sweeping workflow 4c1d${i}`, ...STACK);
    } else {
      lines.push(`${time}  INFO [http-nio-8080-exec-${i % 8}] c.n.c.r.c.WorkflowResource - line ${i}: started workflow order_flow`);
    }
  }
  return lines.join("\n");
}

export const THREAD_DUMP_OUTPUT = {
  podName: "conductor-server-7d9f8b6c5-x2k4p",
  files: [
    "s3://orkes-diagnostics/acme-eu-1/thread-dumps/2026-11-03T09-14-02Z/conductor-server-7d9f8b6c5-x2k4p-1.txt",
    "s3://orkes-diagnostics/acme-eu-1/thread-dumps/2026-11-03T09-14-12Z/conductor-server-7d9f8b6c5-x2k4p-2.txt",
  ],
};

export const CLUSTER_METRICS = {
  metrics: [
    { name: "redis_used_memory", value: 5.71, unit: "GiB" },
    { name: "redis_max_memory", value: 8, unit: "GiB" },
    { name: "decider_queue_size", value: 48213, unit: "messages" },
    { name: "jvm_heap_used", value: 3.3, unit: "GiB" },
  ],
};

export const SQL_ROWS = [
  { workflow_type: "order_flow", running: 41877 },
  { workflow_type: "refund_flow", running: 5120 },
  { workflow_type: "nightly_export", running: 1216 },
];

import { describe, expect, it } from "vitest";
import { extractEvents } from "../../src/rules/read/read-events.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";

const podList = {
  apiVersion: "v1",
  kind: "PodList",
  items: [
    {
      metadata: { name: "billing-workers-6c9d-x7k2p", namespace: "billing" },
      spec: { nodeName: "ip-10-1-2-3.ec2.internal" },
      status: {
        phase: "Running",
        conditions: [{ type: "Ready", status: "False", reason: "ContainersNotReady" }],
        containerStatuses: [
          {
            name: "worker",
            ready: false,
            restartCount: 7,
            image: "registry.example/billing-worker:4.1.0",
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 5m0s restarting failed container" } },
            lastState: { terminated: { reason: "OOMKilled", exitCode: 137, finishedAt: "2025-02-04T16:41:00Z" } },
          },
          { name: "sidecar", ready: true, restartCount: 0, state: { running: { startedAt: "2025-02-04T16:00:00Z" } } },
        ],
      },
    },
    {
      metadata: { name: "report-job-28890120-vq8xj", namespace: "billing" },
      status: { phase: "Succeeded", containerStatuses: [{ name: "job", ready: false, restartCount: 0, state: { terminated: { reason: "Completed", exitCode: 0 } } }] },
    },
    { metadata: { name: "api-7f9-abc12" }, status: { phase: "Failed", reason: "Evicted", message: "The node was low on resource: ephemeral-storage." } },
  ],
};

describe("extractPods", () => {
  it("PodList: phase, per-container state and last state, exit codes, restarts, readiness as containers", () => {
    const [workers, job, evicted] = extractPods(podList, "");
    expect(workers).toMatchObject({
      name: "billing-workers-6c9d-x7k2p",
      namespace: "billing",
      phase: "Running",
      status: "CrashLoopBackOff",
      ready: "1/2",
      readyContainers: 1,
      totalContainers: 2,
      restarts: 7,
      lastReasons: ["OOMKilled"],
      exitCodes: [137],
      node: "ip-10-1-2-3.ec2.internal",
    });
    expect(workers?.containers?.[0]).toMatchObject({ name: "worker", ready: false, state: "waiting", reason: "CrashLoopBackOff", lastReason: "OOMKilled", lastExitCode: 137, image: "registry.example/billing-worker:4.1.0" });
    expect(workers?.reasons).not.toContain("ContainersNotReady");
    expect(job).toMatchObject({ status: "Completed", phase: "Succeeded" });
    expect(evicted).toMatchObject({ status: "Evicted", phase: "Failed", message: "The node was low on resource: ephemeral-storage." });
  });

  it("a column/row table in JSON (`{columns, rows}`)", () => {
    const data = { columns: ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"], rows: [["games", "ranker-5c8d-v8tkd", "0/1", "ImagePullBackOff", 0, "3m"], ["games", "sync-7b6d-ws4vq", "1/1", "Running", "1 (6d ago)", "22d"]] };
    expect(extractPods(data, "")).toMatchObject([
      { name: "ranker-5c8d-v8tkd", namespace: "games", status: "ImagePullBackOff", ready: "0/1", readyContainers: 0, totalContainers: 1, reasons: ["ImagePullBackOff"] },
      { name: "sync-7b6d-ws4vq", status: "Running", restarts: 1, reasons: [] },
    ]);
  });

  it("kubectl get pods -o wide -A: namespace and node columns; <none> is no node", () => {
    const text = `NAMESPACE   NAME                       READY   STATUS                  RESTARTS      AGE   IP            NODE            NOMINATED NODE   READINESS GATES
shop        shop-api-5f8b7d6c9-zt7wq   0/3     Init:CrashLoopBackOff   4 (2m ago)    8d    10.12.4.31    gke-pool-x8kq   <none>           <none>
shop        shop-web-5f8b7d6c9-m4kpd   1/1     Running                 0             8d    10.12.4.32    gke-pool-x8kq   <none>           <none>
shop        shop-wk-5f8b7d6c9-p0vd     0/1     Pending                 0             8d    <none>        <none>          <none>           <none>
`;
    const pods = extractPods(undefined, text);
    expect(pods.map((p) => [p.name, p.namespace, p.status, p.ready, p.restarts, p.node])).toEqual([
      ["shop-api-5f8b7d6c9-zt7wq", "shop", "Init:CrashLoopBackOff", "0/3", 4, "gke-pool-x8kq"],
      ["shop-web-5f8b7d6c9-m4kpd", "shop", "Running", "1/1", 0, "gke-pool-x8kq"],
      ["shop-wk-5f8b7d6c9-p0vd", "shop", "Pending", "0/1", 0, null],
    ]);
    expect(pods[0]).toMatchObject({ reasons: ["CrashLoopBackOff"], readyContainers: 0, totalContainers: 3, lastRestartAgeSeconds: 120 });
    expect(pods[1]?.lastRestartAgeSeconds).toBeNull();
  });

  it("kubectl describe pod: State / Last State / Reason / Exit Code / Ready / Restart Count per container", () => {
    const text = `Name:             ocr-workers-5d7f-2kq9z
Namespace:        claims
Node:             ip-10-4-1-9.ec2.internal/10.4.1.9
Status:           Running
Containers:
  ocr-worker:
    Container ID:   containerd://4b1f
    Image:          tidewell/ocr-worker:2025.02.1
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
      Started:      Tue, 04 Feb 2025 16:40:11 +0000
      Finished:     Tue, 04 Feb 2025 16:41:02 +0000
    Ready:          False
    Restart Count:  9
    Limits:
      memory:  512Mi
Conditions:
  Type              Status
  Ready             False
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Normal   Pulled     12m (x10 over 52m)   kubelet  Container image "tidewell/ocr-worker:2025.02.1" already present on machine
  Warning  BackOff    2m (x212 over 51m)   kubelet  Back-off restarting failed container ocr-worker in pod ocr-workers-5d7f-2kq9z
`;
    expect(extractPods(undefined, text)[0]).toMatchObject({
      name: "ocr-workers-5d7f-2kq9z",
      namespace: "claims",
      node: "ip-10-4-1-9.ec2.internal",
      phase: "Running",
      status: "CrashLoopBackOff",
      ready: "0/1",
      restarts: 9,
      lastReasons: ["OOMKilled"],
      exitCodes: [137],
      containers: [{ name: "ocr-worker", state: "waiting", reason: "CrashLoopBackOff", lastReason: "OOMKilled", lastExitCode: 137, ready: false, restarts: 9, image: "tidewell/ocr-worker:2025.02.1" }],
    });
    const events = extractEvents(undefined, text);
    expect(events).toEqual([
      { type: "Normal", reason: "Pulled", message: 'Container image "tidewell/ocr-worker:2025.02.1" already present on machine', count: 10, object: "ocr-workers-5d7f-2kq9z", lastSeen: "12m (x10 over 52m)", source: "kubelet", kind: "pod", ageSeconds: 720 },
      { type: "Warning", reason: "BackOff", message: "Back-off restarting failed container ocr-worker in pod ocr-workers-5d7f-2kq9z", count: 212, object: "ocr-workers-5d7f-2kq9z", lastSeen: "2m (x212 over 51m)", source: "kubelet", kind: "pod", ageSeconds: 120 },
    ]);
  });

  it.each([
    ["a string", "Error from server (Forbidden): pods is forbidden"],
    ["a number", 7],
    ["an empty list", { kind: "PodList", items: [] }],
  ])("reads nothing from %s, without throwing", (_label, data) => {
    expect(extractPods(data, typeof data === "string" ? data : "")).toEqual([]);
  });
});

describe("extractEvents", () => {
  it("EventList v1: involvedObject, count, source and last timestamp", () => {
    const data = {
      kind: "EventList",
      items: [
        { type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: conductor}.", count: 41, involvedObject: { kind: "Pod", name: "task-workers-6d-abc" }, source: { component: "default-scheduler" }, lastTimestamp: "2024-11-18T10:43:02Z" },
      ],
    };
    expect(extractEvents(data, "")).toEqual([
      { type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: conductor}.", count: 41, object: "pod/task-workers-6d-abc", lastSeen: "2024-11-18T10:43:02Z", source: "default-scheduler", kind: "pod", ageSeconds: null },
    ]);
  });

  it("events.k8s.io/v1: note, regarding, series count, reportingController; an involved object given as a string", () => {
    const v1 = { items: [{ type: "Warning", reason: "Unhealthy", note: "Liveness probe failed: context deadline exceeded", regarding: { kind: "Pod", name: "api-0" }, series: { count: 17, lastObservedTime: "2024-12-03T09:41:20Z" }, reportingController: "kubelet" }] };
    expect(extractEvents(v1, "")[0]).toMatchObject({ message: "Liveness probe failed: context deadline exceeded", object: "pod/api-0", count: 17, lastSeen: "2024-12-03T09:41:20Z", source: "kubelet" });
    const flat = [{ type: "Warning", reason: "PresentError", involvedObject: "Challenge/tls-1-2918", message: "Error presenting challenge", count: 4812 }];
    expect(extractEvents(flat, "")[0]).toMatchObject({ object: "Challenge/tls-1-2918", count: 4812, kind: "challenge" });
  });

  it("a node's OOMKilling event is about the node, not a pod", () => {
    const text = "LAST SEEN   TYPE      REASON       OBJECT                           MESSAGE\n6d1h        Warning   OOMKilling   node/ip-10-12-44-210.internal    Memory cgroup out of memory: Killed process 1 (java)\n";
    expect(extractEvents(undefined, text)[0]).toMatchObject({ reason: "OOMKilling", object: "node/ip-10-12-44-210.internal", kind: "node" });
  });

  it("kubectl get events -o wide: COUNT, SOURCE and a long MESSAGE", () => {
    const text = `LAST SEEN   TYPE      REASON      OBJECT                 SUBOBJECT                 SOURCE    MESSAGE                                                          FIRST SEEN   COUNT   NAME
3m          Warning   Failed      pod/meter-wk-8qrg-j6   spec.containers{meter}    kubelet   Failed to pull image "meter:2.14.0-rc1": manifest unknown        27m          9       meter-wk-8qrg-j6.17f
`;
    expect(extractEvents(undefined, text)[0]).toMatchObject({ reason: "Failed", object: "pod/meter-wk-8qrg-j6", count: 9, source: "kubelet", message: 'Failed to pull image "meter:2.14.0-rc1": manifest unknown', lastSeen: "3m" });
  });
});

import { describe, expect, it } from "vitest";
import { confidenceOf } from "../../src/rules/compose/compose-report.ts";
import { analyzeClockSkew, timeSync } from "../../src/rules/judge/analyzers/analyze-clock-skew.ts";
import { planLeadCalls } from "../../src/rules/investigate/follow-leads.ts";
import { analyzeDeployments } from "../../src/rules/judge/analyzers/analyze-deployments.ts";
import { analyzeJvmHeadroom, heapSizing } from "../../src/rules/judge/analyzers/analyze-jvm-headroom.ts";
import { analyzePodEvents, subjectOf } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { analyzePodStatuses } from "../../src/rules/judge/analyzers/analyze-pod-statuses.ts";
import { analyzeQuotaUsage, quantity, readQuotas } from "../../src/rules/judge/analyzers/analyze-quota-usage.ts";
import { analyzeVolumeZone } from "../../src/rules/judge/analyzers/analyze-volume-zone.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { mainSchedulingReason, readQuota } from "../../src/playbook/k8s-signatures.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const top = <C extends { key: string; weight: number }>(candidates: C[]): C | undefined => [...candidates].sort((a, b) => b.weight - a.weight)[0];

describe("FailedCreate: the controller cannot create the pods", () => {
  const events =
    "LAST SEEN   TYPE      REASON              OBJECT                                  MESSAGE\n" +
    "30m         Normal    ScalingReplicaSet   deployment/ledger-sync                  Scaled up replica set ledger-sync-7f9d6c4b8 to 9 from 3\n" +
    '2m          Warning   FailedCreate        replicaset/ledger-sync-7f9d6c4b8        Error creating: pods "ledger-sync-7f9d6c4b8-x2x9q" is forbidden: exceeded quota: team-quota, requested: requests.cpu=1, used: requests.cpu=12, limited: requests.cpu=12\n';

  it("an exceeded quota names the ResourceQuota and its numbers, quotes the event, and is about the deployment", () => {
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-sync" }, data: events }]));
    const quota = top(candidates);
    expect(quota).toMatchObject({ key: "quota", subject: "ledger-sync" });
    expect(quota?.cause).toMatch(/^ledger-sync cannot create its pods after its scale-up from 3 to 9 replicas: the namespace ResourceQuota team-quota is used up \(requested requests\.cpu=1, used requests\.cpu=12, limited requests\.cpu=12\)/);
    expect(quota?.cause).toContain('(FailedCreate "pods "ledger-sync-7f9d6c4b8-x2x9q" is forbidden: exceeded quota: team-quota');
    expect(quota?.template).toBeUndefined();
  });

  it("is the root of a not-running alert about that deployment (the pods never exist to be Pending)", () => {
    const evidence = evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-sync" }, data: events }]);
    const verdict = rankAlongGraph(analyzePodEvents.analyze(evidence).candidates, [issue("POD_NOT_RUNNING", "6 of 9 desired pods of deployment ledger-sync are not Running - ledger-sync", "CRITICAL", "ledger-sync")]);
    expect(verdict.root?.node.id).toBe("quota");
  });

  it("another refusal (an admission webhook) quotes what refused", () => {
    const denied = 'LAST SEEN   TYPE      REASON         OBJECT                          MESSAGE\n1m          Warning   FailedCreate   replicaset/intake-5d4c8b7f9     Error creating: admission webhook "policy.example.io" denied the request: image registry not allowed\n';
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "intake" }, data: denied }]));
    expect(top(candidates)).toMatchObject({ key: "create-failed", subject: "intake" });
    expect(top(candidates)?.cause).toContain('admission webhook "policy.example.io" denied the request');
  });

  it("the deployment's ReplicaFailure condition says the same without the events", () => {
    const deployments = {
      items: [{
        metadata: { name: "ledger-sync" },
        spec: { replicas: 9 },
        status: { replicas: 3, readyReplicas: 3, conditions: [{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: 'pods "ledger-sync-7f9d6c4b8-x2x9q" is forbidden: exceeded quota: team-quota, requested: requests.cpu=1, used: requests.cpu=12, limited: requests.cpu=12' }] },
      }],
    };
    const { candidates } = analyzeDeployments.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }]));
    expect(candidates.find((c) => c.key === "quota")).toMatchObject({ subject: "ledger-sync", cause: expect.stringContaining("ResourceQuota team-quota is used up") });
  });

  it("readQuota and subjectOf read the message and the owner", () => {
    expect(readQuota("exceeded quota: q1, requested: pods=1, used: pods=10, limited: pods=10")).toEqual({ name: "q1", terms: "requested pods=1, used pods=10, limited pods=10" });
    expect(readQuota("Insufficient cpu")).toBeNull();
    expect(subjectOf("replicaset/ledger-sync-7f9d6c4b8")).toBe("ledger-sync");
    expect(subjectOf("pod/ledger-sync-7f9d6c4b8-x2x9q")).toBe("ledger-sync-7f9d6c4b8-x2x9q");
    expect(subjectOf("redis-master-0")).toBe("redis-master-0");
  });
});

describe("Evicted: the resource named in the message", () => {
  it("an emptyDir over its sizeLimit is the pod's own local storage, not the node and not memory", () => {
    const events = 'Events:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n  Warning  Evicted  12m   kubelet  Usage of EmptyDir volume "tmp-work" exceeds the limit "2Gi".\n';
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "pdf-export-7c9d8b6f5-q8r2t" }, data: events }]));
    expect(top(candidates)).toMatchObject({ key: "storage-limit", appOrInfra: "app" });
    expect(top(candidates)?.cause).toMatch(/emptyDir volume "tmp-work" outgrew its sizeLimit 2Gi/);
    expect(top(candidates)?.cause).toContain('(Evicted "Usage of EmptyDir volume "tmp-work" exceeds the limit "2Gi".")');
    expect(top(candidates)?.cause).not.toMatch(/node ran low/);
  });

  it("the pod list's status message is read too (Failed/Evicted pods of a PodList)", () => {
    const pods = { kind: "PodList", items: [{ metadata: { name: "pdf-export-7c9d8b6f5-q8r2t" }, status: { phase: "Failed", reason: "Evicted", message: "Container render exceeded its local ephemeral storage limit \"3Gi\". " } }] };
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }]));
    expect(top(candidates)).toMatchObject({ key: "storage-limit", cause: expect.stringContaining("container render wrote past its ephemeral-storage limit 3Gi") });
  });

  it("the pod's total ephemeral-storage limit is named too", () => {
    const pods = { kind: "PodList", items: [{ metadata: { name: "pdf-export-7c9d8b6f5-q8r2t" }, status: { phase: "Failed", reason: "Evicted", message: "Pod ephemeral local storage usage exceeds the total limit of containers 6Gi. " } }] };
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }]));
    expect(top(candidates)).toMatchObject({ key: "storage-limit", cause: expect.stringContaining("it wrote past its ephemeral-storage limit (6Gi for all its containers)") });
  });

  it("node pressure keeps naming the resource the node ran low on, with the message, and the node", () => {
    const pods = { kind: "PodList", items: [{ metadata: { name: "pdf-export-7c9d8b6f5-q8r2t" }, spec: { nodeName: "pool-b-3" }, status: { phase: "Failed", reason: "Evicted", message: "The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi." } }] };
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }]));
    expect(top(candidates)).toMatchObject({ key: "eviction", cause: expect.stringMatching(/^pdf-export-7c9d8b6f5-q8r2t was Evicted because its node pool-b-3 ran low on memory.*The node was low on resource: memory/) });
  });
});

describe("FailedScheduling: the reason most nodes give", () => {
  const message = "0/5 nodes are available: 1 node(s) had untolerated taint {gpu: only}, 4 node(s) had volume node affinity conflict. preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.";

  it("mainSchedulingReason counts nodes per reason", () => {
    expect(mainSchedulingReason(message)).toBe("had volume node affinity conflict");
    expect(mainSchedulingReason("0/3 nodes are available: 3 Insufficient memory.")).toBe("Insufficient memory");
    expect(mainSchedulingReason("0/6 nodes are available: 2 node(s) had untolerated taint {a: b}, 1 node(s) didn't match Pod's node affinity/selector, 3 Insufficient cpu.")).toBe("Insufficient cpu");
    expect(mainSchedulingReason("pod has unbound immediate PersistentVolumeClaims")).toBeNull();
    expect(mainSchedulingReason("0/5 nodes are available: 3 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient memory.")).toBe("Insufficient memory");
    expect(mainSchedulingReason("0/7 nodes are available: 1 node(s) were unschedulable, 3 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint {a: b}.")).toBeNull();
  });

  it("a volume node affinity conflict on most nodes outranks a taint on one, quoted", () => {
    const events = `Events:\n  Type     Reason            Age                From               Message\n  ----     ------            ----               ----               -------\n  Warning  FailedScheduling  1m (x9 over 20m)   default-scheduler  ${message}\n`;
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "metrics-db-0" }, data: events }]));
    expect(top(candidates)?.key).toBe("scheduling");
    expect(top(candidates)?.cause).toMatch(/^metrics-db-0 cannot be scheduled: its PersistentVolume's node affinity \(the zone the volume lives in\) matches no node/);
    expect(top(candidates)?.cause).toContain('4 node(s) had volume node affinity conflict.")');
    expect(top(candidates)?.cause).not.toMatch(/preemption/);
    expect(top(candidates)?.nextStep).toMatch(/zone/);
  });

  it("a taint on most nodes still reads as the taint", () => {
    const events = "LAST SEEN   TYPE      REASON             OBJECT              MESSAGE\n1m          Warning   FailedScheduling   pod/etl-0   0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: batch}.\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "etl-0" }, data: events }]));
    expect(top(candidates)?.cause).toMatch(/^etl-0 cannot be scheduled: the nodes carry a taint \{dedicated: batch\} it does not tolerate/);
  });

  it("a Pending pod on no node: how its previous container ended (OOMKilled) is history, not a cause", () => {
    const waiting = { pod: "metrics-db-0", phase: "Pending", ready: false, restarts: 0, node: null, previous: { restartCount: 4, lastTerminationReason: "OOMKilled" } };
    const placed = { pod: "grafana-6d5c4b3a2-x1y2z", phase: "Running", ready: true, restarts: 0, node: "node-a" };
    const oomOf = (pods: unknown[]) => analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: { pods } }])).candidates.find((c) => c.key === "memory-limit");
    expect(oomOf([waiting, placed])?.weight ?? 0).toBeLessThan(0.4);
    // Whatever the phase is called: on no node while the others have one.
    expect(oomOf([{ ...waiting, phase: "Awaiting" }, placed])?.weight ?? 0).toBeLessThan(0.4);
    // A list that shows no nodes at all says nothing about placement: the OOMKill stands.
    expect(oomOf([waiting, { ...placed, node: null }])?.weight).toBeGreaterThanOrEqual(0.8);
  });
});

describe("OOMKilled with the heap setting against the container limit", () => {
  const pods = { kind: "PodList", items: [{ metadata: { name: "billing-api-5c7d9f8b6-k2m4p" }, status: { phase: "Running", containerStatuses: [{ name: "api", ready: true, restartCount: 3, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } }] } }] };
  const deployments = (opts: string, memory = "3Gi") => ({ deployments: [{ name: "billing-api", replicas: 2, readyReplicas: 2, containers: [{ name: "api", resources: { limits: { memory } }, env: { JAVA_OPTS: opts } }] }] });
  const metrics = { pods: [{ pod: "billing-api-5c7d9f8b6-k2m4p", jvm: { heap: { usedPct: 58.1 } } }] };
  const calls = (opts: string, memory?: string, logs = "") => [
    { tool: "get_pods_data", data: pods },
    { tool: "get_deployments_info", data: deployments(opts, memory) },
    { tool: "get_cluster_metrics", data: metrics },
    ...(logs ? [{ tool: "pull_pod_logs", input: { pod: "billing-api-5c7d9f8b6-k2m4p" }, data: logs }] : []),
  ];
  const restarted = [issue("POD_RESTARTED", "Pod has been restarted 3 times in the last hour - billing-api-5c7d9f8b6-k2m4p", "CRITICAL", "billing-api-5c7d9f8b6-k2m4p")];

  it("-Xmx equal to the limit leaves no room for native memory: names the setting, the limit and the heap reading", () => {
    const { candidates, findings } = analyzeJvmHeadroom.analyze(evidenceOf(calls("-Xms3g -Xmx3g -XX:+UseG1GC")));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.cause).toMatch(/^billing-api is OOMKilled by the kernel: its JVM heap \(-Xmx3g\) may take all of the 3Gi container memory limit, leaving no headroom for native memory/);
    expect(candidates[0]?.cause).toContain("the heap itself is at 58.1%");
    expect(candidates[0]?.cause).toContain('JAVA_OPTS "-Xms3g -Xmx3g -XX:+UseG1GC"');
    expect(candidates[0]?.nextStep).not.toMatch(/(raise|increase) -Xmx/i);
    expect(findings[0]?.text).toBe("deployment billing-api: JAVA_OPTS -Xmx3g, memory limit 3Gi");
  });

  it("is upstream of the generic 'limit too low' reading in the ranking", () => {
    const evidence = evidenceOf(calls("-Xmx3g"));
    const candidates = [...analyzePodStatuses.analyze(evidence).candidates, ...analyzeJvmHeadroom.analyze(evidence).candidates];
    expect(rankAlongGraph(candidates, restarted).root?.node.id).toBe("heap-no-headroom");
  });

  it("MaxRAMPercentage near 100 counts the same; 75% of the limit leaves room and says nothing", () => {
    expect(analyzeJvmHeadroom.analyze(evidenceOf(calls("-XX:MaxRAMPercentage=95"))).candidates[0]?.cause).toContain("-XX:MaxRAMPercentage=95) may take 95%");
    expect(analyzeJvmHeadroom.analyze(evidenceOf(calls("-XX:MaxRAMPercentage=75"))).candidates).toEqual([]);
    expect(analyzeJvmHeadroom.analyze(evidenceOf(calls("-Xmx2g", "4Gi"))).candidates).toEqual([]);
    expect(heapSizing({ name: "a", image: null, limits: { cpu: null, memory: "2048Mi" }, requests: { cpu: null, memory: null }, env: { JAVA_TOOL_OPTIONS: "-Xmx1920m" } })?.ratio).toBeCloseTo(0.9375);
  });

  it("a heap reading of another workload (the server's, in the cluster data) is not this one's", () => {
    const serverHeap = { conductor: { heapPct: 41 } };
    const { candidates } = analyzeJvmHeadroom.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_deployments_info", data: deployments("-Xmx3g") }, { tool: "get_cluster_metrics", data: serverHeap }]));
    expect(candidates[0]?.cause).not.toContain("the heap itself");
  });

  it("needs an OOMKill of that workload, and a heap OutOfMemoryError in the logs weakens it", () => {
    const healthy = { kind: "PodList", items: [{ metadata: { name: "billing-api-5c7d9f8b6-k2m4p" }, status: { phase: "Running", containerStatuses: [{ name: "api", ready: true, restartCount: 0 }] } }] };
    expect(analyzeJvmHeadroom.analyze(evidenceOf([{ tool: "get_pods_data", data: healthy }, { tool: "get_deployments_info", data: deployments("-Xmx3g") }])).candidates).toEqual([]);
    const weakened = analyzeJvmHeadroom.analyze(evidenceOf(calls("-Xmx3g", "3Gi", "java.lang.OutOfMemoryError: Java heap space\n")));
    expect(weakened.candidates[0]?.weight).toBeLessThan(0.6);
  });
});

describe("a problem confined to the pods of one node: clock skew", () => {
  const pods = "NAME                              READY   STATUS    RESTARTS   AGE   IP           NODE\n" +
    "conductor-server-7c8d9f6b5-aaaaa  1/1     Running   0          3d    10.1.1.4     node-east-7.internal\n" +
    "conductor-server-7c8d9f6b5-bbbbb  1/1     Running   0          3d    10.1.2.4     node-west-2.internal\n" +
    "billing-workers-5d6f7c8b9-ccccc   1/1     Running   0          3d    10.1.1.9     node-east-7.internal\n";
  const skewLogs = "2026-03-02 10:00:01.100  WARN 1 --- [exec-1] c.e.auth.TokenFilter : Rejected token for app 'billing': JWT not yet valid (nbf=2026-03-02T10:04:01Z, now=2026-03-02T10:00:01Z)\n" +
    "2026-03-02 10:00:01.300  WARN 1 --- [exec-2] c.e.auth.TokenFilter : token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.abcdefghijklmnop rejected: not yet valid\n" +
    "2026-03-02 10:00:02.000  WARN 1 --- [sched-1] c.e.queue.AgeMonitor : message in queue billing has negative age (-240s)\n";
  const cleanLogs = "2026-03-02 10:04:01.000  INFO 1 --- [exec-1] c.e.auth.TokenService : issued token for app 'billing'\n";
  const infra = "node_timex_offset_seconds{node=\"node-east-7.internal\"} -240.5\nnode_timex_sync_status{node=\"node-east-7.internal\"} 0\nnode_timex_sync_status{node=\"node-west-2.internal\"} 1\n" +
    "node_systemd_unit_state{node=\"node-east-7.internal\",name=\"chronyd.service\",state=\"failed\"} 1\nnode_systemd_unit_state{node=\"node-west-2.internal\",name=\"chronyd.service\",state=\"active\"} 1\n";
  const calls = (withInfra: boolean) => [
    { tool: "get_pods_data", data: pods },
    { tool: "pull_pod_logs", input: { pod: "conductor-server-7c8d9f6b5-aaaaa" }, data: skewLogs },
    { tool: "pull_pod_logs", input: { pod: "conductor-server-7c8d9f6b5-bbbbb" }, data: cleanLogs },
    ...(withInfra ? [{ tool: "get_infrastructure_metrics", data: infra }] : []),
  ];
  const warnAlert = [issue("CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD", "Warn Logs Count is 3000 in the last 15 minutes, above the threshold of 1000", "MINOR")];

  it("skew lines only on one node's pods, and that node's time sync down: names the node, the offset and the daemon", () => {
    const { candidates, findings } = analyzeClockSkew.analyze(evidenceOf(calls(true)));
    expect(candidates).toHaveLength(1);
    const cause = candidates[0]?.cause ?? "";
    expect(cause).toMatch(/^The clock of node node-east-7\.internal is off by -240\.5 s: its time synchronisation \(NTP\) stopped \(clock not synchronised, chronyd\.service failed\)/);
    expect(cause).toContain("pods on other nodes (node-west-2.internal) do not");
    expect(cause).toContain("JWT not yet valid");
    expect(cause).not.toContain("eyJhbGci");
    expect(candidates[0]?.template).toBeUndefined();
    expect(findings.some((f) => f.tool === "get_infrastructure_metrics" && f.text.includes("chronyd.service"))).toBe(true);
  });

  it("without the node's metrics: still the one node, read as its time sync (never high)", () => {
    const { candidates } = analyzeClockSkew.analyze(evidenceOf(calls(false)));
    expect(candidates[0]?.cause).toMatch(/^The clock of one node, node-east-7\.internal, is off: .*time synchronisation \(NTP, chrony\)/);
    expect(candidates[0]?.template).toBe(true);
  });

  it("skew on every pod read (no clean pod elsewhere): a weaker, general reading", () => {
    const { candidates } = analyzeClockSkew.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "pull_pod_logs", input: { pod: "conductor-server-7c8d9f6b5-aaaaa" }, data: skewLogs }]));
    expect(candidates[0]).toMatchObject({ key: "clock-skew", weight: 0.5, template: true });
    expect(analyzeClockSkew.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "x-1" }, data: cleanLogs }])).candidates).toEqual([]);
  });

  it("another node's name that starts the same is not this node; jitter under a few seconds is not drift", () => {
    const infra = "node_timex_sync_status{node=\"node-east-70.internal\"} 0\nnode_timex_offset_seconds{node=\"node-east-7.internal\"} 0.8\n";
    expect(timeSync(evidenceOf([{ tool: "get_infrastructure_metrics", data: infra }]), "node-east-7.internal")).toMatchObject({ facts: [], offset: null });
  });

  it("an x509 'has expired or is not yet valid … is after' is an expired certificate, not skew", () => {
    const expired = "E0302 10:00:01 tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-03-02T10:00:01Z is after 2026-03-01T00:00:00Z\n";
    expect(analyzeClockSkew.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "x-1" }, data: expired }])).candidates).toEqual([]);
  });

  it("a time 'in the future' alone is a scheduled time as often as a wrong clock: nothing", () => {
    const future = "2026-03-02 10:00:02.000  INFO 1 --- [sched-1] c.e.Scheduler : next run of nightly_export is in the future (02:00), skipping\n";
    expect(analyzeClockSkew.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "x-1" }, data: future }])).candidates).toEqual([]);
  });

  it("the node whose own time sync is down is named even when the pods elsewhere are the ones that log (its tokens look early)", () => {
    const infra = "node_timex_sync_status{node=\"node-west-2.internal\"} 0\nnode_timex_offset_seconds{node=\"node-west-2.internal\"} 240.5\nnode_timex_sync_status{node=\"node-east-7.internal\"} 1\n";
    const { candidates } = analyzeClockSkew.analyze(evidenceOf([...calls(false), { tool: "get_infrastructure_metrics", data: infra }]));
    expect(candidates[0]?.cause).toMatch(/^The clock of node node-west-2\.internal is off by 240\.5 s: its time synchronisation \(NTP\) stopped \(clock not synchronised\), so pods on other nodes \(conductor-server-7c8d9f6b5-aaaaa\) reject its times/);
    expect(candidates[0]?.template).toBeUndefined();
  });

  it("is upstream of the dominant warning it produces; a dominant warning with no skew may still be high", () => {
    const evidence = evidenceOf(calls(true), warnAlert);
    const warning = { key: "log-warn", cause: "the warning dominates", weight: 0.85, appOrInfra: "app" as const, tool: "pull_pod_logs" };
    const verdict = rankAlongGraph([...analyzeClockSkew.analyze(evidence).candidates, warning], warnAlert);
    expect(verdict.root?.node.id).toBe("clock-skew");
    expect(confidenceOf(rankAlongGraph([warning], warnAlert), 0)).toBe("high");
  });
});

describe("the context a SRE reads beside the decisive event", () => {
  it("FailedCreate beside the scale-up that asked for the pods", () => {
    const events =
      "LAST SEEN   TYPE      REASON              OBJECT                           MESSAGE\n" +
      "30m         Normal    ScalingReplicaSet   deployment/ledger-sync           Scaled up replica set ledger-sync-7f9d6c4b8 to 9 from 3\n" +
      "2m          Warning   FailedCreate        replicaset/ledger-sync-7f9d6c4b8 Error creating: pods \"ledger-sync-7f9d6c4b8-x2x9q\" is forbidden: exceeded quota: team-quota, requested: pods=1, used: pods=20, limited: pods=20\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-sync" }, data: events }]));
    expect(top(candidates)?.cause).toMatch(/^ledger-sync cannot create its pods after its scale-up from 3 to 9 replicas: the namespace ResourceQuota team-quota is used up/);
  });

  it("ReplicaFailure with the ready count and the recorded change", () => {
    const deployments = { items: [{ metadata: { name: "ledger-sync", annotations: { "kubernetes.io/change-cause": "scale ledger-sync 3 -> 9" } }, spec: { replicas: 9 }, status: { replicas: 3, readyReplicas: 3, conditions: [{ type: "ReplicaFailure", status: "True", reason: "FailedCreate", message: "exceeded quota: team-quota, requested: pods=1, used: pods=20, limited: pods=20" }] } }] };
    const quota = analyzeDeployments.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }])).candidates.find((c) => c.key === "quota");
    expect(quota?.cause).toMatch(/\(3 of 9 replicas ready; last change: "scale ledger-sync 3 -> 9"\)$/);
  });

  it("node time sync as JSON: a node object's sync flag, offset and daemon state", () => {
    const infra = { nodes: [{ name: "node-east-7.internal", timeSync: { synchronized: false, offsetMs: -240500, chronyd: "failed" } }, { name: "node-west-2.internal", timeSync: { synchronized: true, offsetMs: 2 } }] };
    const sync = timeSync(evidenceOf([{ tool: "get_infrastructure_metrics", data: infra }]), "node-east-7.internal");
    expect(sync.offset).toBe(-240.5);
    expect([...sync.facts].sort()).toEqual(["chronyd failed", "clock not synchronised"]);
    expect(timeSync(evidenceOf([{ tool: "get_infrastructure_metrics", data: infra }]), "node-west-2.internal")).toMatchObject({ facts: [], offset: null });
  });

  it("leads: a missing pod reads its deployment; an OOMKill its memory settings; clock skew the pods' nodes and the node metrics", () => {
    const ctx = (open: string[]) => ({ open: new Set(open), pods: [], pendingTask: null, made: new Set<string>() });
    expect(planLeadCalls(ctx(["alert:pod-not-running"]), 10)).toContainEqual(expect.objectContaining({ tool: "get_deployments_info", reason: expect.stringMatching(/^lead missing-pods-controller: .*ReplicaFailure/) }));
    expect(planLeadCalls(ctx(["memory-limit"]), 10)).toContainEqual(expect.objectContaining({ tool: "get_deployments_info", reason: expect.stringMatching(/^lead oom-memory-settings: .*-Xmx/) }));
    const skew = planLeadCalls(ctx(["clock-skew"]), 10).map((s) => s.tool);
    expect(skew).toEqual(expect.arrayContaining(["get_pods_data", "get_infrastructure_metrics"]));
  });

  it("the heap flag on the container's command line (args), JSON or describe text", () => {
    const pods = { kind: "PodList", items: [{ metadata: { name: "billing-api-5c7d9f8b6-k2m4p" }, status: { phase: "Running", containerStatuses: [{ name: "api", ready: true, restartCount: 2, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } }] } }] };
    const json = { items: [{ kind: "Deployment", metadata: { name: "billing-api" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "api", args: ["-Xms2g", "-Xmx2g", "-jar", "/app.jar"], resources: { limits: { memory: "2Gi" } } }] } } }, status: { replicas: 2, readyReplicas: 2 } }] };
    expect(analyzeJvmHeadroom.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_deployments_info", data: json }])).candidates[0]?.cause).toContain('its JVM heap (-Xmx2g) may take all of the 2Gi container memory limit');
    const text = "Name:                   billing-api\nReplicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\nPod Template:\n  Containers:\n   api:\n    Image:      example/billing-api:1.4.2\n    Args:\n      -Xmx1900m\n      -jar\n    Limits:\n      memory:  2Gi\n";
    expect(analyzeJvmHeadroom.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_deployments_info", data: text }])).candidates[0]?.cause).toContain("(-Xmx1900m) may take 93% of the 2Gi");
  });

  it("the heap setting read from `kubectl describe deployment` text", () => {
    const text = "Name:                   billing-api\nReplicas:               2 desired | 2 updated | 2 total | 2 available | 0 unavailable\nPod Template:\n  Containers:\n   api:\n    Image:      example/billing-api:1.4.2\n    Limits:\n      memory:  3Gi\n    Environment:\n      JAVA_OPTS:  -Xmx3g -XX:+UseG1GC\n";
    const pods = { kind: "PodList", items: [{ metadata: { name: "billing-api-5c7d9f8b6-k2m4p" }, status: { phase: "Running", containerStatuses: [{ name: "api", ready: true, restartCount: 2, lastState: { terminated: { reason: "OOMKilled", exitCode: 137 } } }] } }] };
    const { candidates } = analyzeJvmHeadroom.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_deployments_info", data: text }]));
    expect(candidates[0]?.cause).toMatch(/^billing-api is OOMKilled by the kernel: its JVM heap \(-Xmx3g\) may take all of the 3Gi container memory limit/);
  });
});

describe("FailedScheduling: another reason in the scheduler's own words", () => {
  it("anti-affinity on most nodes is named with its count", () => {
    const events = "LAST SEEN   TYPE      REASON             OBJECT          MESSAGE\n1m          Warning   FailedScheduling   pod/cache-2   0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match pod anti-affinity rules. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "cache-2" }, data: events }]));
    expect(top(candidates)?.cause).toMatch(/^cache-2 cannot be scheduled: 3 of 4 nodes didn't match pod anti-affinity rules \(FailedScheduling "0\/4 nodes are available:/);
  });
});

describe("FailedScheduling: control-plane taints settle nothing", () => {
  it("a tie read as a whole skips the control-plane taint for the workload's own constraint", () => {
    const events = "LAST SEEN   TYPE      REASON             OBJECT          MESSAGE\n1m          Warning   FailedScheduling   pod/etl-0   0/4 nodes are available: 2 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu.\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "etl-0" }, data: events }]));
    expect(top(candidates)?.cause).toMatch(/^etl-0 cannot be scheduled: no node has enough free cpu for its requests/);
  });
});

describe("volume node affinity conflict: the volume's zone against the nodes' zones", () => {
  const events = "Name:         metrics-db-0\nNamespace:    data\nVolumes:\n  data:\n    Type:       PersistentVolumeClaim\n    ClaimName:  data-metrics-db-0\nEvents:\n  Type     Reason            Age   From               Message\n  ----     ------            ----  ----               -------\n  Warning  FailedScheduling  2m    default-scheduler  0/3 nodes are available: 3 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.\n";
  const pv = (zone: string) => ({
    kind: "PersistentVolumeList",
    items: [{ metadata: { name: "pv-data-0" }, spec: { claimRef: { namespace: "data", name: "data-metrics-db-0" }, nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: [zone] }] }] } } } }],
    nodes: [{ kind: "Node", metadata: { name: "node-a", labels: { "topology.kubernetes.io/zone": "west-9b" } } }, { kind: "Node", metadata: { name: "node-b", labels: { "topology.kubernetes.io/zone": "west-9c" } } }],
  });
  const evidence = (zone: string) => evidenceOf([{ tool: "get_pod_events", input: { pod: "metrics-db-0" }, data: events }, { tool: "get_infrastructure_metrics", data: pv(zone) }]);

  it("names the volume, its zone and the zones the nodes are in", () => {
    const { candidates, findings } = analyzeVolumeZone.analyze(evidence("west-9a"));
    expect(candidates[0]).toMatchObject({ key: "scheduling", subject: "metrics-db-0" });
    expect(candidates[0]?.cause).toMatch(/^metrics-db-0 cannot be scheduled: its PersistentVolume pv-data-0 lives in zone west-9a, and no node is left in that zone \(the nodes are in west-9b, west-9c\)/);
    expect(findings[0]?.text).toBe("the volume of claim data/data-metrics-db-0 is pinned to zone west-9a");
  });

  it("says nothing when a node is in the volume's zone (the conflict is elsewhere) or no output lists the volume", () => {
    expect(analyzeVolumeZone.analyze(evidence("west-9b")).candidates).toEqual([]);
    expect(analyzeVolumeZone.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "metrics-db-0" }, data: events }])).candidates).toEqual([]);
  });

  it("a pod no node takes opens the lead to the nodes (zones, taints, capacity)", () => {
    const steps = planLeadCalls({ open: new Set(["scheduling"]), pods: [], pendingTask: null, made: new Set<string>() }, 10);
    expect(steps).toContainEqual(expect.objectContaining({ tool: "get_infrastructure_metrics", reason: expect.stringMatching(/^lead unschedulable-nodes: /) }));
  });
});

describe("a ResourceQuota at its hard limit beside a deployment short of replicas", () => {
  const deployment = { name: "ledger-sync", replicas: 9, readyReplicas: 3 };
  it("JSON (status.hard/used) names the full resources and the deployment", () => {
    const quota = { kind: "ResourceQuota", metadata: { name: "team-quota" }, status: { hard: { "requests.cpu": "12", pods: "40" }, used: { "requests.cpu": "12", pods: "14" } } };
    const { candidates } = analyzeQuotaUsage.analyze(evidenceOf([{ tool: "get_deployments_info", data: { deployments: [deployment], quotas: [quota] } }]));
    expect(candidates[0]).toMatchObject({ key: "quota", subject: "ledger-sync", weight: 0.7 });
    expect(candidates[0]?.cause).toBe("ledger-sync cannot create its missing pods (3 of 9 ready): the namespace ResourceQuota team-quota is at its hard limit (requests.cpu 12 of 12)");
  });

  it("`kubectl describe quota` text, quantities compared by value", () => {
    const text = "Name:            team-quota\nNamespace:       apps\nResource         Used   Hard\n--------         ----   ----\nlimits.memory    40960Mi   40Gi\nrequests.cpu     9500m  12\n";
    expect(readQuotas(text, text)).toEqual([{ name: "team-quota", full: ["limits.memory 40960Mi of 40Gi"] }]);
    expect(quantity("500m")).toBe(0.5);
  });

  it("several full quotas are one reading, not signals that reinforce each other", () => {
    const full = (name: string) => ({ metadata: { name }, status: { hard: { pods: "10" }, used: { pods: "10" } } });
    const { candidates } = analyzeQuotaUsage.analyze(evidenceOf([{ tool: "get_deployments_info", data: { deployments: [deployment], quotas: [full("q1"), full("q2")] } }]));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.cause).toMatch(/ResourceQuota q1 is at its hard limit \(pods 10 of 10\) \(and q2\)$/);
  });

  it("a quota with room, or no deployment short of replicas, says nothing", () => {
    const roomy = { metadata: { name: "q" }, status: { hard: { pods: "40" }, used: { pods: "10" } } };
    expect(analyzeQuotaUsage.analyze(evidenceOf([{ tool: "get_deployments_info", data: { deployments: [deployment], quotas: [roomy] } }])).candidates).toEqual([]);
    const full = { metadata: { name: "q" }, status: { hard: { pods: "10" }, used: { pods: "10" } } };
    expect(analyzeQuotaUsage.analyze(evidenceOf([{ tool: "get_deployments_info", data: { deployments: [{ ...deployment, readyReplicas: 9 }], quotas: [full] } }])).candidates).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { analyzePodEvents } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { analyzePodStatuses } from "../../src/rules/judge/analyzers/analyze-pod-statuses.ts";
import { evidenceOf, issue } from "./build-evidence.ts";
import * as f from "./fixtures.ts";

const top = <C extends { key: string; weight: number }>(candidates: C[]): C | undefined => [...candidates].sort((a, b) => b.weight - a.weight)[0];

describe("misreadings the issue lists", () => {
  it("an OOMKilling event recorded on the node: the next step names the pod's deployment, not the node", () => {
    const events = "LAST SEEN   TYPE      REASON       OBJECT                                        MESSAGE\n2m          Warning   OOMKilling   node/ip-10-0-12-34.eu-west-1.compute.internal   Memory cgroup out of memory: Killed process 2841 (java); container dispatch-workers limit 2Gi\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "dispatch-workers-stqm8p678-rt6rh" }, data: events }]));
    expect(top(candidates)).toMatchObject({ key: "memory-limit", cause: expect.stringMatching(/^dispatch-workers-stqm8p678-rt6rh was OOMKilled/) });
    expect(top(candidates)?.nextStep).toMatch(/^Raise the memory limit of the dispatch-workers deployment/);
    expect(top(candidates)?.nextStep).not.toMatch(/node|ip-10-0-12-34/);
  });

  it("a 'manifest unknown' pull failure names the missing tag instead of hedging over three causes", () => {
    const events = 'LAST SEEN   TYPE      REASON   OBJECT                             MESSAGE\n1m          Warning   Failed   pod/meter-workers-8qrg7xzcq-j6xhx   Failed to pull image "registry.example/apps/meter-workers:2.14.0-rc1": rpc error: code = NotFound desc = manifest unknown\n';
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "meter-workers-8qrg7xzcq-j6xhx" }, data: events }]));
    expect(top(candidates)?.cause).toBe("meter-workers-8qrg7xzcq-j6xhx is stuck in ImagePullBackOff: image registry.example/apps/meter-workers:2.14.0-rc1 does not exist in the registry (manifest unknown: wrong tag)");
    expect(top(candidates)?.cause).not.toMatch(/credentials|unreachable/);
  });
});

describe("analyzePodStatuses", () => {
  it("JSON: an OOMKilled last state is a strong memory-limit cause on that pod", () => {
    const { findings, candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: f.PODS_JSON_KUBECTL }]));
    expect(top(candidates)).toMatchObject({ key: "memory-limit", weight: 0.85, appOrInfra: "infra" });
    expect(findings[0]?.text).toMatch(/conductor-server-7d9f8-abcde: Running.*4 restarts.*last terminated: OOMKilled.*exit code 137/);
    expect(findings[0]?.tool).toBe("get_pods_data");
  });

  it("JSON: CrashLoopBackOff with an Error exit is a crash, weaker than OOM", () => {
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: f.PODS_JSON_SIMPLE }]));
    expect(top(candidates)).toMatchObject({ key: "crash", cause: expect.stringContaining("conductor-workers-1") });
    expect(top(candidates)?.weight).toBeLessThan(0.8);
  });

  it("text: ImagePullBackOff in the STATUS column", () => {
    const { findings, candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: f.PODS_TEXT }]));
    expect(top(candidates)).toMatchObject({ key: "image-pull", cause: expect.stringContaining("prometheus-server-0") });
    expect(findings.map((x) => x.text).join("\n")).toContain("redis-master-0: Running, ready 1/1, 2 restarts");
  });

  it("text: all pods healthy says so and blames nothing", () => {
    const { findings, candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: f.PODS_TEXT_HEALTHY }]));
    expect(candidates).toEqual([]);
    expect(findings[0]?.text).toBe("all 2 pods Running with no restarts");
  });

  it("unreadable output becomes a 'could not read' finding", () => {
    const { findings, candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: "error: the server could not find the requested resource" }]));
    expect(candidates).toEqual([]);
    expect(findings[0]?.text).toMatch(/^could not read the pod list/);
  });
});

describe("analyzePodEvents", () => {
  it("JSON: OOMKilling outranks the BackOff it causes, and cites the count and message", () => {
    const { findings, candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "conductor-server-7d9f8-abcde" }, data: f.EVENTS_JSON_OOM }]));
    expect(top(candidates)).toMatchObject({ key: "memory-limit", appOrInfra: "infra" });
    expect(top(candidates)?.weight).toBeGreaterThanOrEqual(0.85);
    expect(findings[0]).toMatchObject({ text: "conductor-server-7d9f8-abcde: OOMKilling: Memory cgroup out of memory: Killed process 4187 (java) total-vm:9012345kB", note: expect.stringMatching(/^4×/) });
    expect(candidates.map((c) => c.key)).toContain("crash");
  });

  it("text: a failed image pull", () => {
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "prometheus-server-0" }, data: f.EVENTS_TEXT_IMAGE }]));
    expect(top(candidates)).toMatchObject({ key: "image-pull", weight: 0.9, nextStep: expect.stringContaining("image tag") });
  });

  it("text: FailedScheduling for insufficient memory", () => {
    const { findings, candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "conductor-server-6f7c9-zz1" }, data: f.EVENTS_TEXT_SCHEDULING }]));
    expect(top(candidates)).toMatchObject({ key: "scheduling", appOrInfra: "infra" });
    expect(findings[0]?.text).toContain("Insufficient memory");
  });

  it.each([
    ["Warning  Unhealthy  Liveness probe failed: HTTP probe failed with statuscode: 503", "probe"],
    ["Warning  Evicted  The node was low on resource: ephemeral-storage.", "eviction"],
    ["Warning  FailedMount  MountVolume.SetUp failed for volume \"data\"", "volume"],
  ])("text lines: %s → %s", (line, key) => {
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "p-0" }, data: line }]));
    expect(top(candidates)?.key).toBe(key);
  });

  it("only normal events: a finding, no cause", () => {
    const { findings, candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "conductor-server-0" }, data: f.EVENTS_TEXT_NORMAL }]));
    expect(candidates).toEqual([]);
    expect(findings[0]?.text).toMatch(/2 events, none a known failure \(Pulled, Started\)/);
  });
});

describe("event age", () => {
  it("a weeks-old OOM kill is history, not the incident; a fresh one still counts", () => {
    const events = (age: string) =>
      `LAST SEEN   TYPE      REASON       OBJECT                   MESSAGE\n${age}         Warning   OOMKilling   pod/prometheus-server-0   Memory cgroup out of memory: Killed process 1 (prometheus)\n`;
    const keys = (age: string) => analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "prometheus-server-0" }, data: events(age) }])).candidates.map((c) => c.key);
    expect(keys("23d")).toEqual([]);
    expect(keys("5m")).toEqual(["memory-limit"]);
  });
});

describe("the event behind a cause, quoted", () => {
  it("a volume that cannot be attached quotes the event's reason and message verbatim", () => {
    const events = 'LAST SEEN   TYPE      REASON               OBJECT               MESSAGE\n3m          Warning   FailedAttachVolume   pod/ledger-db-0      Multi-Attach error for volume "pvc-11aa22bb" Volume is already exclusively attached to one node and can\'t be attached to another\n';
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-db-0" }, data: events }]));
    expect(top(candidates)?.cause).toBe('ledger-db-0 cannot mount its volume (event FailedAttachVolume "Multi-Attach error for volume "pvc-11aa22bb" Volume is already exclusively attached to one node and can\'t be attached to another")');
  });

  it("an alert about one pod: the pods-down link names that pod's workload, not another pod that is down", () => {
    const pods = "NAME               READY   STATUS              RESTARTS   AGE\nledger-db-0        0/1     ContainerCreating   0          40m\nreport-job-x7k2p   0/1     Error               0          10m\n";
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }], [issue("POD_NOT_RUNNING", "Pod is not Running - ledger-db-0", "CRITICAL", "ledger-db-0")]));
    const link = candidates.find((c) => c.key === "pod-down" && c.fact);
    expect(link?.fact).toBe("ledger-db-0 ContainerCreating not ready");
  });
});

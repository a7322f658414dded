import { describe, expect, it } from "vitest";
import { extractNodes } from "../../src/rules/read/read-nodes.ts";

describe("extractNodes", () => {
  it("NodeList JSON: Ready and pressure conditions, taints, labels, allocatable, unschedulable", () => {
    const data = {
      kind: "NodeList",
      items: [
        {
          kind: "Node",
          metadata: { name: "ip-10-0-1-5", labels: { workload: "conductor" } },
          spec: { unschedulable: true, taints: [{ key: "dedicated", value: "conductor", effect: "NoSchedule" }] },
          status: {
            allocatable: { cpu: "7910m", memory: "30Gi" },
            conditions: [
              { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory" },
              { type: "DiskPressure", status: "False" },
              { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." },
            ],
          },
        },
      ],
    };
    expect(extractNodes(data, "")).toEqual([
      {
        name: "ip-10-0-1-5",
        ready: null,
        status: null,
        conditions: [
          { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory", message: null },
          { type: "DiskPressure", status: "False", reason: null, message: null },
          { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." },
        ],
        pressure: ["MemoryPressure"],
        taints: [{ key: "dedicated", value: "conductor", effect: "NoSchedule" }],
        labels: { workload: "conductor" },
        unschedulable: true,
        cpuPercent: null,
        memoryPercent: null,
        allocatable: { cpu: "7910m", memory: "30Gi" },
      },
    ]);
  });

  it.each([
    ["percent strings", { nodes: [{ node: "n1", cpu: "38%", memory: "61%", conditions: "Ready" }] }, 38, 61, true],
    ["fractions", { nodes: [{ name: "n1", cpu: 0.22, mem: 0.51 }] }, 22, 51, null],
    ["*Pct keys and a ready flag", { nodes: [{ name: "n1", cpuPct: 12, memPct: 44, ready: true }] }, 12, 44, true],
    ["used/total", { nodes: [{ name: "n1", cpu: "1.9/8", memory: "22.4Gi/30Gi", ready: false }] }, 23.8, 74.7, false],
    ["usedPct inside cpu/memory objects", { nodes: [{ name: "n1", cpu: { allocatable: "7910m", usedPct: 22 }, memory: { allocatable: "30.1Gi", usedPct: 38 } }] }, 22, 38, null],
    ["nodes keyed by name", { nodes: { n1: { cpuPct: 98, memPct: 74 } } }, 98, 74, null],
    ["[name, 'cpu 22%'] rows", { nodes: [["n1", "cpu 22%", "mem 48%"]] }, 22, 48, null],
  ])("simplified JSON with %s", (_label, data, cpu, memory, ready) => {
    expect(extractNodes(data, "")[0]).toMatchObject({ name: "n1", cpuPercent: cpu, memoryPercent: memory, ready });
  });

  it("conditions as an object of flags", () => {
    expect(extractNodes({ nodes: [{ name: "n1", conditions: { MemoryPressure: true, DiskPressure: false }, allocatableMemory: "29Gi", usedMemory: "9.8Gi" }] }, "")[0]).toMatchObject({ pressure: ["MemoryPressure"], memoryPercent: 33.8, allocatable: { memory: "29Gi" } });
  });

  it("kubectl get nodes with extra CPU/MEMORY columns and a `Conditions for` line", () => {
    const text = `NAME            STATUS                     ROLES    AGE   VERSION   CPU         MEMORY
ip-10-9-1-12    Ready                      <none>   41d   v1.30.4   44%         58%
ip-10-9-2-77    NotReady                   <none>   41d   v1.30.4   <unknown>   <unknown>
ip-10-9-1-14    Ready,SchedulingDisabled   <none>   41d   v1.30.4   51%         62%

Conditions for ip-10-9-2-77: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting node status) since 2025-11-23T08:21:40Z
`;
    const nodes = extractNodes(undefined, text);
    expect(nodes.map((n) => [n.name, n.ready, n.unschedulable, n.cpuPercent])).toEqual([
      ["ip-10-9-1-12", true, false, 44],
      ["ip-10-9-2-77", null, false, null],
      ["ip-10-9-1-14", true, true, 51],
    ]);
    expect(nodes[1]?.conditions).toEqual([{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status" }]);
  });

  it("kubectl top nodes, and a NODE table with a CONDITIONS column", () => {
    const top = "NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\nnode-a   1850m        46%    24312Mi         81%\n";
    expect(extractNodes(undefined, top)[0]).toMatchObject({ name: "node-a", cpuPercent: 46, memoryPercent: 81 });
    const custom = "NODE        STATUS   CPU%   MEM%   CONDITIONS\nnode-b      Ready    22%    48%    MemoryPressure=True DiskPressure=False\n";
    expect(extractNodes(undefined, custom)[0]).toMatchObject({ name: "node-b", ready: true, memoryPercent: 48, pressure: ["MemoryPressure"] });
  });

  it("kubectl describe node: taints over several lines, Unschedulable, the Conditions table", () => {
    const text = `Name:               ip-10-42-17-201.ec2.internal
Roles:              <none>
Labels:             workload=conductor
Taints:             dedicated=conductor:NoSchedule
                    node.kubernetes.io/unreachable:NoExecute
Unschedulable:      false
Conditions:
  Type             Status    LastHeartbeatTime                 Reason                       Message
  ----             ------    -----------------                 ------                       -------
  MemoryPressure   False     Mon, 18 Nov 2024 13:50:02 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  Ready            False     Mon, 18 Nov 2024 13:50:02 +0000   KubeletNotReady              PLEG is not healthy: pleg was last seen active 3m0s ago
Addresses:
  InternalIP:  10.42.17.201
`;
    expect(extractNodes(undefined, text)).toMatchObject([
      {
        name: "ip-10-42-17-201.ec2.internal",
        ready: false,
        unschedulable: false,
        taints: [
          { key: "dedicated", value: "conductor", effect: "NoSchedule" },
          { key: "node.kubernetes.io/unreachable", value: null, effect: "NoExecute" },
        ],
        conditions: [
          { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory" },
          { type: "Ready", status: "False", reason: "KubeletNotReady", message: "PLEG is not healthy: pleg was last seen active 3m0s ago" },
        ],
      },
    ]);
  });

  it("pods, deployments and odd input are not nodes", () => {
    expect(extractNodes({ pods: [{ name: "api-0", node: "n1", status: "Running" }], deployments: [{ name: "api", ready: "1/1" }] }, "")).toEqual([]);
    expect(extractNodes(null, "NAME   READY   STATUS\napi-0  1/1     Running\n")).toEqual([]);
    expect(extractNodes(42, undefined as unknown as string)).toEqual([]);
    expect(extractNodes([{ name: "api-0", ready: "1/1", restarts: 0, node: "n1" }], "")).toEqual([]);
    expect(extractNodes({ nodes: [{ name: "n1", cpu: "10%" }], nodeGroups: [{ name: "ng-1", instanceType: "m6i.2xlarge", taints: [] }] }, "").map((n) => n.name)).toEqual(["n1"]);
  });
});

import { describe, expect, it } from "vitest";
import { analyzeNetworkPolicies } from "../../src/rules/judge/analyzers/analyze-network-policies.ts";
import { analyzePodEvents } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const ALERT = [issue("WORKERS_HEALTHY", "Workers have failed: no poll for ship_parcel in the last 900 s")];
const PODS = { items: [{ metadata: { name: "parcel-workers-7d9f8c6b5-a1b2c", namespace: "shipping" }, status: { phase: "Running", containerStatuses: [{ name: "w", ready: false, restartCount: 0 }] } }] };
const policy = (namespace: string, ports: number[]) => ({
  networkPolicies: [{ ns: namespace, name: "baseline-egress", createdAt: "2026-03-02T05:58:39Z", podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: ports.map((port) => ({ protocol: "TCP", port })) }] }],
});
const LOGS = '{"level":50,"msg":"poll failed for ship_parcel","err":{"message":"connect ETIMEDOUT 10.100.4.7:8080","code":"ETIMEDOUT"}}\n';
const calls = (deployments: unknown) => [
  { tool: "get_pods_data", data: PODS },
  { tool: "get_deployments_info", data: deployments },
  { tool: "pull_pod_logs", input: { pod: "parcel-workers-7d9f8c6b5-a1b2c" }, data: LOGS },
];

describe("a NetworkPolicy restricting Egress without the port the pods time out on", () => {
  it("is the cause, quoting the policy, the allowed ports and the failed connection", () => {
    const { candidates } = analyzeNetworkPolicies.analyze(evidenceOf(calls(policy("shipping", [443])), ALERT));
    expect(candidates.map((c) => c.cause)).toEqual([
      'NetworkPolicy baseline-egress (created 2026-03-02T05:58:39Z) restricts egress of the pods in namespace shipping to 443/TCP, so their connections to port 8080 are dropped: 1 pod log "connect ETIMEDOUT 10.100.4.7:8080"',
    ]);
  });

  it("is not when a rule allows that port, or the policy is in another namespace", () => {
    expect(analyzeNetworkPolicies.analyze(evidenceOf(calls(policy("shipping", [443, 8080])), ALERT)).candidates).toEqual([]);
    expect(analyzeNetworkPolicies.analyze(evidenceOf(calls(policy("billing", [443])), ALERT)).candidates).toEqual([]);
  });
});

describe("an event last seen a day before the newest event is history", () => {
  it("an OOMKill three days before this morning's probe failures is not a candidate", () => {
    const events = {
      events: [
        { type: "Warning", reason: "Unhealthy", message: "Readiness probe failed: HTTP probe failed with statuscode: 503", count: 140, lastSeen: "2026-03-02T06:44:38Z" },
        { type: "Warning", reason: "BackOff", message: "Back-off restarting failed container w (OOMKilled)", count: 1, lastSeen: "2026-02-27T03:41:12Z" },
      ],
    };
    const keys = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "parcel-workers-7d9f8c6b5-a1b2c" }, data: events }])).candidates.map((c) => c.key);
    expect(keys).toContain("probe");
    expect(keys).not.toContain("memory-limit");
    expect(keys).not.toContain("oom");
  });
});

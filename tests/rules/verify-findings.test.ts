import { describe, expect, it } from "vitest";
import { citeFinding, claimsOf, verifyFinding, type CallSource } from "../../src/rules/judge/verify-findings.ts";

const LOG = [
  "2025-11-23T06:10:04.000Z  WARN 1 --- [sweeper-0] c.n.c.WorkflowSweeper   : Workflow 1ce8 (order_fulfillment v7) still RUNNING; pending task reserve_inventory SCHEDULED for 5400s",
  "2025-11-23T06:11:02.000Z  WARN 1 --- [queue-monitor] i.o.c.q.RedisQueueMonitor : Queue _deciderQueue size=47040; task queue reserve_inventory size=46138, pollers=0",
].join("\n");
const calls: CallSource[] = [
  { id: "c1", tool: "get_incident_details", output: "redis:\n  usedMemoryPercentage: 71.2\ndeciderQueueSize: 48213", input: {} },
  { id: "c2", tool: "pull_pod_logs", output: LOG, input: { pod: "conductor-server-lc4nrg8jk-stqtq", lines: 500 } },
];

describe("claimsOf", () => {
  it("reads numbers and identifiers, not counts the reader made or prose", () => {
    expect(claimsOf('conductor-server-abc: "pending task reserve_inventory SCHEDULED for 5400s" ×40, 48,213 running, OOMKilled 3 times')).toEqual({
      numbers: [48213],
      identifiers: ["conductor-server-abc", "reserve_inventory", "5400s", "OOMKilled"],
    });
  });
});

describe("verifyFinding", () => {
  it("accepts an excerpt of the cited call that holds every number and name (formatting and whitespace aside)", () => {
    expect(verifyFinding({ text: "decider queue holds 48,213 running workflows; Redis at 71%", callId: "c1", excerpt: "usedMemoryPercentage: 71.2 deciderQueueSize: 48213" }, calls)).toEqual({ ok: true });
  });

  it("without a call id, a verbatim excerpt of any call of the finding's tool will do", () => {
    expect(verifyFinding({ text: "pollers=0 on reserve_inventory", tool: "pull_pod_logs", excerpt: "task queue reserve_inventory size=46138, pollers=0" }, calls)).toEqual({ ok: true });
  });

  it("names from the call's own input count as said (the pod a log pull was about)", () => {
    expect(verifyFinding({ text: "conductor-server-lc4nrg8jk-stqtq: task queue reserve_inventory pollers=0", callId: "c2", excerpt: "task queue reserve_inventory size=46138, pollers=0" }, calls)).toEqual({ ok: true });
  });

  it.each([
    ["an excerpt that is not in the output", { text: "reserve_inventory", callId: "c2", excerpt: "task reserve_inventory COMPLETED" }, /not in the output of c2/],
    ["a number the excerpt does not hold", { text: "decider queue holds 52,000", callId: "c1", excerpt: "deciderQueueSize: 48213" }, /52000/],
    ["a name the excerpt does not hold", { text: "pending task ship_order", callId: "c2", excerpt: "pending task reserve_inventory SCHEDULED" }, /ship_order/],
    ["another call's output", { text: "deciderQueueSize 48213", callId: "c2", excerpt: "deciderQueueSize: 48213" }, /not in the output of c2/],
    ["an unknown call", { text: "x", callId: "c9", excerpt: "x" }, /no call c9/],
    ["no excerpt", { text: "x", callId: "c1" }, /no excerpt/],
    ["no call id and no call of its tool", { text: "x", tool: "get_ingress_info", excerpt: "x" }, /no call of get_ingress_info/],
    ["an excerpt over 200 characters", { text: "x", callId: "c2", excerpt: "x".repeat(201) }, /1–200 characters/],
  ])("rejects %s", (_name, finding, reason) => {
    const result = verifyFinding(finding, calls);
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.reason).toMatch(reason);
  });
});

describe("citeFinding", () => {
  it("finds the window of the finding's tool output that bears it out", () => {
    const finding = { text: 'conductor-server-lc4nrg8jk-stqtq: "Queue _deciderQueue size=47040; task queue reserve_inventory size=46138, pollers=0"', tool: "pull_pod_logs" };
    const citation = citeFinding(finding, calls);
    expect(citation?.callId).toBe("c2");
    expect(citation?.excerpt.length).toBeLessThanOrEqual(200);
    expect(verifyFinding({ text: finding.text, ...citation! }, calls)).toEqual({ ok: true });
  });

  it("has nothing for a finding whose tool was never called", () => {
    expect(citeFinding({ text: "x", tool: "get_ingress_info" }, calls)).toBeNull();
  });
});

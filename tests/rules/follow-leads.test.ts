import { describe, expect, it } from "vitest";
import { LEADS, NO_DELAY_RETRIES_QUERY, PENDING_TASKS_QUERY, SESSIONS_QUERY, UNSETTLED, WIDENING } from "../../src/playbook/leads.ts";
import { CAUSAL_NODES } from "../../src/playbook/causal-graph.ts";
import { callKey, planLeadCalls, type LeadContext } from "../../src/rules/investigate/follow-leads.ts";
import type { PodRecord } from "../../src/rules/read/read-pods.ts";

const pod = (name: string, extra: Partial<PodRecord> = {}): PodRecord =>
  ({ name, status: "Running", ready: "1/1", restarts: 0, reasons: [], lastReasons: [], exitCodes: [], node: null, ...extra }) as PodRecord;
const PODS = [pod("conductor-server-6d9f7c8b54-2xkqp"), pod("conductor-server-6d9f7c8b54-h7vzn"), pod("shipment-workers-7f6c5d4b9-p9xsd"), pod("quote-workers-5b8d9c7f66-kq2lm")];
const ctx = (open: string[], extra: Partial<LeadContext> = {}): LeadContext => ({ open: new Set(open), pods: PODS, pendingTask: null, made: new Set(), ...extra });

describe("leads", () => {
  it("open only on nodes of the causal graph, and map to calls", () => {
    const ids = new Set(CAUSAL_NODES.map((n) => n.id));
    for (const lead of LEADS) {
      expect(lead.opensOn.every((id) => ids.has(id)), lead.id).toBe(true);
      expect(lead.calls.length, lead.id).toBeGreaterThan(0);
    }
  });

  it("a backlog: which task is pending (SQL), the deployments and the pods — each with the lead as its reason", () => {
    const steps = planLeadCalls(ctx(["backlog"]), 10);
    expect(steps.map((s) => [s.tool, s.args])).toEqual([
      ["run_sql_select", { query: PENDING_TASKS_QUERY }],
      ["get_deployments_info", {}],
      ["get_pods_data", {}],
      // Last, with what budget is left: task definitions that retry at once (a retry storm fills the queues too).
      ["run_sql_select", { query: NO_DELAY_RETRIES_QUERY }],
    ]);
    expect(steps.slice(0, 3).every((s) => s.reason.startsWith("lead backlog-pending-task: "))).toBe(true);
    expect(steps[3]?.reason).toMatch(/^lead retry-config: /);
  });

  it("a task nobody polls: the logs of the workers named like the task, not of any worker", () => {
    const steps = planLeadCalls(ctx(["tasks-unpolled"], { pendingTask: "rate_quote_fetch" }), 10);
    expect(steps).toContainEqual(expect.objectContaining({ tool: "pull_pod_logs", args: { pod: "quote-workers-5b8d9c7f66-kq2lm", lines: 300 } }));
  });

  it("latency: Postgres sessions, blocking pids and table scans through run_sql_select, then a server's logs", () => {
    const steps = planLeadCalls(ctx(["alert:response-time"]), 10);
    expect(steps[0]).toMatchObject({ tool: "run_sql_select", args: { query: SESSIONS_QUERY } });
    expect(String(steps[1]?.args.query)).toMatch(/pg_blocking_pids/);
    expect(String(steps[2]?.args.query)).toMatch(/pg_stat_user_tables/);
    expect(steps[3]).toMatchObject({ tool: "pull_pod_logs", args: { pod: "conductor-server-6d9f7c8b54-2xkqp" } });
  });

  it("repeats nothing already made (a pod's logs whatever the line count), skips calls it cannot aim, keeps to the room", () => {
    const made = new Set([callKey("run_sql_select", { query: SESSIONS_QUERY }), callKey("pull_pod_logs", { pod: "conductor-server-6d9f7c8b54-2xkqp", lines: 500 })]);
    const steps = planLeadCalls(ctx(["alert:response-time"], { made }), 10);
    expect(steps.map((s) => s.tool)).toEqual(["run_sql_select", "run_sql_select"]);
    expect(planLeadCalls(ctx(["pod-down"], { pods: [] }), 10)).toEqual([]);
    expect(planLeadCalls(ctx(["backlog"]), 1)).toHaveLength(1);
  });

  it("widening an unsettled verdict: the most troubled pod nobody looked at, then the views not taken", () => {
    const pods = [pod("conductor-server-6d9f7c8b54-2xkqp", { status: "CrashLoopBackOff", restarts: 9 }), pod("ledger-workers-7b9c5d6f48-x2vnq", { status: "Pending", ready: "0/1" }), ...PODS.slice(2)];
    const made = new Set([callKey("get_pod_events", { pod: "conductor-server-6d9f7c8b54-2xkqp" }), callKey("get_deployments_info", {})]);
    const steps = planLeadCalls(ctx([UNSETTLED], { pods, made }), 10, [WIDENING]);
    expect(steps.map((s) => [s.tool, s.args])).toEqual([
      ["get_pod_events", { pod: "ledger-workers-7b9c5d6f48-x2vnq" }],
      ["pull_pod_logs", { pod: "ledger-workers-7b9c5d6f48-x2vnq", lines: 200 }],
      ["get_cluster_metrics", {}],
      ["get_infrastructure_metrics", {}],
    ]);
    // Nothing troubled left to look at: only the views.
    expect(planLeadCalls(ctx([UNSETTLED], { made }), 10, [WIDENING]).map((s) => s.tool)).toEqual(["get_cluster_metrics", "get_infrastructure_metrics"]);
    // The widening lead is the engine's to open, never a finding's.
    expect(planLeadCalls(ctx(["backlog", "alert:cpu", "pod-down"]), 20).some((s) => s.reason.startsWith(`lead ${WIDENING.id}`))).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { analyzeDeployments } from "../../src/rules/judge/analyzers/analyze-deployments.ts";
import { analyzeLogExceptions } from "../../src/rules/judge/analyzers/analyze-log-exceptions.ts";
import { analyzeSaturation } from "../../src/rules/judge/analyzers/analyze-saturation.ts";
import { analyzeSqlRows, readTopGroups } from "../../src/rules/judge/analyzers/analyze-sql-rows.ts";
import { evidenceOf, issue } from "./build-evidence.ts";
import * as f from "./fixtures.ts";

const REDIS = issue("REDIS_CRITICAL_USAGE", "The Redis instance is at 71%, above the CRITICAL threshold of 65%");
const RUNNING_QUERY = "SELECT workflow_type, count(*) AS running FROM workflow_index WHERE status = 'RUNNING' GROUP BY workflow_type";

describe("analyzeDeployments", () => {
  it.each([
    ["JSON", f.DEPLOYMENTS_JSON, "deployment inventory-workers is scaled to 0 replicas (last change: helm upgrade inventory-workers --set replicaCount=0)"],
    ["text", f.DEPLOYMENTS_TEXT, "deployment inventory-workers is scaled to 0 replicas"],
  ])("%s: a worker deployment at 0 replicas explains a backlog; a short one is noted", (_shape, data, scaled) => {
    const { findings, candidates } = analyzeDeployments.analyze(evidenceOf([{ tool: "get_deployments_info", data }], [REDIS]));
    expect(findings.map((x) => x.text)).toEqual([scaled, "deployment billing-workers: 1/3 replicas ready"]);
    expect(candidates).toEqual([expect.objectContaining({ key: "scaled-to-zero", weight: 0.75, cause: expect.stringContaining("inventory-workers deployment is scaled to 0") })]);
  });
});

describe("analyzeSqlRows", () => {
  it.each([
    ["columns and row arrays", { columns: ["workflow_type", "running"], rows: [["invoice_sync", 211], ["order_fulfillment", 47902]], rowCount: 2 }],
    ["row objects", [{ workflow_type: "order_fulfillment", running: "47902" }, { workflow_type: "invoice_sync", running: "211" }]],
    ["a text table", "WORKFLOW_TYPE       RUNNING\norder_fulfillment   47902\ninvoice_sync        211\n"],
  ])("reads %s, largest first", (_shape, data) => {
    const { findings } = analyzeSqlRows.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: RUNNING_QUERY }, data }]));
    expect(findings[0]?.text).toBe("running workflows by type: order_fulfillment 47,902; invoice_sync 211");
  });

  it("ignores rows without a label and a count", () => {
    expect(readTopGroups({ columns: ["n"], rows: [[1]] }, "")).toEqual([]);
  });
});

describe("analyzeSaturation", () => {
  it("JSON cluster data: Postgres CPU and connections near their limits", () => {
    const data = f.incident([], { redis: { usedMemoryPercentage: 31.4 }, postgres: { activeConnections: 194, maxConnections: 200, cpu: "98%" } });
    const { findings, candidates } = analyzeSaturation.analyze(evidenceOf([{ tool: "get_incident_details", data }]));
    expect(findings[0]?.text).toBe("saturated: postgres activeConnections 194/200, postgres cpu 98%");
    expect(candidates).toEqual([expect.objectContaining({ key: "db-saturated", appOrInfra: "infra", fact: "Postgres activeConnections 194/200, cpu 98%" })]);
  });

  it("text metrics table", () => {
    const text = "METRIC                 VALUE\npostgres_cpu           98 %\npostgres_connections   194 / 200\nconductor_server_cpu   34 %\n";
    const { findings } = analyzeSaturation.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: text }]));
    expect(findings[0]?.text).toBe("saturated: postgres_cpu 98%, postgres_connections 194/200");
  });

  it("nothing near a limit: nothing to say", () => {
    expect(analyzeSaturation.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: { cpu: "34%", activeConnections: 20, maxConnections: 200 } }]))).toEqual({ findings: [], candidates: [] });
  });
});

describe("analyzeLogExceptions on logs without levels", () => {
  it("finds the failure line in Redis's own log format", () => {
    const { findings } = analyzeLogExceptions.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "redis-master-0" }, data: { logs: f.LOGS_REDIS_AOF } }]));
    expect(findings[0]?.text).toMatch(/^redis-master-0: ".*Bad file format reading the append only file/);
  });
});

describe("deployment replicas read as kubectl's READY column", () => {
  it('"0/3" is 0 ready of 3 desired, not scaled to 0', async () => {
    const { analyzeDeployments: analyze } = await import("../../src/rules/judge/analyzers/analyze-deployments.ts");
    const data = { deployments: [{ name: "meter-workers", replicas: "0/3", image: "registry.example/meter-workers:2.14.0-rc1" }] };
    const { findings, candidates } = analyze.analyze(evidenceOf([{ tool: "get_deployments_info", data }]));
    // Not scaled to 0: a symptom (no worker ready) whose cause is upstream, on its pods.
    expect(candidates.map((c) => c.key)).toEqual(["workers-unavailable"]);
    expect(findings.map((x) => x.text)).toEqual(["deployment meter-workers: 0/3 replicas ready"]);
  });
});

describe("analyzeTableScans", () => {
  it("a big table read by sequential scans only is a missing index; a small or indexed one is not", async () => {
    const { analyzeTableScans } = await import("../../src/rules/judge/analyzers/analyze-table-scans.ts");
    const data = [["relname", "n_live_tup", "seq_scan", "seq_tup_read", "idx_scan"], ["task_scheduled", 42318804, 1186377, 48710455219804, 0], ["task", 41977120, 18, 612004, 3390440], ["queue_message", 88412, 310, 21004112, 9912004]];
    const { findings, candidates } = analyzeTableScans.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "SELECT relname FROM pg_stat_user_tables" }, data }]));
    expect(candidates).toEqual([expect.objectContaining({ key: "missing-index", fact: "task_scheduled: sequential scans only, no usable index" })]);
    expect(findings[0]?.text).toBe("task_scheduled: 1,186,377 sequential scans, 0 index scans over 42,318,804 rows");
    expect(analyzeTableScans.analyze(evidenceOf([{ tool: "run_sql_select", data: [data[0], data[2]] }])).candidates).toEqual([]);
  });
});

describe("heap after a change", () => {
  it("a heap alert after an image change names the upgrade; an in-memory queue that never drains names its component", async () => {
    const { analyzeDeployments: deployments } = await import("../../src/rules/judge/analyzers/analyze-deployments.ts");
    const { analyzeLogMessages } = await import("../../src/rules/judge/analyzers/analyze-log-messages.ts");
    const heap = [{ type: "CONDUCTOR_HIGH_HEAP_USAGE" as const, severity: "MAJOR" as const, text: "The Heap usage is at 91%", pod: null, source: "alert" as const }];
    const describe = { result: "Name:          conductor-server\nReplicas:      4 desired | 2 updated | 4 total | 4 available\n  Containers:\n   conductor-server:\n    Image:      orkesio/orkes-conductor-server:5.3.0\nOldReplicaSets:  conductor-server-84d6b7c9f (2/2 replicas created)  image orkesio/orkes-conductor-server:5.2.11  revision 22\nNewReplicaSet:   conductor-server-7c5f9d8b6 (2/2 replicas created)  image orkesio/orkes-conductor-server:5.3.0   revision 23\n" };
    const upgrade = deployments.analyze(evidenceOf([{ tool: "get_deployments_info", data: describe }], heap)).candidates.find((c) => c.key === "recent-upgrade");
    expect(upgrade?.fact).toMatch(/^upgrade of conductor-server to 5\.3\.0/);
    const log = '{"level": "INFO", "logger_name": "io.orkes.conductor.listener.StatusChangePublisher", "message": "pending status-change queue size=184,220 drained=0"}';
    const buffer = analyzeLogMessages.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c5f9d8b6-lq8zp" }, data: log }], heap)).candidates[0];
    expect(buffer).toMatchObject({ key: "unbounded-buffer", fact: "StatusChangePublisher: pending queue grows, never drained" });
  });
});

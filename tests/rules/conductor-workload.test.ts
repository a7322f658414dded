import { describe, expect, it } from "vitest";
import { analyzeExternalWaits, pausedSignaller } from "../../src/rules/judge/analyzers/analyze-external-waits.ts";
import { analyzeRedisCommands } from "../../src/rules/judge/analyzers/analyze-redis-commands.ts";
import { analyzeRunawayLoop } from "../../src/rules/judge/analyzers/analyze-runaway-loop.ts";
import { analyzeSearchBackend } from "../../src/rules/judge/analyzers/analyze-search-backend.ts";
import { conductorServerWorkloads, resolvePod } from "../../src/rules/investigate/plan-calls.ts";
import { planLeadCalls } from "../../src/rules/investigate/follow-leads.ts";
import { extractDeployments } from "../../src/rules/read/read-deployments.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import { evidenceOf } from "./build-evidence.ts";

const PODS = extractPods(
  null,
  [
    "NAME                                 READY   STATUS    RESTARTS   AGE",
    "metrics-server-6c8d9f7b5-tz4kw       1/1     Running   0          3d",
    "orders-api-9d4b7c6f5-7kq2n           1/1     Running   0          3d",
    "orders-api-9d4b7c6f5-wz8pd           1/1     Running   0          3d",
    "billing-workers-5f6d7c8b9-abcde      1/1     Running   0          3d",
  ].join("\n"),
);
const DEPLOYMENTS = extractDeployments(
  { deployments: [{ name: "orders-api", image: "registry.example/orkes/orkes-conductor-server:5.2.9" }, { name: "billing-workers", image: "registry.example/billing:1.0" }] },
  "",
);

describe("the Conductor server is the workload running its image, under any name", () => {
  it("a server alert's logs come from the workload running conductor-server, not a pod merely called *-server", () => {
    const servers = conductorServerWorkloads(DEPLOYMENTS);
    expect([...servers]).toEqual(["orders-api"]);
    expect(resolvePod(null, PODS, ["conductor-server", "server", "conductor"], servers)).toMatch(/^orders-api-/);
    // Without deployments the name hints decide, as before.
    expect(resolvePod(null, PODS, ["conductor-server", "server", "conductor"])).toBe("metrics-server-6c8d9f7b5-tz4kw");
  });

  it("an indexer backlog opens the search-backend lead: the server's logs and the infrastructure's health", () => {
    const steps = planLeadCalls({ open: new Set(["indexer"]), pods: PODS, pendingTask: null, made: new Set(), serverWorkloads: conductorServerWorkloads(DEPLOYMENTS) }, 10);
    const lead = steps.filter((s) => s.reason.includes("indexer"));
    expect(lead.map((s) => s.tool)).toEqual(["pull_pod_logs", "get_infrastructure_metrics"]);
    expect(String(lead[0]?.args.pod)).toMatch(/^orders-api-/);
  });
});

const BULK_429 = [
  "2026-12-01 21:20:02.114 ERROR 1 --- [async-indexer-2] i.o.c.index.AsyncIndexer : Bulk index of 500 documents (workflow) failed, re-queued to Redis",
  "org.opensearch.client.ResponseException: method [POST], host [https://search-orders-idx-a1b2c3.eu-west-1.es.amazonaws.com:443], URI [/_bulk], status line [HTTP/1.1 429 Too Many Requests]",
  '{"error":{"root_cause":[{"type":"circuit_breaking_exception","reason":"[parent] Data too large"}],"status":429}}',
  "2026-12-01 21:20:31.009 ERROR 1 --- [async-indexer-0] i.o.c.index.AsyncIndexer : Bulk index of 500 documents (task) failed, re-queued to Redis",
  "java.net.SocketTimeoutException: 30,000 milliseconds timeout on connection http-outgoing-41 [ACTIVE]",
  "2026-12-01 21:21:00.000  WARN 1 --- [indexer-monitor] i.o.c.index.AsyncIndexer : index queue size 1,803,442 above 100000",
].join("\n");

describe("bulk index writes the search backend rejects or times out", () => {
  it("names the backend and its host, the rejection and the timeouts, and the managed service's own health", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "orders-api-9d4b7c6f5-7kq2n" }, data: BULK_429 },
      { tool: "get_infrastructure_metrics", data: { managedServices: [{ type: "AWS OpenSearch", endpoint: "search-orders-idx-a1b2c3.eu-west-1.es.amazonaws.com", ClusterStatus: "red", JVMMemoryPressure: "95%" }, { type: "AWS RDS", CPUUtilization: "10%" }] } },
    ]);
    const { candidates, findings } = analyzeSearchBackend.analyze(evidence);
    expect(candidates).toHaveLength(1);
    const cause = candidates[0]?.cause ?? "";
    expect(cause).toContain("The search backend (OpenSearch search-orders-idx-a1b2c3.eu-west-1.es.amazonaws.com) rejects or times out orders-api's bulk index writes");
    expect(cause).toContain("2 failed bulk requests: 429 Too Many Requests, 1 timed out");
    expect(cause).toContain("ClusterStatus red, JVMMemoryPressure 95%");
    expect(cause).not.toContain("10%");
    expect(candidates[0]).toMatchObject({ key: "elasticsearch", weight: 0.86, appOrInfra: "infra" });
    expect(findings.map((f) => f.key)).toEqual(["elasticsearch", "elasticsearch"]);
  });

  it("a write-blocked index says so with the block's own words", () => {
    const logs = [
      "ERROR [indexer] BulkProcessor: bulk request failed for 120 docs",
      "ElasticsearchStatusException[type=cluster_block_exception, reason=index [conductor_task] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block]]",
    ].join("\n");
    const cause = analyzeSearchBackend.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-1" }, data: logs }])).candidates[0]?.cause ?? "";
    expect(cause).toContain("The search backend (Elasticsearch) blocks writes (blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block])");
    expect(cause).toContain("flood-stage disk watermark");
  });

  it("nothing without a failed bulk write (a healthy indexer, a bulk job's success)", () => {
    const logs = "INFO AsyncIndexer : Bulk index of 500 documents (task) done in 120ms\nWARN something else timed out\n";
    expect(analyzeSearchBackend.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: logs }])).candidates).toEqual([]);
  });
});

const WAIT_ROWS = { columns: ["task_type", "reference_task_name", "status", "count", "oldest_start"], rows: [["WAIT", "await_carrier_ack", "IN_PROGRESS", 9120, "2026-10-02T08:00:00Z"], ["SIMPLE", "print_label", "COMPLETED", 9000, "2026-10-01T00:00:00Z"]] };
const SIGNALLER_DEPLOYMENTS = {
  deployments: [
    { name: "conductor", image: "orkesio/orkes-conductor-server:5.2.9", env: [{ name: "FEATURE_ENABLED", value: "false" }] },
    { name: "label-workers", image: "registry.example/label:1.0", env: [{ name: "LOG_JSON", value: "false" }] },
    { name: "carrier-ack-bridge", image: "registry.example/bridge:2.1", env: [{ name: "BRIDGE_DISPATCH_ENABLED", value: "false" }, { name: "BRIDGE_QUEUE", value: "acks" }] },
  ],
};
const BRIDGE_LOG = [
  "2026-10-02T08:00:01Z INFO  Started BridgeApplication",
  "2026-10-02T08:00:02Z WARN  dispatch disabled by configuration - acks are buffered, no task updates are sent",
].join("\n");

describe("workflows parked on WAIT/HUMAN/EVENT tasks nobody completes", () => {
  it("names the running service whose own switch is off, with its setting and its log line", () => {
    const evidence = evidenceOf([
      { tool: "run_sql_select", input: { query: "SELECT task_type, status, count(*) FROM task GROUP BY 1, 2" }, data: WAIT_ROWS },
      { tool: "get_deployments_info", data: SIGNALLER_DEPLOYMENTS },
      { tool: "pull_pod_logs", input: { pod: "carrier-ack-bridge-6d5c4b3a2-xyz12" }, data: BRIDGE_LOG },
    ]);
    const { candidates } = analyzeExternalWaits.analyze(evidence);
    expect(candidates.map((c) => c.key)).toEqual(["external-wait", "signaller-paused"]);
    const cause = candidates[1]?.cause ?? "";
    expect(cause).toContain("carrier-ack-bridge runs with BRIDGE_DISPATCH_ENABLED=false");
    expect(cause).toContain('"dispatch disabled by configuration - acks are buffered, no task updates are sent"');
    expect(cause).toContain("9,120 WAIT tasks await_carrier_ack");
    expect(cause).toContain("since 2026-10-02T08:00:00Z");
    expect(candidates[1]?.weight).toBe(0.88);
    // Conductor's own server is never the signaller, whatever its flags.
    expect(pausedSignaller(evidence)?.workload).toBe("carrier-ack-bridge");
  });

  it("reads the waiting tasks from task metrics too; without a switched-off service it only points at what to find", () => {
    const metrics = 'conductor_task_in_progress{taskType="HUMAN",taskRefName="approve_refund"} 2400\nconductor_task_in_progress{taskType="SIMPLE",taskRefName="x"} 9999\n';
    const evidence = evidenceOf([{ tool: "get_cluster_metrics", data: metrics }, { tool: "get_deployments_info", data: { deployments: [{ name: "refund-ui", image: "r/ui:1", env: [{ name: "UI_ENABLED", value: "true" }] }] } }]);
    const { candidates } = analyzeExternalWaits.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.cause).toContain("2,400 HUMAN tasks approve_refund wait IN_PROGRESS");
    expect(candidates[0]?.nextStep).toContain("Find the service that completes approve_refund");
  });

  it("nothing for SIMPLE tasks in progress (workers hold them) or a few waits", () => {
    const rows = { columns: ["task_type", "status", "count"], rows: [["SIMPLE", "IN_PROGRESS", 5000], ["WAIT", "IN_PROGRESS", 40]] };
    expect(analyzeExternalWaits.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "q" }, data: rows }, { tool: "get_deployments_info", data: SIGNALLER_DEPLOYMENTS }])).candidates).toEqual([]);
  });

  it("the lead pulls the logs of the switched-off service's pod", () => {
    const pods = extractPods(null, "NAME READY STATUS RESTARTS AGE\ncarrier-ack-bridge-6d5c4b3a2-xyz12 1/1 Running 0 3d\nlabel-workers-7f6e5d4c3-abcde 1/1 Running 0 3d\n");
    const steps = planLeadCalls({ open: new Set(["external-wait"]), pods, pendingTask: null, made: new Set(["get_deployments_info {}"]), signaller: "carrier-ack-bridge" }, 10);
    expect(steps.find((s) => s.tool === "pull_pod_logs")?.args.pod).toBe("carrier-ack-bridge-6d5c4b3a2-xyz12");
  });
});

const LOOP_LOG = [
  "2026-05-04 10:00:01.000  WARN 1 --- [sweeper-1] c.n.c.c.e.WorkflowSweeper : Workflow 9f3e2d1c-aaaa-4bbb-8ccc-0123456789ab (invoice_poller v2) has 12004 tasks, above the recommended maximum of 10000",
  "2026-05-04 10:00:02.000  INFO 1 --- [system-task-worker-1] c.n.c.c.e.t.DoWhile : Task check_invoice_loop__6001 of workflow 9f3e2d1c-aaaa-4bbb-8ccc-0123456789ab: loop condition evaluated to true, scheduling iteration 6002",
  "2026-05-04 10:00:03.000  WARN 1 --- [decider-2] c.n.c.c.e.WorkflowExecutor : Slow decide for workflow 9f3e2d1c-aaaa-4bbb-8ccc-0123456789ab: 1870 ms (tasks=12010)",
  "2026-05-04 10:00:04.000  INFO 1 --- [system-task-worker-1] c.n.c.c.e.t.DoWhile : Task check_invoice_loop__6002 of workflow 9f3e2d1c-aaaa-4bbb-8ccc-0123456789ab: loop condition evaluated to true, scheduling iteration 6003",
  "2026-05-04 10:00:05.000  INFO 1 --- [system-task-worker-2] c.n.c.c.e.t.DoWhile : Task retry_loop__3 of workflow 11111111-2222-4333-8444-555555555555: loop condition evaluated to true, scheduling iteration 4",
].join("\n");

describe("a DO_WHILE whose condition never turns false", () => {
  it("names the loop, its workflow and execution, the iteration reached and what the execution costs, on the pod that logs it", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "conductor-server-5c4b3a2d1-hot01" }, data: LOOP_LOG },
      { tool: "run_sql_select", input: { query: "SELECT name, json_data FROM meta_workflow_def" }, data: [{ name: "invoice_poller", task_ref: "check_invoice_loop", type: "DO_WHILE", loop_condition: "$.check_invoice['phase'] != 'DONE'" }] },
    ]);
    const { candidates, findings } = analyzeRunawayLoop.analyze(evidence);
    expect(candidates).toHaveLength(1);
    const cause = candidates[0]?.cause ?? "";
    expect(cause).toContain("A DO_WHILE loop never ends: check_invoice_loop of invoice_poller workflow 9f3e2d1c-aaaa-4bbb-8ccc-0123456789ab is at iteration 6,003");
    expect(cause).toContain("its loop condition `$.check_invoice['phase'] != 'DONE'` stays true");
    expect(cause).toContain("12,010 tasks, decides taking 1,870 ms");
    expect(candidates[0]).toMatchObject({ key: "runaway-loop", subject: "conductor-server-5c4b3a2d1-hot01", weight: 0.86 });
    expect(findings[0]?.text).toContain("scheduling iteration 6003");
  });

  it("reads the iteration from the task table too; a loop of a few iterations is normal", () => {
    const rows = [{ workflow_name: "invoice_poller", task_ref: "check_invoice_loop", task_type: "DO_WHILE", iteration: 7200 }];
    expect(analyzeRunawayLoop.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "q" }, data: rows }])).candidates[0]?.cause).toContain("check_invoice_loop of the invoice_poller workflow is at iteration 7,200");
    const short = LOOP_LOG.split("\n").slice(4).join("\n");
    expect(analyzeRunawayLoop.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: short }])).candidates).toEqual([]);
  });

  it("quotes the loop condition from a workflow definition's JSON as meta_workflow_def stores it", () => {
    const definition = { name: "invoice_poller", version: 2, json_data: JSON.stringify({ tasks: [{ taskReferenceName: "check_invoice_loop", type: "DO_WHILE", loopCondition: "$.check_invoice.phase != 'DONE'" }] }) };
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "conductor-server-5c4b3a2d1-hot01" }, data: LOOP_LOG },
      { tool: "run_sql_select", input: { query: "SELECT name, version, json_data FROM meta_workflow_def" }, data: [definition] },
    ]);
    expect(analyzeRunawayLoop.analyze(evidence).candidates[0]?.cause).toContain("its loop condition `$.check_invoice.phase != 'DONE'` stays true");
  });
});

const REDIS_INFO = [
  "# Clients",
  "connected_clients:120",
  "client_recent_max_output_buffer:734003200",
  "# Commandstats",
  "cmdstat_keys:calls=96,usec=201600000,usec_per_call=2100000.00,rejected_calls=0,failed_calls=0",
  "cmdstat_hget:calls=2201448112,usec=2641737734,usec_per_call=1.20",
].join("\n");
const SLOWLOG = [
  "1) 1) (integer) 501",
  "   2) (integer) 1764583502",
  "   3) (integer) 2150377",
  '   4) 1) "KEYS"',
  '      2) "tenant:*"',
  '   5) "10.1.4.9:50122"',
  '   6) "cache-sweeper"',
  "2) 1) (integer) 500",
  "   2) (integer) 1764583202",
  "   3) (integer) 12011",
  '   4) 1) "HGETALL"',
  '      2) "wf:1"',
  '   5) "10.1.4.2:40118"',
  '   6) ""',
].join("\n");

describe("a client blocking Redis with a slow command", () => {
  it("names the command, its time per call and the CronJob whose client sends it, from SLOWLOG and commandstats", () => {
    const evidence = evidenceOf([
      { tool: "get_infrastructure_metrics", data: { redis_info: REDIS_INFO, slowlog: SLOWLOG } },
      { tool: "get_deployments_info", data: { deployments: [{ name: "conductor-server", image: "orkesio/orkes-conductor-server:5" }], cronjobs: [{ name: "cache-sweeper", schedule: "*/10 * * * *", createdAt: "2026-04-01T10:00:00Z" }] } },
    ]);
    const { candidates } = analyzeRedisCommands.analyze(evidence);
    expect(candidates).toHaveLength(1);
    const cause = candidates[0]?.cause ?? "";
    expect(cause).toContain('The cache-sweeper CronJob (schedule "*/10 * * * *", created 2026-04-01T10:00:00Z) runs KEYS tenant:* on Redis, blocking it 2.2 s per call');
    expect(cause).toContain("SLOWLOG: KEYS tenant:* 2,150,377 µs; commandstats: 96 calls; client output buffer 700 MiB");
    expect(candidates[0]).toMatchObject({ key: "redis-blocking-command", weight: 0.88 });
  });

  it("from commandstats alone names the command; fast commands and small slowlog entries are not a cause", () => {
    const statsOnly = analyzeRedisCommands.analyze(evidenceOf([{ tool: "get_infrastructure_metrics", data: { redis_info: REDIS_INFO } }]));
    expect(statsOnly.candidates[0]?.cause).toContain("A client runs KEYS on Redis, blocking it 2.1 s per call");
    const fast = REDIS_INFO.replace("usec_per_call=2100000.00", "usec_per_call=900.00").replace("734003200", "1024");
    expect(analyzeRedisCommands.analyze(evidenceOf([{ tool: "get_infrastructure_metrics", data: { redis_info: fast, slowlog: SLOWLOG.split("\n").slice(7).join("\n") } }])).candidates).toEqual([]);
  });
});

describe("what these mechanisms do not claim", () => {
  it("a bulk job of the application's own is not the search index; a side feature switched off is not a paused signaller", () => {
    const logs = "2026-01-01 10:00:00 ERROR [main] BulkMailer : bulk send of 300 mails failed: SMTP timeout\n";
    expect(analyzeSearchBackend.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "mailer-1" }, data: logs }])).candidates).toEqual([]);
    const deployments = { deployments: [{ name: "refund-ui", image: "r/ui:1", env: [{ name: "METRICS_ENABLED", value: "false" }] }] };
    const evidence = evidenceOf([{ tool: "run_sql_select", input: { query: "q" }, data: WAIT_ROWS }, { tool: "get_deployments_info", data: deployments }]);
    expect(analyzeExternalWaits.analyze(evidence).candidates.map((c) => c.key)).toEqual(["external-wait"]);
  });
});

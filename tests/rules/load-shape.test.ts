import { describe, expect, it } from "vitest";
import { LEADS, NO_DELAY_RETRIES_QUERY } from "../../src/playbook/leads.ts";
import { composeReport } from "../../src/rules/compose/compose-report.ts";
import { analyzeDnsLoad } from "../../src/rules/judge/analyzers/analyze-dns-load.ts";
import { analyzeDrainStopped } from "../../src/rules/judge/analyzers/analyze-drain-stopped.ts";
import { analyzePollStorm } from "../../src/rules/judge/analyzers/analyze-poll-storm.ts";
import { analyzePoolSize } from "../../src/rules/judge/analyzers/analyze-pool-size.ts";
import { analyzeRetryStorm } from "../../src/rules/judge/analyzers/analyze-retry-storm.ts";
import { analyzeWorkloadShape } from "../../src/rules/judge/analyzers/analyze-workload-shape.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { planLeadCalls } from "../../src/rules/investigate/follow-leads.ts";
import { readTopGroups } from "../../src/rules/judge/analyzers/analyze-sql-rows.ts";
import { readMetrics } from "../../src/rules/read/read-metrics.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import { readSettings } from "../../src/rules/read/read-settings.ts";
import type { CauseCandidate } from "../../src/rules/types.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const REDIS = issue("REDIS_HIGH_USAGE", "The Redis instance is at 81%, above the HIGH threshold of 70%", "MAJOR");
const CPU = issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 93%, above the CRITICAL threshold of 85%");
const SLOW = issue("RESPONSE_TIME", "The Conductor server API is taking too long to respond: p95 3900 ms, above the threshold of 2000 ms", "MAJOR");
const DNS = issue("DNS_HEALTHY", "DNS resolution has failed: lookup of billing.example.net from conductor-server timed out");
const HEAP = issue("CONDUCTOR_HIGH_HEAP_USAGE", "Heap usage is at 95%, above the CRITICAL threshold of 90%", "CRITICAL", "conductor-server-6d5c4b3a2-kq8mz");

const SESSIONS = "SELECT state, application_name, count(*) AS sessions FROM pg_stat_activity GROUP BY state, application_name ORDER BY sessions DESC LIMIT 10";

describe("readSettings: configuration per workload in any shape", () => {
  it("text blocks after a table: KEY=value lines under the deployment named before them (a heading may carry key=value pairs itself)", () => {
    const text = [
      "NAME                 READY   UP-TO-DATE   AVAILABLE   AGE",
      "ledger-workers       40/40   40           40          2h",
      "billing-server       2/2     2            2           90d",
      "",
      "--- deployment/ledger-workers (created by flux, app=ledger)",
      "    env:",
      "      LEDGER_POLL_INTERVAL_MS=2",
      "--- deployment/billing-server",
      "    env:",
      "      MAX_POOL_SIZE=8",
    ].join("\n");
    const settings = readSettings(text, text);
    expect(settings).toContainEqual({ workload: "ledger-workers", key: "LEDGER_POLL_INTERVAL_MS", value: "2" });
    expect(settings).toContainEqual({ workload: "billing-server", key: "MAX_POOL_SIZE", value: "8" });
  });

  it("kubectl describe: env vars and DNS options of each deployment; JSON env lists and maps", () => {
    const described = "Name:  edge-api\nReplicas:  2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n    Environment:\n      UPSTREAM_URL:  http://x\n  DNS Config:\n    Options:  ndots=4\n";
    expect(readSettings(described, described)).toEqual(expect.arrayContaining([{ workload: "edge-api", key: "UPSTREAM_URL", value: "http://x" }, { workload: "edge-api", key: "ndots", value: "4" }]));
    const json = { items: [{ metadata: { name: "edge-api" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "api", env: [{ name: "POOL_SIZE", value: "6" }] }] } } } }] };
    expect(readSettings(json, JSON.stringify(json))).toContainEqual({ workload: "edge-api", key: "POOL_SIZE", value: "6" });
  });

  it("an env list's `- name:` is not a workload heading", () => {
    const yaml = "deployment/scan-workers\n  env:\n  - name: SCAN_POLL_INTERVAL_MS\n    value: 1\n  batchSize: 4\n";
    expect(readSettings(yaml, yaml)).toEqual([{ workload: "scan-workers", key: "SCAN_POLL_INTERVAL_MS", value: "1" }, { workload: "scan-workers", key: "batchSize", value: "4" }]);
  });

  it("YAML numeric settings under a deployment named before them", () => {
    const yaml = "deployment/scan-workers 4/4 scan:1.0\n  config:\n    conductor.worker.pollingInterval: 1\n    threadCount: 4\n    name: scan\n";
    expect(readSettings(yaml, yaml)).toEqual(expect.arrayContaining([{ workload: "scan-workers", key: "conductor.worker.pollingInterval", value: "1" }, { workload: "scan-workers", key: "threadCount", value: "4" }]));
  });
});

describe("a workload that removes finished data, stopped (Redis fills without a backlog)", () => {
  const deployments = {
    deployments: [
      { name: "conductor-server", replicas: { desired: 2, ready: 2 } },
      { name: "history-purger", replicas: { desired: 0, ready: 0 }, annotations: { "kubernetes.io/change-cause": "scale idle jobs down (OPS-77)" } },
      { name: "invoice-workers", replicas: { desired: 0, ready: 0 } },
    ],
  };
  const logs = "2026-01-10 10:00:00.000  INFO 1 --- [purge-check] c.e.PurgeStatus : purge not run for 3d2h; finished workflows retained in Redis";

  it("names the deployment at 0 and its change, confirmed by the server's log line", () => {
    const { candidates } = analyzeDrainStopped.analyze(
      evidenceOf([{ tool: "get_deployments_info", data: deployments }, { tool: "pull_pod_logs", input: { pod: "conductor-server-6d5c4b3a2-kq8mz" }, data: logs }], [REDIS]),
    );
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "drain-stopped", subject: "history-purger", weight: 0.8 });
    expect(candidates[0]?.cause).toContain("The history-purger deployment is scaled to 0 replicas (last change: scale idle jobs down (OPS-77))");
    expect(candidates[0]?.cause).toContain('"purge not run for 3d2h; finished workflows retained in Redis"');
  });

  it("a suspended cleanup CronJob (kubectl table); nothing under a non-Redis alert; a worker deployment at 0 is not a drain", () => {
    const cronjobs = "NAME              SCHEDULE      SUSPEND   ACTIVE   LAST SCHEDULE   AGE\nredis-cleanup     */10 * * * *  True      0        6d              90d\n";
    const suspended = analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: cronjobs }], [REDIS]));
    expect(suspended.candidates[0]?.cause).toContain("The redis-cleanup CronJob is suspended");
    expect(analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }], [CPU])).candidates).toEqual([]);
    const workersOnly = { deployments: [{ name: "invoice-workers", replicas: { desired: 0, ready: 0 } }] };
    expect(analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: workersOnly }], [REDIS])).candidates).toEqual([]);
  });

  it("a name or setting that merely mentions expiry or retention is not a drain", () => {
    const others = { deployments: [{ name: "cert-expiry-exporter", replicas: { desired: 0, ready: 0 } }, { name: "audit-api", replicas: { desired: 0, ready: 0 }, env: { LOG_RETENTION_DAYS: "7" } }] };
    expect(analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: others }], [REDIS])).candidates).toEqual([]);
  });

  it("a cleanup deployment whose pods are all down stops draining too", () => {
    const down = { deployments: [{ name: "redis-janitor", replicas: { desired: 1, ready: 0 } }] };
    const { candidates } = analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: down }], [REDIS]));
    expect(candidates[0]?.cause).toContain("The redis-janitor deployment has no ready pod (0/1 ready)");
  });

  it("with a backlog of running workflows, a stopped cleanup is only a hint: a worker deployment at 0 stays the root", () => {
    const incident = { clusterData: { deciderQueue: 48000 } };
    const { candidates } = analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_incident_details", data: incident }, { tool: "get_deployments_info", data: deployments }], [REDIS]));
    expect(candidates[0]?.weight).toBe(0.45);
    const workers: CauseCandidate = { key: "scaled-to-zero", cause: "invoice-workers scaled to 0", weight: 0.75, appOrInfra: "app", tool: "get_deployments_info" };
    const backlog: CauseCandidate = { key: "backlog", cause: "backlog", weight: 0.85, appOrInfra: "app", tool: "get_incident_details" };
    expect(rankAlongGraph([...candidates, workers, backlog], [REDIS]).root?.candidate.key).toBe("scaled-to-zero");
  });

  it("is the root over 'Redis too small' for the same alert", () => {
    const { candidates } = analyzeDrainStopped.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }], [REDIS]));
    const small: CauseCandidate = { key: "redis-size", cause: "Redis too small", weight: 0.4, appOrInfra: "infra", tool: "get_cluster_metrics" };
    expect(rankAlongGraph([...candidates, small], [REDIS]).root?.candidate.key).toBe("drain-stopped");
  });
});

describe("a retry storm: a task retried at once, hundreds of times", () => {
  const lines = [
    "2026-02-01T08:00:00.100Z  INFO 1 --- [decider-2] c.n.c.c.e.DeciderService : Task check_address of workflow parcel_intake/0d1e2f3a-aaaa-bbbb-cccc-000000000001 failed, retry 402 of 500 scheduled with delay 0s",
    "2026-02-01T08:00:00.300Z  INFO 1 --- [decider-4] c.n.c.c.e.DeciderService : Task check_address of workflow parcel_intake/0d1e2f3a-aaaa-bbbb-cccc-000000000002 failed, retry 377 of 500 scheduled with delay 0s",
  ].join("\n");

  it("names the task, its workflows and the zero delay, quoting the server's retry line", () => {
    const { candidates, findings } = analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-6d5c4b3a2-kq8mz" }, data: lines }], [REDIS]));
    expect(candidates[0]).toMatchObject({ key: "retry-storm", subject: "check_address", weight: 0.8 });
    expect(candidates[0]?.cause).toMatch(/^Task check_address fails and is retried with no delay.*its parcel_intake workflows never finish/);
    expect(findings[0]?.text).toContain("retry 402 of 500 scheduled with delay 0s");
  });

  it("a task definition read by SQL (JSON column) with retryCount in the hundreds and retryDelaySeconds 0", () => {
    const rows = { columns: ["name", "json_data"], rows: [["check_address", '{"name":"check_address","retryCount":800,"retryLogic":"FIXED","retryDelaySeconds":0}'], ["ship", '{"name":"ship","retryCount":3,"retryDelaySeconds":30}']] };
    const { candidates } = analyzeRetryStorm.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "SELECT name, json_data FROM meta_task_def" }, data: rows }], [REDIS]));
    expect(candidates.map((c) => [c.subject, c.weight])).toEqual([["check_address", 0.6]]);
    // With the retry lines too, one cause names both: the effect and the setting.
    const both = analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: lines }, { tool: "run_sql_select", input: { query: "SELECT name, json_data FROM meta_task_def" }, data: rows }], [REDIS])).candidates;
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ weight: 0.85, cause: expect.stringContaining("its task definition has retryCount 800 and retryDelaySeconds 0") });
  });

  it("a worker's JSON (ECS) lines counting attempts in the hundreds; a backlog asks for the task definitions that retry at once", () => {
    const ecs = [880, 893].map((n) => JSON.stringify({ "@timestamp": "2026-02-01T08:00:01Z", "log.level": "ERROR", message: `check_address failed (attempt ${n}/1000): postcode is required`, "service.name": "address-workers" })).join("\n");
    const { candidates } = analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "address-workers-5f4e3d2c1-q9w8e" }, data: ecs }], [REDIS]));
    expect(candidates[0]).toMatchObject({ subject: "check_address", weight: 0.65 });
    expect(candidates[0]?.cause).toContain('("check_address failed (attempt 880/1000): postcode is required")');
    const retry = LEADS.filter((lead) => lead.id === "retry-config");
    expect(planLeadCalls({ open: new Set(["backlog"]), pods: [], pendingTask: null, made: new Set() }, 3, retry)).toEqual([expect.objectContaining({ tool: "run_sql_select", args: { query: NO_DELAY_RETRIES_QUERY } })]);
  });

  it("a client reconnecting again and again names no task: not a retry storm", () => {
    const reconnects = [120, 121].map((n) => `WARN o.r.c.ConnectionWatchdog : reconnecting to redis-master:6379 (attempt ${n}/1000), delay 0s`).join("\n");
    expect(analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: reconnects }], [REDIS])).candidates).toEqual([]);
  });

  it("a few retries with a delay are the normal case; the storm is upstream of the backlog it makes", () => {
    const normal = "WARN Task route_plan (a1) timed out after responseTimeoutSeconds=120, rescheduling (retry 2/3)\nWARN Task route_plan (b2) timed out, rescheduling (retry 1/3)";
    expect(analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: normal }], [REDIS])).candidates).toEqual([]);
    const storm = analyzeRetryStorm.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "p" }, data: lines }], [REDIS])).candidates;
    const backlog: CauseCandidate = { key: "backlog", cause: "decider backlog", weight: 0.7, appOrInfra: "app", tool: "get_incident_details" };
    expect(rankAlongGraph([backlog, ...storm], [REDIS]).root?.candidate.key).toBe("retry-storm");
  });
});

describe("a worker fleet polling in a tight loop", () => {
  const deployments = {
    items: [
      { metadata: { name: "scan-workers" }, spec: { replicas: 120, template: { spec: { containers: [{ name: "w", env: [{ name: "conductor.worker.all.pollingInterval", value: "2" }, { name: "conductor.worker.all.batchSize", value: "1" }] }] } } } },
      { metadata: { name: "mail-workers" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "w", env: [{ name: "conductor.worker.all.pollingInterval", value: "1000" }] }] } } } },
    ],
  };
  const metrics = '# TYPE http_server_requests_per_second gauge\nhttp_server_requests_per_second{uri="/api/tasks/poll/batch/{taskType}",taskType="scan_file",status="204"} 24100.5\nhttp_server_requests_per_second{uri="/api/tasks/poll/batch/{taskType}",taskType="send_mail",status="204"} 2.1\n';

  it("names the workload, its replicas and the interval setting, with the server's empty-poll rate", () => {
    const { candidates } = analyzePollStorm.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }, { tool: "get_cluster_metrics", data: metrics }], [CPU]));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "poll-storm", subject: "scan-workers", weight: 0.8 });
    expect(candidates[0]?.cause).toContain("The scan-workers deployment (120 replicas) polls in a tight loop: a poll interval of 2 ms (conductor.worker.all.pollingInterval=2, conductor.worker.all.batchSize=1)");
    expect(candidates[0]?.cause).toContain("24,101/s answered 204 for scan_file");
    expect(rankAlongGraph(candidates, [CPU, SLOW]).root?.explains).toEqual(["alert:cpu", "alert:response-time"]);
  });

  it("with no interval in sight, a flood of empty polls for one task names the deployment named like it", () => {
    const table = "NAME             READY     UP-TO-DATE   AVAILABLE   AGE\nscan-workers     120/120   120          120         3h\nconductor-server 3/3       3            3           90d\n";
    const { candidates } = analyzePollStorm.analyze(evidenceOf([{ tool: "get_deployments_info", data: table }, { tool: "get_cluster_metrics", data: metrics }], [CPU]));
    expect(candidates[0]).toMatchObject({ key: "poll-storm", subject: "scan-workers", weight: 0.65 });
    expect(candidates[0]?.cause).toContain("The scan-workers deployment (120 replicas) polls scan_file in a tight loop: 24,101/s answered 204 for scan_file, almost all empty polls");
  });

  it("the setting is quoted as printed, so the verifier keeps it even when its deployment is named far above it", () => {
    const filler = Array.from({ length: 12 }, (_, i) => `      OTHER_SETTING_NUMBER_${i}=some-long-value-${i}`).join("\n");
    const text = `--- deployment/scan-workers (created by flux)\n    env:\n${filler}\n      SCAN_POLL_INTERVAL_MS=1\n`;
    const evidence = evidenceOf([{ tool: "get_deployments_info", data: text }, { tool: "get_cluster_metrics", data: metrics }], [CPU]);
    const { report, findingsDropped } = composeReport({ evidence, analysis: analyzePollStorm.analyze(evidence), types: ["CONDUCTOR_HIGH_CPU_USAGE"], severity: null, cluster: "c" });
    expect(findingsDropped).toBe(0);
    expect(report.findings.map((f) => f.text)).toContainEqual(expect.stringMatching(/^SCAN_POLL_INTERVAL_MS=1 — scan-workers: a 1 ms poll interval/));
    expect(report.likelyRootCause).toMatch(/^The scan-workers deployment polls in a tight loop/);
  });

  it("a normal interval says nothing; seconds in the key are seconds", () => {
    const normal = { items: [deployments.items[1]] };
    expect(analyzePollStorm.analyze(evidenceOf([{ tool: "get_deployments_info", data: normal }], [CPU])).candidates).toEqual([]);
    const seconds = "Name: scan-workers\nReplicas:  3 desired | 3 updated | 3 total | 3 available | 0 unavailable\n    Environment:\n      POLL_INTERVAL_SECONDS:  1\n";
    expect(analyzePollStorm.analyze(evidenceOf([{ tool: "get_deployments_info", data: seconds }], [CPU])).candidates).toEqual([]);
  });
});

describe("a connection pool too small while the database idles", () => {
  const metrics = [
    'hikaricp_connections_max{pool="HikariPool-1",pod="orders-api-7c6b5a4d3-x1y2z"} 12',
    'hikaricp_connections_active{pool="HikariPool-1",pod="orders-api-7c6b5a4d3-x1y2z"} 12',
    'hikaricp_connections_pending{pool="HikariPool-1",pod="orders-api-7c6b5a4d3-x1y2z"} 96',
  ].join("\n");
  const deployments = { items: [{ name: "orders-api", spec: { replicas: 3 }, status: { readyReplicas: 3 }, env: { SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE: "12" } }] };
  const idle = [{ state: "idle", application_name: "orders-api", sessions: 30 }, { state: "active", application_name: "orders-api", sessions: 4 }];

  it("pool gauges at their max with requests pending, the configured size, PostgreSQL mostly idle", () => {
    const { candidates, findings } = analyzePoolSize.analyze(
      evidenceOf([{ tool: "get_cluster_metrics", data: metrics }, { tool: "get_deployments_info", data: deployments }, { tool: "run_sql_select", input: { query: SESSIONS }, data: idle }], [SLOW]),
    );
    expect(candidates[0]).toMatchObject({ key: "pool-too-small", weight: 0.8 });
    expect(candidates[0]?.cause).toContain("orders-api's Hikari JDBC connection pool is too small for its load: all 12 connections are in use with 96 requests waiting for one, configured SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE=12, while PostgreSQL is mostly idle (4 active of 34 sessions)");
    expect(findings.some((f) => f.ruledOut)).toBe(true);
    const database: CauseCandidate = { key: "database", cause: "pool exhausted", weight: 0.7, appOrInfra: "infra", tool: "pull_pod_logs" };
    expect(rankAlongGraph([database, ...candidates], [SLOW]).root?.candidate.key).toBe("pool-too-small");
  });

  it("pool gauges as JSON (`db.pool.max/active/pending`)", () => {
    const gauges = { server: { "db.pool.max": 8, "db.pool.active": 8, "db.pool.pending": 40 } };
    const { candidates } = analyzePoolSize.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: gauges }, { tool: "run_sql_select", input: { query: SESSIONS }, data: idle }], [SLOW]));
    expect(candidates[0]?.cause).toContain("JDBC connection pool is too small for its load: all 8 connections are in use with 40 requests waiting for one");
  });

  it("an older Hikari's timeout line without stats takes the configured size", () => {
    const logs = "ERROR o.h.e.j.s.SqlExceptionHelper : HikariPool-1 - Connection is not available, request timed out after 30000ms.\nERROR o.h.e.j.s.SqlExceptionHelper : HikariPool-1 - Connection is not available, request timed out after 30000ms.";
    const { candidates } = analyzePoolSize.analyze(
      evidenceOf([{ tool: "pull_pod_logs", input: { pod: "orders-api-7c6b5a4d3-x1y2z" }, data: logs }, { tool: "get_deployments_info", data: deployments }, { tool: "run_sql_select", input: { query: SESSIONS }, data: idle }], [SLOW]),
    );
    expect(candidates[0]?.cause).toContain("all 12 connections are in use with requests timing out waiting for one (×2 in the log)");
  });

  it("a Redis client's pool is not the database's", () => {
    const jedis = "ERROR r.c.j.JedisPool : Could not get a resource from the pool: Timeout waiting for idle object\nERROR r.c.j.JedisPool : Pool exhausted";
    const redisPool = { items: [{ name: "orders-api", spec: { replicas: 3 }, env: { REDIS_POOL_MAX_TOTAL: "8" } }] };
    const { candidates } = analyzePoolSize.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "orders-api-7c6b5a4d3-x1y2z" }, data: jedis }, { tool: "get_deployments_info", data: redisPool }, { tool: "run_sql_select", input: { query: SESSIONS }, data: idle }], [SLOW]));
    expect(candidates).toEqual([]);
  });

  it("with PostgreSQL busy (most sessions active, or held idle in transaction), the pool is a symptom: nothing", () => {
    for (const sessions of [[{ state: "active", sessions: 95 }, { state: "idle", sessions: 5 }], [{ state: "idle in transaction", sessions: 40 }, { state: "idle", sessions: 10 }]]) {
      const { candidates } = analyzePoolSize.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: metrics }, { tool: "run_sql_select", input: { query: SESSIONS }, data: sessions }], [SLOW]));
      expect(candidates).toEqual([]);
    }
  });
});

describe("the cluster DNS server overloaded", () => {
  const matrix = {
    status: "success",
    data: {
      resultType: "matrix",
      result: [
        { metric: { __name__: "coredns_cfs_throttled_ratio", pod: "coredns-5b4c3d2e1-aa11b", container: "coredns" }, values: [[1, "0.01"], [2, "0.6"], [3, "0.72"]] },
        { metric: { __name__: "coredns_dns_requests_rate", pod: "coredns-5b4c3d2e1-aa11b" }, values: [[1, "300"], [2, "2900"], [3, "3100"]] },
      ],
    },
  };
  const describeText = "Name:  coredns\nNamespace:  kube-system\nReplicas:  2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n    Limits:     cpu: 150m, memory: 170Mi\n---\nName:  billing-api\nReplicas:  2 desired | 2 updated | 2 total | 2 available | 0 unavailable\n  DNS Config:\n    Options:  ndots=5\n";
  const corednsLog = [1, 2, 3].map((i) => `[INFO] 10.1.0.${i}:5353 - 11${i} "A IN billing.example.net.billing.svc.cluster.local. udp 60 false 512" NXDOMAIN qr,aa,rd 150 0.0004s`).join("\n");

  it("throttled at its limit, query rate up, ndots fan-out in its log", () => {
    const { candidates } = analyzeDnsLoad.analyze(
      evidenceOf([{ tool: "get_cluster_metrics", data: matrix }, { tool: "get_deployments_info", data: describeText }, { tool: "pull_pod_logs", input: { pod: "coredns-5b4c3d2e1-aa11b" }, data: corednsLog }], [DNS]),
    );
    expect(candidates[0]).toMatchObject({ key: "dns-overload", weight: 0.82 });
    expect(candidates[0]?.cause).toContain("The cluster DNS server (CoreDNS, coredns) is CPU-throttled at its 150m CPU limit (72% of CFS periods throttled), while its query rate rose from 300 to 3,100/s; ndots=5 with search domains");
    expect(rankAlongGraph(candidates, [DNS]).root?.candidate.key).toBe("dns-overload");
  });

  it("a forwarding loop is upstream of the CPU it burns", () => {
    const { candidates } = analyzeDnsLoad.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: matrix }, { tool: "get_deployments_info", data: describeText }], [DNS]));
    const loop: CauseCandidate = { key: "dns-loop", cause: "CoreDNS forwarding loop", weight: 0.7, appOrInfra: "infra", tool: "pull_pod_logs" };
    expect(rankAlongGraph([...candidates, loop], [DNS]).root?.candidate.key).toBe("dns-loop");
  });

  it("without a throttling series, kubectl top at its limit; without either, nothing", () => {
    const top = "NAME                        CPU(cores)   MEMORY(bytes)\ncoredns-5b4c3d2e1-aa11b     149m         40Mi\n";
    const { candidates } = analyzeDnsLoad.analyze(evidenceOf([{ tool: "get_top_output", data: top }, { tool: "get_deployments_info", data: describeText }], [DNS]));
    expect(candidates[0]?.cause).toContain("CPU-throttled at its 150m CPU limit (149m used of its 150m)");
    const calm = "NAME                        CPU(cores)   MEMORY(bytes)\ncoredns-5b4c3d2e1-aa11b     20m          40Mi\n";
    expect(analyzeDnsLoad.analyze(evidenceOf([{ tool: "get_top_output", data: calm }, { tool: "get_deployments_info", data: describeText }], [DNS])).candidates).toEqual([]);
  });

  it("the DNS lead reads CoreDNS's own log, and is closed once an ingress without an address settles the alert", () => {
    const table = "NAME                               READY   STATUS    RESTARTS   AGE\nconductor-server-6d5c4b3a2-kq8mz   1/1     Running   0          3d\ncoredns-5b4c3d2e1-aa11b            1/1     Running   0          40d\n";
    const pods = extractPods(table, table);
    const dns = LEADS.filter((lead) => lead.id === "dns-server-load");
    const open = planLeadCalls({ open: new Set(["alert:dns"]), pods, pendingTask: null, made: new Set() }, 5, dns);
    expect(open).toContainEqual(expect.objectContaining({ tool: "pull_pod_logs", args: { pod: "coredns-5b4c3d2e1-aa11b", lines: 200 } }));
    expect(planLeadCalls({ open: new Set(["alert:dns", "load-balancer"]), pods, pendingTask: null, made: new Set() }, 5, dns)).toEqual([]);
  });
});

describe("huge requests named by another line of the log", () => {
  const pod = "conductor-server-6d5c4b3a2-kq8mz";
  const lines = [0, 4, 8, 12].flatMap((s) => [
    `2026-03-01T10:00:${String(s).padStart(2, "0")}.100Z  INFO 1 --- [exec-${s}] i.o.c.s.SearchService : search start=0 size=50000 query='status=COMPLETED' -> 50000 hits`,
    `2026-03-01T10:00:${String(s + 1).padStart(2, "0")}.900Z  WARN 1 --- [exec-${s}] o.s.w.s.m.RequestBodyProcessor : Slow response: GET /api/workflow/search took 9.1 s (client wallboard-app/1.2)`,
  ]);
  lines.push("[gc] GC(7) Pause Full (G1 Compaction Pause) 7900M->7100M(8192M) 2100.1ms");

  it("a page size outside a URL is a request when the line says so; the endpoint and client come from the line naming the path; a steady pace is a periodic caller", () => {
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: lines.join("\n") }], [HEAP]));
    expect(candidates[0]?.key).toBe("large-requests");
    expect(candidates[0]?.cause).toContain("Oversized /api/workflow/search requests with size=50000 by wallboard-app, repeated every ~4 s (a periodic caller");
  });

  it("a page size in a JSON request body", () => {
    const json = [1, 2, 3].map((i) => `{"level":"INFO","message":"POST /api/workflow/search body {\\"size\\": 20000, \\"query\\": \\"x\\"} from client report-job","n":${i}}`).join("\n");
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: json }], [HEAP]));
    expect(candidates[0]?.cause).toContain("/api/workflow/search requests with size=20000 by report-job");
  });

  it("a queue size is not a request", () => {
    const queue = [1, 2, 3].map((i) => `INFO 1 --- [sweeper] c.n.c.WorkflowSweeper : decider queue size=18000 after search of expired, pass ${i}`).join("\n");
    expect(analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: queue }], [HEAP])).candidates).toEqual([]);
  });
});

describe("Prometheus text: label values holding braces", () => {
  it("reads the sample with all its labels", () => {
    const [sample] = readMetrics('http_server_requests_seconds_count{uri="/api/tasks/poll/batch/{taskType}",status="204"} 912\n', 'http_server_requests_seconds_count{uri="/api/tasks/poll/batch/{taskType}",status="204"} 912\n');
    expect(sample).toMatchObject({ name: "http_server_requests_seconds_count", value: 912, labels: { uri: "/api/tasks/poll/batch/{taskType}", status: "204" } });
  });
});

describe("running workflows by type from an answer grouped by type and status", () => {
  it("leaves out the finished rows, so the biggest running type is named, not the biggest completed one", () => {
    const rows = [["parcel_intake", "RUNNING", 9120], ["label_batch", "RUNNING", 40], ["parcel_intake", "COMPLETED", 880114]];
    expect(readTopGroups(rows, JSON.stringify(rows), true)[0]).toEqual({ label: "parcel_intake", count: 9120 });
    expect(readTopGroups(rows, JSON.stringify(rows))[0]?.count).toBe(880114);
  });
});

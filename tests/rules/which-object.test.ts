import { describe, expect, it } from "vitest";
import { analyzeCapacityChanges } from "../../src/rules/judge/analyzers/analyze-capacity-changes.ts";
import { analyzeDbSessions } from "../../src/rules/judge/analyzers/analyze-db-sessions.ts";
import { planFollowUps } from "../../src/rules/investigate/plan-follow-ups.ts";
import { analyzeNoisyNeighbour } from "../../src/rules/judge/analyzers/analyze-noisy-neighbour.ts";
import { LEADS } from "../../src/playbook/leads.ts";
import { analyzeTaskTimings } from "../../src/rules/judge/analyzers/analyze-task-timings.ts";
import { analyzeCertificates } from "../../src/rules/judge/analyzers/analyze-certificates.ts";
import { analyzeControllerLogs } from "../../src/rules/judge/analyzers/analyze-controller-logs.ts";
import { analyzeLogMessages } from "../../src/rules/judge/analyzers/analyze-log-messages.ts";
import { analyzeThreadDump } from "../../src/rules/judge/analyzers/analyze-thread-dump.ts";
import { analyzeWorkloadShape } from "../../src/rules/judge/analyzers/analyze-workload-shape.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { extractSettingChanges } from "../../src/rules/read/read-changes.ts";
import { extractIssuers } from "../../src/rules/read/read-certificates.ts";
import { scanWorkload } from "../../src/rules/read/scan-workload.ts";
import { quoteLine } from "../../src/rules/evidence.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

/* Which object, which setting: the cause names the issuer, task, workload or client the decisive evidence is about. */

const CERT_ALERT = issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "The api.lumenport.io certificate expires in less than 10 days", "WARNING");

const INGRESSES = {
  ingresses: [
    { name: "api", hosts: ["api.lumenport.io"], annotations: { "cert-manager.io/cluster-issuer": "acme-main" }, tls: [{ secretName: "api-tls" }] },
    { name: "docs", hosts: ["docs.lumenport.io"], annotations: { "cert-manager.io/cluster-issuer": "acme-dns" } },
  ],
  clusterIssuers: [
    { name: "acme-main", privateKeySecretRef: "acme-main-key", ready: "False", reason: "ErrInitIssuer", message: 'Error initializing issuer: secret "acme-main-key" not found' },
    { name: "acme-dns", ready: "True", reason: "ACMEAccountRegistered", message: "The ACME account was registered with the ACME server" },
  ],
};

const CERT_MANAGER_LOGS = [
  'E0301 10:00:01.000000       1 controller.go:167] "re-queuing item due to error processing" err="failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many failed authorizations recently" key="docs/docs-tls-2"',
  'E0301 10:01:01.000000       1 controller.go:167] "re-queuing item due to error processing" err="failed to create Order: 429 urn:ietf:params:acme:error:rateLimited: too many failed authorizations recently" key="docs/docs-tls-2"',
  'E0301 10:02:01.000000       1 setup.go:49] "error initializing issuer" err="secret \\"acme-main-key\\" not found" resource_name="acme-main" resource_kind="ClusterIssuer"',
].join("\n");

describe("an issuer that cannot sign is the cause of a certificate's failed renewal", () => {
  it("reads ClusterIssuers from a list and from kind: ClusterIssuer objects, with their Ready condition and account key Secret", () => {
    expect(extractIssuers(INGRESSES).map((i) => [i.name, i.ready, i.secretRef])).toEqual([
      ["acme-main", false, "acme-main-key"],
      ["acme-dns", true, null],
    ]);
    const object = { kind: "ClusterIssuer", metadata: { name: "le" }, spec: { acme: { privateKeySecretRef: { name: "le-key" } } }, status: { conditions: [{ type: "Ready", status: "False", reason: "ErrRegisterACMEAccount", message: "no such host" }] } };
    expect(extractIssuers(object)).toEqual([{ name: "le", kind: "ClusterIssuer", ready: false, reason: "ErrRegisterACMEAccount", message: "no such host", secretRef: "le-key" }]);
  });

  it("reads `kubectl describe clusterissuer` text: the Ready condition and the account key Secret", () => {
    const described = [
      "Name:         le-prod",
      "Kind:         ClusterIssuer",
      "Spec:",
      "  Acme:",
      "    Private Key Secret Ref:",
      "      Name:  le-prod-key",
      "Status:",
      "  Conditions:",
      '    Message:               Error initializing issuer: secret "le-prod-key" not found',
      "    Reason:                ErrInitIssuer",
      "    Status:                False",
      "    Type:                  Ready",
    ].join("\n");
    expect(extractIssuers(described, described)).toEqual([{ name: "le-prod", kind: "ClusterIssuer", ready: false, reason: "ErrInitIssuer", message: 'Error initializing issuer: secret "le-prod-key" not found', secretRef: "le-prod-key" }]);
    const { candidates } = analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data: described }], [CERT_ALERT]));
    expect(candidates[0]?.cause).toContain("its ACME account key Secret le-prod-key (privateKeySecretRef) is missing");
  });

  it("the not-Ready issuer the alerted host's Ingress references is the root, not a rate limit another certificate hit", () => {
    const evidence = evidenceOf(
      [
        { tool: "get_ingress_info", data: INGRESSES },
        { tool: "pull_pod_logs", input: { pod: "cert-manager-7f6d9c8b5-abcde" }, data: CERT_MANAGER_LOGS },
      ],
      [CERT_ALERT],
    );
    const certificates = analyzeCertificates.analyze(evidence).candidates;
    expect(certificates).toHaveLength(1);
    expect(certificates[0]?.cause).toContain("cert-manager cannot renew the certificate api-tls: the ClusterIssuer acme-main");
    expect(certificates[0]?.cause).toContain('ClusterIssuer acme-main that signs it is not Ready (ErrInitIssuer: "Error initializing issuer: secret "acme-main-key" not found")');
    expect(certificates[0]?.cause).toContain("account key Secret acme-main-key");
    const logs = analyzeControllerLogs.analyze(evidence).candidates;
    expect(logs[0]?.cause).toContain("error initializing issuer");
    const verdict = rankAlongGraph([...logs, ...certificates], evidence.issues);
    expect(verdict.root?.candidate.cause).toContain("acme-main");
    expect(verdict.root?.candidate.cause).not.toMatch(/rateLimited/);
  });

  it("an issuer that cannot register its ACME account is named before any order error", () => {
    const logs = 'E0301 10:00:01.000000 1 controller.go:167] "re-queuing item due to error processing" err="failed to create Order: 429 rateLimited"\nE0301 10:00:02.000000 1 setup.go:60] "failed to register an ACME account" err="400 urn:ietf:params:acme:error:invalidContact"';
    const { candidates } = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "cert-manager-7f6d9c8b5-abcde" }, data: logs }], [CERT_ALERT]));
    expect(candidates[0]?.cause).toContain("its issuer is not Ready");
    expect(candidates[0]?.cause).toContain("failed to register an ACME account");
  });

  it("a Warning event about the issuer itself counts; an issuer nothing ties to the alerted host is only a finding", () => {
    const events = "LAST SEEN   TYPE      REASON          OBJECT                       MESSAGE\n5m          Warning   ErrInitIssuer   clusterissuer/acme-other     Error initializing issuer: secret \"acme-other-key\" not found\n";
    const lone = analyzeCertificates.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "cert-manager-7f6d9c8b5-abcde" }, data: events }], [CERT_ALERT]));
    expect(lone.candidates[0]?.cause).toContain("ClusterIssuer acme-other that signs it is not Ready");
    const other = analyzeCertificates.analyze(
      evidenceOf([{ tool: "get_ingress_info", data: INGRESSES }, { tool: "get_pod_events", input: { pod: "cert-manager-7f6d9c8b5-abcde" }, data: events }], [CERT_ALERT]),
    );
    expect(other.candidates.map((c) => c.cause)).toEqual([expect.stringContaining("acme-main")]);
    expect(other.findings.some((x) => x.text.includes("acme-other") && x.weight < 0.5)).toBe(true);
  });
});

const HEAP_ALERT = issue("CONDUCTOR_HIGH_HEAP_USAGE", "Heap usage is at 91%, above the CRITICAL threshold of 85%");

describe("the task whose payloads are large is named", () => {
  const lines = [1, 2, 3]
    .map((n) => `{"@timestamp":"2026-03-01T10:0${n}:00Z","log.level":"WARN","message":"Task output payload of render_preview (taskId=t-${n}) is ${5000 + n} KB, above threshold 3072 KB; external payload storage type is DUMMY (not configured), keeping payload inline"}`)
    .join("\n");

  it("reads the task from `payload of <task>`, `taskType=<task>` and `task <task>`, and storage DUMMY / not configured as off", () => {
    const scan = scanWorkload(lines);
    expect(scan.payloads).toMatchObject({ task: "render_preview", direction: "output", externalStorageOff: true, count: 3 });
    expect(scanWorkload('WARN large output taskType=stitch_pages size 12 MB\nWARN large output taskType=stitch_pages size 14 MB').payloads?.task).toBe("stitch_pages");
    expect(scanWorkload("WARN task build_atlas returned output of 8 MB").payloads?.task).toBe("build_atlas");
  });

  it("the cause names the task and quotes the line by its message", () => {
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: lines }], [HEAP_ALERT]));
    expect(candidates[0]).toMatchObject({ key: "payload", fact: "task render_preview output up to 5003 KB" });
    expect(candidates[0]?.cause).toContain('task render_preview carries output payloads up to 5003 KB (×3 in conductor-server-7c9d8e6f5-a1b2c\'s logs: "Task output payload of render_preview (taskId=t-1)');
  });

  it("payload sizes by task type from metrics or SQL rows name the task when the logs do not", () => {
    const prom = [
      'conductor_task_output_size_bytes{taskType="render_preview",quantile="0.99"} 9.874e6',
      'conductor_task_output_size_bytes{taskType="send_mail",quantile="0.99"} 6021',
      'conductor_task_output_size_bytes_count{taskType="render_preview"} 41822',
    ].join("\n");
    const metrics = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: prom }], [HEAP_ALERT]));
    expect(metrics.candidates[0]?.cause).toBe("Large task payloads fill Redis and the heap: task render_preview carries output payloads of about 9.4 MiB (conductor_task_output_size_bytes 9,874,000 bytes)");
    expect(metrics.findings[0]?.text).toBe("render_preview: conductor_task_output_size_bytes");
    const rows = { columns: ["task_type", "tasks_last_hour", "avg_output_kb", "max_output_kb"], rows: [["render_preview", 1742, 8604, 10211], ["send_mail", 4991, 2, 6]] };
    const sql = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "SELECT task_type FROM task" }, data: rows }], [HEAP_ALERT]));
    expect(sql.candidates[0]?.fact).toBe("task render_preview output ≈ 10.0 MiB");
    expect(analyzeWorkloadShape.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: prom }], [CERT_ALERT])).candidates).toEqual([]);
  });

  it("a size in a line that reports how long something took is context, not an oversized payload", () => {
    expect(scanWorkload("WARN Slow JSON_JQ_TRANSFORM map_rules in pricing/4: 1843 ms (input 4.1 MB)\nWARN Slow JSON_JQ_TRANSFORM map_rules in pricing/4: 1712 ms (input 4.1 MB)").payloads).toBeNull();
  });

  it("quoteLine shows a JSON log line's message, other lines as before", () => {
    expect(quoteLine('{"level":"WARN","logger":"x.Y","message":"queue is full"}')).toBe('"queue is full"');
    expect(quoteLine("2026-03-01 10:00:00.000 WARN 1 --- [main] c.a.App : queue is full")).toBe('"queue is full"');
  });
});

const CPU_ALERT = issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 93%, above the CRITICAL threshold of 80%");

describe("the system task burning CPU in a hot workflow", () => {
  const logs = [1, 2, 3].map((n) => `{"level":"WARN","message":"Slow JSON_JQ_TRANSFORM map_rules in pricing_quote/4: 18${n}0 ms (input 4.1 MB, 30,000 entries)"}`).join("\n");

  it("a JSON_JQ_TRANSFORM reported with its duration names the task and the workflow version, quoting the line", () => {
    const { candidates } = analyzeLogMessages.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: logs }], [CPU_ALERT]));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "inline-script", fact: "JSON_JQ_TRANSFORM map_rules of workflow pricing_quote v4 takes seconds per run" });
    expect(candidates[0]?.cause).toContain('The JSON_JQ_TRANSFORM task map_rules of workflow pricing_quote v4 spends seconds in its jq expression');
    expect(candidates[0]?.cause).toContain('"Slow JSON_JQ_TRANSFORM map_rules in pricing_quote/4: 1810 ms');
    expect(candidates[0]?.nextStep).toContain("workflow pricing_quote v4 that task map_rules");
    expect(rankAlongGraph(candidates, [CPU_ALERT]).root?.node.id).toBe("inline-script");
    const quoted = analyzeLogMessages.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: "WARN JSON_JQ_TRANSFORM task 'map_rules' in workflow 'pricing_quote' version 4 took 2210ms" }], [CPU_ALERT]));
    expect(quoted.candidates[0]?.fact).toBe("JSON_JQ_TRANSFORM map_rules of workflow pricing_quote v4 takes seconds per run");
  });

  it("task timings by type (metrics or SQL rows): the slowest expression task per run, by reference and workflow", () => {
    const metrics = {
      systemTaskExecutionMs: [
        { taskType: "JSON_JQ_TRANSFORM", taskRef: "map_rules", workflow: "pricing_quote", p50: 1320, perSecond: 90.5 },
        { taskType: "JSON_JQ_TRANSFORM", taskRef: "pick_fields", workflow: "pricing_quote", p50: 1, perSecond: 90.5 },
        { taskType: "INLINE", taskRef: "score_delta", workflow: "refresh", p50: 700, perSecond: 0.01 },
        { taskType: "HTTP", taskRef: "load_rules", workflow: "pricing_quote", p50: 9000, perSecond: 90.5 },
      ],
    };
    const { candidates, findings } = analyzeTaskTimings.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: metrics }], [CPU_ALERT]));
    expect(candidates[0]?.cause).toBe(
      "The JSON_JQ_TRANSFORM task map_rules of workflow pricing_quote takes 1320 ms per evaluation (p50) at 90.5 perSecond: its jq expression runs on the servers' system-task threads on every execution of that workflow, and that is what burns their CPU",
    );
    expect(findings[0]?.text).toBe("JSON_JQ_TRANSFORM map_rules: p50 1320");
    const rows = [{ task_type: "INLINE", reference: "build_key", completed_last_hour: 40000, avg_ms: 950 }, { task_type: "SIMPLE", reference: "post", completed_last_hour: 9000, avg_ms: 4000 }];
    expect(analyzeTaskTimings.analyze(evidenceOf([{ tool: "run_sql_select", input: { query: "SELECT task_type FROM task" }, data: rows }], [CPU_ALERT])).candidates[0]?.fact).toBe("INLINE build_key: 950 ms per run");
    expect(analyzeTaskTimings.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: metrics }], [HEAP_ALERT])).candidates).toEqual([]);
  });

  it("RUNNABLE threads in the jq engine point at a JSON_JQ_TRANSFORM task", () => {
    const dump = [0, 1, 2]
      .map((n) => `"sys-task-jq-${n}" #1${n} daemon prio=5 runnable\n   java.lang.Thread.State: RUNNABLE\n\tat net.thisptr.jackson.jq.internal.tree.RecursionExpression.apply(RecursionExpression.java:29)\n\tat com.netflix.conductor.contribs.tasks.json.JsonJqTransform.start(JsonJqTransform.java:84)\n`)
      .join("\n");
    const { candidates } = analyzeThreadDump.analyze(evidenceOf([{ tool: "get_thread_dump", input: { pod: "conductor-server-0" }, data: dump }], [CPU_ALERT]));
    expect(candidates[0]).toMatchObject({ key: "inline-script", cause: expect.stringContaining("3 RUNNABLE threads in conductor-server-0 evaluate jq expressions") });
  });
});

const REDIS_ALERT = issue("REDIS_CRITICAL_USAGE", "The Redis instance is at 88%, above the CRITICAL threshold of 80%");

describe("a capacity setting lowered by a change, under a normal load", () => {
  const history = [
    "REVISION  UPDATED                   STATUS      CHART              APP VERSION  DESCRIPTION",
    "11        Mon Mar  1 08:00:00 2026  superseded  stack-1.2.0        5.2.1        Upgrade complete",
    "12        Tue Mar  2 09:30:00 2026  deployed    stack-1.2.0        5.2.1        Upgrade complete",
  ].join("\n");
  const diff = [
    "   cache:",
    "     primary:",
    "       resources:",
    "         limits:",
    "-          memory: 8Gi",
    "+          memory: 3Gi",
    "     extraConfig: |-",
    "-      maxmemory 6gb",
    "+      maxmemory 2048mb",
    "       maxmemory-policy noeviction",
  ].join("\n");

  it("reads a removed and an added line of the same setting at the same place, compared by size", () => {
    expect(extractSettingChanges(diff)).toEqual([
      { key: "memory", path: ["cache", "primary", "resources", "limits"], from: "8Gi", to: "3Gi", lines: ["-          memory: 8Gi", "+          memory: 3Gi"], lowered: true },
      { key: "maxmemory", path: ["cache", "extraConfig"], from: "6gb", to: "2048mb", lines: ["-      maxmemory 6gb", "+      maxmemory 2048mb"], lowered: true },
    ]);
    expect(extractSettingChanges("-  max_connections = 200\n+  max_connections = 400\n")[0]).toMatchObject({ lowered: false });
    expect(extractSettingChanges("-  replicas: 3\n+  replicas: 1\n")).toEqual([]);
  });

  it("reads one-line records of a change too: `key a -> b`, `from a to b`, -Xmx", () => {
    const text = "Upgrade: cache.maxmemory 4gb -> 1536mb (cost review)\nchange-cause: JAVA_OPTS -Xmx4g → -Xmx2g\nset max_connections from 300 to 200\nimage 1.2 -> 1.3";
    expect(extractSettingChanges(text).map((c) => [c.key, c.from, c.to, c.lowered])).toEqual([
      ["maxmemory", "4gb", "1536mb", true],
      ["-Xmx", "4g", "2g", true],
      ["max_connections", "300", "200", true],
    ]);
  });

  it("under a Redis alert, the lowered maxmemory is the root cause, quoting the diff and the helm revision", () => {
    const evidence = evidenceOf([{ tool: "get_deployments_info", data: `${history}\n\n${diff}` }], [REDIS_ALERT]);
    const { candidates } = analyzeCapacityChanges.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.cause).toContain('cache.extraConfig.maxmemory lowered from 6gb to 2048mb in helm revision 12 at Tue Mar 2 09:30:00 2026 ("- maxmemory 6gb" → "+ maxmemory 2048mb")');
    const hint = { key: "redis-size", cause: "Redis fills up without a backlog", weight: 0.4, appOrInfra: "unknown" as const, tool: "get_incident_details" };
    expect(rankAlongGraph([hint, ...candidates], [REDIS_ALERT]).root?.node.id).toBe("capacity-lowered");
    expect(analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: diff }], [CPU_ALERT])).candidates).toEqual([]);
    // Usage that grew threefold as well: the cut is one cause of two, not a strong root on its own.
    const grew = { status: "success", data: { resultType: "matrix", result: [{ metric: { __name__: "redis_memory_used_bytes" }, values: [[1, "500000000"], [2, "1500000000"]] }] } };
    const shared = analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: diff }, { tool: "get_cluster_metrics", data: grew }], [REDIS_ALERT]));
    expect(shared.candidates[0]?.weight).toBe(0.6);
  });

  it("under a heap alert, a recorded -Xmx cut; under a health alert, a max_connections cut", () => {
    const heap = analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: "change-cause: JAVA_OPTS -Xmx6g → -Xmx3g (right-size)" }], [HEAP_ALERT]));
    expect(heap.candidates[0]?.cause).toContain("The JVM heap ceiling was cut by a change: -Xmx lowered from 6g to 3g");
    const pg = analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: "-  max_connections = 400\n+  max_connections = 100\n" }], [DOWN_ALERT]));
    expect(pg.candidates[0]?.cause).toContain("Postgres's connection limit was cut by a change: max_connections lowered from 400 to 100");
  });

  it("without a diff, the ceiling's series stepping down under flat usage; not when the usage grew", () => {
    const matrix = (used: [string, string]) => ({
      status: "success",
      data: {
        resultType: "matrix",
        result: [
          { metric: { __name__: "redis_memory_used_bytes" }, values: [[1, used[0]], [2, used[1]]] },
          { metric: { __name__: "redis_memory_max_bytes" }, values: [[1, "4294967296"], [2, "1610612736"]] },
        ],
      },
    });
    const flat = analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: matrix(["1300000000", "1400000000"]) }], [REDIS_ALERT]));
    expect(flat.candidates[0]?.cause).toContain("redis_memory_max_bytes fell from 4,294,967,296 to 1,610,612,736");
    const grew = analyzeCapacityChanges.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: matrix(["300000000", "1400000000"]) }], [REDIS_ALERT]));
    expect(grew.candidates).toEqual([]);
  });
});

const DOWN_ALERT = issue("CONDUCTOR_HEALTHY", "Conductor has failed the health check: GET /health returned 503 on 2 of 2 server pods");

describe("connections held by another client when Postgres says too many clients", () => {
  const serverLogs = "2026-03-01 10:00:00.000  WARN 1 --- [onnection adder] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Cannot acquire connection from data source\norg.postgresql.util.PSQLException: FATAL: sorry, too many clients already\n";
  const exporter = {
    status: "success",
    data: {
      resultType: "vector",
      result: [
        { metric: { __name__: "pg_settings_max_connections" }, value: [1, "200"] },
        { metric: { __name__: "pg_stat_activity_count", usename: "report_svc", application_name: "nightly-report", state: "idle" }, value: [1, "150"] },
        { metric: { __name__: "pg_stat_activity_count", usename: "report_svc", application_name: "nightly-report", state: "active" }, value: [1, "30"] },
        { metric: { __name__: "pg_stat_activity_count", usename: "conductor", application_name: "PostgreSQL JDBC Driver", state: "active" }, value: [1, "15"] },
      ],
    },
  };

  it("the client holding most of max_connections, from the exporter's pg_stat_activity_count by application and user", () => {
    const evidence = evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: serverLogs }, { tool: "get_infrastructure_metrics", data: exporter }], [DOWN_ALERT]);
    const { candidates, findings } = analyzeDbSessions.analyze(evidence);
    const database = { key: "database", cause: "Conductor cannot get Postgres connections", weight: 0.8, appOrInfra: "infra" as const, tool: "pull_pod_logs" };
    expect(candidates).toEqual([expect.objectContaining({ key: "db-connections-held" })]);
    // The server pod restarting on its failed probes is explained by the client holding the slots.
    const restarted = issue("POD_RESTARTED", "Pod has been restarted 4 times - conductor-server-7c9d8e6f5-a1b2c", "MAJOR", "conductor-server-7c9d8e6f5-a1b2c");
    expect(rankAlongGraph([database, ...candidates], [restarted]).root?.node.id).toBe("db-connections-held");
    expect(candidates[0]?.cause).toBe('Postgres is out of connection slots ("FATAL: sorry, too many clients already"): client nightly-report (user report_svc) holds 180 of max_connections 200 (150 idle, 30 active), so the Conductor server cannot open the connections it needs');
    expect(findings[0]?.text).toBe("Postgres connections of nightly-report idle: 150");
    expect(rankAlongGraph([database, ...candidates], [DOWN_ALERT]).root?.node.id).toBe("db-connections-held");
  });

  it("pg_stat_activity rows by application; nothing when Postgres refuses nothing or the server itself holds the slots", () => {
    const rows = { columns: ["application_name", "usename", "count"], rows: [["etl-loader", "etl", 90], ["conductor-server", "conductor", 8]] };
    const sql = { tool: "run_sql_select", input: { query: "SELECT application_name, usename, count(*) FROM pg_stat_activity GROUP BY 1, 2" }, data: rows };
    const refused = { tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: serverLogs };
    expect(analyzeDbSessions.analyze(evidenceOf([refused, sql], [DOWN_ALERT])).candidates[0]?.cause).toContain("client etl-loader (user etl) holds 90 of 98 connections");
    const deployments = "NAME         READY   UP-TO-DATE   AVAILABLE   AGE\netl-loader   12/12   12           12           2h\n\n--- etl-loader (revision 1)\n  env: SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE=8\n";
    expect(analyzeDbSessions.analyze(evidenceOf([refused, sql, { tool: "get_deployments_info", data: deployments }], [DOWN_ALERT])).candidates[0]?.cause).toContain(
      "holds 90 of 98 connections — its deployment runs 12 replicas with a connection pool of 8 each, so",
    );
    expect(analyzeDbSessions.analyze(evidenceOf([sql], [DOWN_ALERT])).candidates).toEqual([]);
    const own = { ...sql, data: { columns: ["application_name", "count"], rows: [["conductor-server", 90], ["psql", 2]] } };
    expect(analyzeDbSessions.analyze(evidenceOf([refused, own], [DOWN_ALERT])).candidates).toEqual([]);
  });

  it("Postgres refusing connections asks the exporter too, since the agent's own SQL may not get a slot", () => {
    const evidence = evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: serverLogs }], [DOWN_ALERT]);
    expect(planFollowUps(evidence, [], 5).map((c) => c.tool)).toEqual(["run_sql_select", "get_infrastructure_metrics"]);
  });
});

describe("a noisy neighbour: another pod on the alerted pod's node using the node's CPU", () => {
  const pods = [
    "NAME                                 READY   STATUS    RESTARTS   AGE   IP           NODE",
    "api-server-6c8d7b9f5-k2m4p           1/1     Running   0          3d    10.1.3.14    node-c",
    "api-server-6c8d7b9f5-q7w8e           1/1     Running   0          3d    10.1.1.20    node-a",
    "tile-rebuild-28811220-zz9kq          1/1     Running   0          2h    10.1.3.40    node-c",
    "log-shipper-abcde                    1/1     Running   0          30d   10.1.3.5     node-c",
  ].join("\n");
  const usage = (nodeCpu: number, rebuild: string) => ({
    nodes: [{ name: "node-c", cpuPct: nodeCpu }, { name: "node-a", cpuPct: 22 }],
    pods: [
      { pod: "tile-rebuild-28811220-zz9kq", cpu: rebuild, qosClass: "BestEffort", limits: null },
      { pod: "api-server-6c8d7b9f5-k2m4p", cpu: "900m", qosClass: "Burstable" },
      { pod: "log-shipper-abcde", cpu: "60m" },
    ],
  });
  const alert = issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 91%, above the MAJOR threshold of 75% - api-server-6c8d7b9f5-k2m4p", "MAJOR", "api-server-6c8d7b9f5-k2m4p");
  const host = "system_cpu_usage{pod=\"api-server-6c8d7b9f5-k2m4p\"} 0.91\nprocess_cpu_usage{pod=\"api-server-6c8d7b9f5-k2m4p\"} 0.12\n";

  it("names the neighbour, its node and QoS, and the server's host-versus-process reading", () => {
    const evidence = evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_infrastructure_metrics", data: usage(98, "6500m") }, { tool: "get_cluster_metrics", data: host }], [alert]);
    const { candidates, findings } = analyzeNoisyNeighbour.analyze(evidence);
    expect(candidates[0]?.cause).toBe(
      "Noisy neighbour on node node-c: pod tile-rebuild-28811220-zz9kq (tile-rebuild) uses 6,500m CPU (BestEffort: no CPU requests or limits) on the same node as api-server-6c8d7b9f5-k2m4p, which itself uses 900m; the node is at 98% CPU; the server's reading is the host's (system_cpu_usage 0.91 against process_cpu_usage 0.12)",
    );
    expect(findings[0]?.text).toBe("tile-rebuild-28811220-zz9kq runs on node-c");
    const hot = { key: "cpu-hot", cause: "CPU is consumed by api-server", weight: 0.4, appOrInfra: "unknown" as const, tool: "get_top_output" };
    expect(rankAlongGraph([hot, ...candidates], [alert]).root?.node.id).toBe("noisy-neighbour");
  });

  it("nothing when the node is not busy or the neighbour is small", () => {
    expect(analyzeNoisyNeighbour.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_infrastructure_metrics", data: usage(60, "6500m") }], [alert])).candidates).toEqual([]);
    expect(analyzeNoisyNeighbour.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "get_infrastructure_metrics", data: usage(98, "1200m") }], [alert])).candidates).toEqual([]);
  });

  it("kubectl text (top pods, top nodes) and an alert naming no pod: the server pods are the ones placed on their nodes", () => {
    const servers = pods.replace(/api-server-/g, "conductor-server-");
    const top = "NAME                                CPU(cores)   MEMORY(bytes)\nconductor-server-6c8d7b9f5-k2m4p    850m         4100Mi\nconductor-server-6c8d7b9f5-q7w8e    700m         4000Mi\ntile-rebuild-28811220-zz9kq         7020m        900Mi\n";
    const nodes = "NAME     CPU(cores)   CPU%   MEMORY(bytes)   MEMORY%\nnode-c   7900m        98%    20000Mi         60%\nnode-a   1800m        22%    15000Mi         40%\n";
    const { candidates } = analyzeNoisyNeighbour.analyze(
      evidenceOf([{ tool: "get_pods_data", data: servers }, { tool: "get_top_output", data: top }, { tool: "get_infrastructure_metrics", data: nodes }], [CPU_ALERT]),
    );
    expect(candidates[0]?.cause).toContain("Noisy neighbour on node node-c: pod tile-rebuild-28811220-zz9kq (tile-rebuild) uses 7,020m CPU on the same node as conductor-server-6c8d7b9f5-k2m4p, which itself uses 850m; the node is at 98% CPU");
  });

  it("a CPU alert opens the lead that reads the nodes and the pods beside the server", () => {
    expect(LEADS.find((lead) => lead.opensOn.includes("alert:cpu") && lead.calls.some((c) => c.tool === "get_infrastructure_metrics"))?.id).toBe("cpu-node-neighbours");
  });
});

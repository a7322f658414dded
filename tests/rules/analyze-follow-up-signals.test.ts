import { describe, expect, it } from "vitest";
import { analyzeCertificates } from "../../src/rules/judge/analyzers/analyze-certificates.ts";
import { analyzeControllerLogs } from "../../src/rules/judge/analyzers/analyze-controller-logs.ts";
import { analyzeDbSessions } from "../../src/rules/judge/analyzers/analyze-db-sessions.ts";
import { analyzeIngress } from "../../src/rules/judge/analyzers/analyze-ingress.ts";
import { analyzePodEvents } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { analyzeWorkloadShape } from "../../src/rules/judge/analyzers/analyze-workload-shape.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const REACH = issue("DOMAIN_REACHABILITY", "The domain a.example is down (HTTP 503)");
const RESOLVE = issue("DOMAIN_RESOLUTION", "The domain a.example has not been resolved");
const REDIS = issue("REDIS_HIGH_USAGE", "The Redis instance is at 57%", "WARNING");
const HEAP = issue("CONDUCTOR_HIGH_HEAP_USAGE", "Heap usage is at 93%", "MAJOR", "conductor-server-7f9l24b4p-7p6cg");

describe("analyzePodEvents: unbound PersistentVolumeClaim", () => {
  const pod = "prometheus-server-8dvzm2pkr-nl29k";
  it.each([
    [
      "text",
      `LAST SEEN   TYPE      REASON               OBJECT                                    MESSAGE\n48s         Warning   FailedScheduling     pod/${pod}     0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.\n3h          Warning   ProvisioningFailed   persistentvolumeclaim/prom-data   storageclass.storage.k8s.io "gp2-encrypted" not found`,
    ],
    [
      "JSON",
      {
        items: [
          { type: "Warning", reason: "FailedScheduling", message: "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.", involvedObject: { kind: "Pod", name: pod } },
          { type: "Warning", reason: "ProvisioningFailed", message: 'storageclass.storage.k8s.io "gp2-encrypted" not found', involvedObject: { kind: "PersistentVolumeClaim", name: "prom-data" } },
        ],
      },
    ],
  ])("%s: names the claim and the missing StorageClass instead of blaming node capacity", (_shape, data) => {
    const { candidates, findings } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod }, data }]));
    expect(candidates.map((c) => c.key)).toEqual(["volume-claim"]);
    expect(candidates[0]?.cause).toBe(`${pod} cannot be scheduled because its PersistentVolumeClaim prom-data is unbound: its StorageClass "gp2-encrypted" does not exist, so no volume can be provisioned`);
    expect(findings[0]?.note).toContain("ProvisioningFailed");
  });

  it("red herring: FailedScheduling for lack of memory stays a scheduling problem", () => {
    const data = `LAST SEEN   TYPE      REASON             OBJECT        MESSAGE\n1m          Warning   FailedScheduling   pod/${pod}   0/3 nodes are available: 3 Insufficient memory.`;
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod }, data }]));
    expect(candidates.map((c) => c.key)).toEqual(["scheduling"]);
  });
});

describe("analyzeIngress: a Service without endpoints", () => {
  const deployments = { deployments: [{ name: "conductor-server", ready: "2/2", podLabels: { "app.kubernetes.io/name": "conductor-server", tier: "api" }, revision: 18 }] };
  it.each([
    ["JSON", { items: [{ name: "conductor", host: "a.example", address: "203.0.113.77", backend: { service: "conductor-server" }, serviceSelector: { app: "conductor-server", tier: "api" }, endpoints: [] }] }],
    ["text", "Name:             conductor\nAddress:          203.0.113.77\nRules:\n  Host        Path  Backends\n  a.example   /     conductor-server:8080 (<none>)\nSelector:         app=conductor-server,tier=api\n"],
  ])("%s: a selector matching no pod labels is the cause", (_shape, data) => {
    const { candidates, findings } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data }, { tool: "get_deployments_info", data: deployments }], [REACH]));
    expect(candidates).toEqual([expect.objectContaining({ key: "no-endpoints", weight: 0.92 })]);
    expect(candidates[0]?.cause).toMatch(/selector \(app=conductor-server, tier=api\) matches no pod labels/);
    expect(findings.map((f) => f.text)).toContain("ingress conductor → Service conductor-server has no Endpoints (selector app=conductor-server, tier=api)");
  });

  it("red herring: endpoints present and the selector matching means no endpoint claim", () => {
    const data = { items: [{ name: "conductor", host: "a.example", address: "203.0.113.77", serviceSelector: { tier: "api" }, endpoints: ["10.0.2.11:8080"] }] };
    const { candidates } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data }, { tool: "get_deployments_info", data: deployments }], [REACH]));
    expect(candidates.map((c) => c.key)).toEqual(["dns-record"]);
  });

  it("text: an ingress without an address carries the controller's warning event into the cause", () => {
    const data = "NAME        CLASS   HOSTS       ADDRESS   PORTS   AGE\nconductor   alb     a.example             80      2d\n\nEvents (conductor):\n  Warning  FailedBuildModel  2m (x412 over 2d)  ingress  Failed build model due to AccessDenied: not authorized to perform: elasticloadbalancing:CreateLoadBalancer\n";
    const { candidates } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data }], [RESOLVE]));
    expect(candidates.find((c) => c.weight === 0.9)?.cause).toMatch(/never provisioned: the ingress controller reports FailedBuildModel: .*AccessDenied/);
  });
});

describe("analyzeControllerLogs", () => {
  const alb = "aws-load-balancer-controller-w4fqsj4vb-bn4z4";
  it.each([
    ["JSON record", { level: "error", ts: "2025-11-23T06:12:09Z", msg: "Reconciler error", error: "AccessDenied: User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer" }],
    ["text", "2025-11-23T06:12:09Z ERROR controller.ingress Reconciler error: AccessDenied: User is not authorized to perform: elasticloadbalancing:CreateLoadBalancer"],
  ])("%s: an LB controller denied by the cloud API explains the missing load balancer", (_shape, data) => {
    const { candidates } = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: alb }, data }], [RESOLVE]));
    expect(candidates).toEqual([expect.objectContaining({ key: "load-balancer", weight: 0.9, cause: expect.stringContaining("AccessDenied") })]);
  });

  it("text: ingress-nginx warning about a Service without active endpoints", () => {
    const data = 'W1123 07:10:00.510       7 controller.go:1216] Service "conductor/conductor-server" does not have any active Endpoint.\n10.0.0.40 - - [23/Nov/2025:07:10:10 +0000] "POST /api/tasks/poll HTTP/1.1" 503 190\nW1123 07:11:01.511       7 controller.go:1216] Service "conductor/conductor-server" does not have any active Endpoint.';
    const { candidates, findings } = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "ingress-nginx-controller-ll56mqfck-476c9" }, data }], [REACH]));
    expect(candidates.map((c) => c.key)).toEqual(["no-endpoints"]);
    expect(findings[0]?.text).toMatch(/does not have any active Endpoint/);
    expect(findings[0]?.note).toBe("×2");
  });

  it("red herring: the same AccessDenied in an application pod's logs is not a controller finding", () => {
    const data = "2025-11-23T06:12:09Z ERROR s3 upload failed: AccessDenied";
    expect(analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7f9l24b4p-7p6cg" }, data }], [RESOLVE]))).toEqual({ findings: [], candidates: [] });
  });
});

describe("analyzeCertificates", () => {
  it.each([
    ["JSON", { ingresses: [{ name: "conductor", hosts: ["a.example"], address: "lb.example" }], certificates: [{ name: "a-tls", ready: false, lastFailure: "Waiting for HTTP-01 challenge propagation: wrong status code '403', expected '200'", failedAttempts: 23 }] }],
    ["text", "NAME    READY   SECRET   AGE\na-tls   False   a-tls    90d\n\n    Reason:  Waiting for HTTP-01 challenge propagation: wrong status code '403', expected '200'\n"],
  ])("%s: a failing HTTP-01 challenge is why the certificate is not renewed", (_shape, data) => {
    const { candidates } = analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data }]));
    expect(candidates).toEqual([expect.objectContaining({ key: "certificate", weight: 0.92, cause: expect.stringMatching(/a-tls: the ACME HTTP-01 challenge fails \(answered 403 instead of 200\)/) })]);
  });

  it("red herring: a Ready certificate says nothing", () => {
    const data = { certificates: [{ name: "a-tls", ready: true, message: "Certificate is up to date and has not expired" }] };
    expect(analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data }]))).toEqual({ findings: [], candidates: [] });
  });
});

describe("analyzeDbSessions", () => {
  const query = "SELECT state, application_name, count(*) AS sessions FROM pg_stat_activity GROUP BY state, application_name ORDER BY sessions DESC LIMIT 10";
  it.each([
    ["JSON", { rows: [{ state: "idle in transaction", count: 31, application_name: "booking-reporting" }, { state: "active", count: 9, application_name: "conductor" }] }],
    ["text", "STATE                 APPLICATION_NAME    SESSIONS\nidle in transaction   booking-reporting   31\nactive                conductor           9\n"],
  ])("%s: sessions idle in transaction starve the pool, with the client named", (_shape, data) => {
    const { candidates } = analyzeDbSessions.analyze(evidenceOf([{ tool: "run_sql_select", input: { query }, data }]));
    expect(candidates).toEqual([expect.objectContaining({ key: "db-idle-transaction", cause: expect.stringMatching(/^31 of 40 Postgres connections are held idle in transaction by booking-reporting/) })]);
  });

  it("red herring: a few idle-in-transaction sessions among many active ones are only a finding", () => {
    const data = { rows: [{ state: "active", count: 90, application_name: "conductor" }, { state: "idle in transaction", count: 2, application_name: "psql" }] };
    const { candidates, findings } = analyzeDbSessions.analyze(evidenceOf([{ tool: "run_sql_select", input: { query }, data }]));
    expect(candidates).toEqual([]);
    expect(findings).toHaveLength(1);
  });
});

describe("analyzeWorkloadShape", () => {
  const pod = "conductor-server-7f9l24b4p-7p6cg";
  const payloadLines = [2.1, 3.0, 4.9].map((mb, i) => `2025-11-23T05:58:0${i}.000Z  WARN 1 --- [main] c.n.c.c.u.ExternalPayloadStorageUtils : Input payload of workflow invoice_batch (4cf26ade-75cc-493a-aba5-2e70eb3d3fa${i}) is ${mb} MB, above the 1 MB threshold; external payload storage is disabled, storing inline`);

  it.each([
    ["text", payloadLines.join("\n")],
    ["JSON lines", { logs: payloadLines }],
  ])("%s: oversized payloads under a Redis alert name the workflow", (_shape, data) => {
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data }], [REDIS]));
    expect(candidates).toEqual([expect.objectContaining({ key: "payload", cause: expect.stringContaining("invoice_batch workflows carry inputs/outputs up to 4.9 MB") })]);
  });

  it("text: big searches with Full GCs under a heap alert", () => {
    const lines = [1, 2, 3].flatMap((i) => [
      `[2025-11-23T06:2${i}:00.412+0000][gc] GC(48${i}0) Pause Full (G1 Compaction Pause) 3712M->3655M(4096M) 1800.221ms`,
      `2025-11-23T06:2${i}:11.000Z  INFO 1 --- [exec-1] c.n.c.r.c.WorkflowSearchResource : GET /api/workflow/search?start=0&size=5000&query=x by app 'reporting-exporter' returned 5000 results in 4137 ms`,
    ]);
    const { candidates, findings } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: lines.join("\n") }], [HEAP]));
    expect(candidates).toEqual([expect.objectContaining({ key: "large-requests", weight: 0.85, cause: expect.stringMatching(/\/api\/workflow\/search requests with size=5000 by reporting-exporter .*3 Full GC pauses reclaiming little \(3712M->3655M\(4096M\)\)/) })]);
    expect(findings.map((f) => f.key)).toContain("heap");
  });

  it("text: Full GCs that reclaim little with nothing driving them: the heap is too small for the load", () => {
    const lines = [1, 2, 3].map((i) => `[2024-12-04T09:1${i}:47.420+0000][info][gc] GC(184${i}) Pause Full (G1 Compaction Pause) 2030M->1934M(2048M) 11873.552ms`);
    const text = ["JAVA_OPTS=-Xmx2048m -XX:+UseG1GC", ...lines].join("\n");
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: text }], [HEAP]));
    expect(candidates).toEqual([expect.objectContaining({ key: "heap-too-small", fact: "Full GC 2030M->1934M(2048M), -Xmx2048m", cause: expect.stringMatching(/heap \(-Xmx2048m\) is exhausted by what it retains: .*a leak, or a heap too small for the load/) })]);
  });

  it("JSON: a dynamic fork creating thousands of tasks names the workflow and the task type", () => {
    const logs = [18000, 18074, 18148].map((n) => `INFO ForkJoinDynamicTaskMapper : Workflow map_survey_tiles v5 (aeb5bcef): FORK_JOIN_DYNAMIC fork_tiles created ${n} tasks`);
    const { candidates } = analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: { logs } }], [REDIS]));
    expect(candidates[0]).toMatchObject({ key: "fan-out", cause: expect.stringMatching(/^map_survey_tiles fans out into 18148 tasks per workflow via FORK_JOIN_DYNAMIC/) });
  });

  it("red herring: small payloads, 500-document bulk requests and no saturation alert give no cause", () => {
    const data = "WARN Input payload of workflow tiny (x) is 120 KB\nERROR Bulk index of 500 documents failed: es_rejected_execution_exception\nINFO GET /api/workflow/search?size=20 returned 20 results";
    expect(analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data }], [REDIS]))).toEqual({ findings: [], candidates: [] });
    const big = payloadLines.join("\n");
    expect(analyzeWorkloadShape.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod }, data: big }], [issue("CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", "errors")])).candidates).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { analyzeCrashErrors, crashesOnItsOwn, whatItSaid } from "../../src/rules/judge/analyzers/analyze-crash-errors.ts";
import { analyzeLogExceptions } from "../../src/rules/judge/analyzers/analyze-log-exceptions.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const PODS = [
  "NAME                               READY   STATUS             RESTARTS      AGE",
  "ledger-sync-5d8c7b9f6-q2w3e        0/1     CrashLoopBackOff   7 (40s ago)   20m",
  "ledger-sync-5d8c7b9f6-r4t5y        0/1     CrashLoopBackOff   7 (55s ago)   20m",
  "conductor-server-7c9d8e6f5-a1b2c   1/1     Running            0             3d",
].join("\n");

const SPRING_CRASH = [
  "2026-03-02 11:00:01.100  INFO 1 --- [main] c.a.l.LedgerSyncApplication : Starting LedgerSyncApplication",
  "2026-03-02 11:00:01.900  WARN 1 --- [main] c.a.l.config.SyncSettings : Unrecognised value 'hourly-ish' for sync.cadence",
  "2026-03-02 11:00:02.000 ERROR 1 --- [main] o.s.boot.SpringApplication : Application run failed",
  "java.lang.IllegalStateException: Failed to bind properties under 'sync'",
  "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:341)",
  "Caused by: java.time.format.DateTimeParseException: Text 'hourly-ish' could not be parsed at index 0",
  "\tat java.base/java.time.Duration.parse(Duration.java:417)",
].join("\n");

describe("a container that exits on its own error", () => {
  it("quotes the thrown exception, its deepest Caused-by and the warning just before it, read from a replica's logs", () => {
    const evidence = evidenceOf([
      { tool: "get_pods_data", data: PODS },
      { tool: "pull_pod_logs", input: { pod: "ledger-sync-5d8c7b9f6-r4t5y" }, data: SPRING_CRASH },
    ]);
    const { candidates, findings } = analyzeCrashErrors.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "startup-error", subject: "ledger-sync-5d8c7b9f6-r4t5y", weight: 0.8 });
    expect(candidates[0]?.cause).toContain("java.lang.IllegalStateException: Failed to bind properties under 'sync'");
    expect(candidates[0]?.cause).toContain("caused by \"java.time.format.DateTimeParseException: Text 'hourly-ish' could not be parsed at index 0\"");
    expect(candidates[0]?.cause).toContain("after the warning \"Unrecognised value 'hourly-ish' for sync.cadence\"");
    expect(findings[0]?.key).toBe("startup-error");
  });

  it("without an exception, the first error lines of a non-JVM program; the cluster DNS server is its own cause", () => {
    const pods = "NAME                       READY   STATUS             RESTARTS   AGE\nkube-dns-6b7c8d9e5-zz9xq   0/1     CrashLoopBackOff   12         1h\n";
    const logs = "[INFO] starting\nconfig.yaml:4 - parse failure: unexpected key 'upstreamz'\n[ERROR] cannot start: no servers configured\n";
    const { candidates } = analyzeCrashErrors.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "pull_pod_logs", input: { pod: "kube-dns-6b7c8d9e5-zz9xq" }, data: logs }]));
    expect(candidates[0]?.key).toBe("dns-server");
    expect(candidates[0]?.cause).toContain("\"config.yaml:4 - parse failure: unexpected key 'upstreamz'\"; \"cannot start: no servers configured\"");
  });

  it("nothing for a pod killed from outside (OOMKilled, SIGTERM after a failed probe) or one that is healthy", () => {
    const base = { name: "p", status: "Running", ready: "1/1", restarts: 3, reasons: [], node: null };
    expect(crashesOnItsOwn({ ...base, lastReasons: ["OOMKilled"], exitCodes: [137] })).toBe(false);
    expect(crashesOnItsOwn({ ...base, lastReasons: ["Error"], exitCodes: [143] })).toBe(false);
    expect(crashesOnItsOwn({ ...base, restarts: 0, lastReasons: [], exitCodes: [] })).toBe(false);
    expect(crashesOnItsOwn({ ...base, lastReasons: ["Error"], exitCodes: [1] })).toBe(true);
    const { candidates } = analyzeCrashErrors.analyze(evidenceOf([{ tool: "get_pods_data", data: PODS }, { tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: SPRING_CRASH }]));
    expect(candidates).toEqual([]);
  });

  it("whatItSaid is null for logs without an error", () => {
    expect(whatItSaid("2026-03-02 11:00:01.100  INFO 1 --- [main] c.a.App : started\n")).toBeNull();
  });
});

describe("a name that does not resolve is upstream of the connection that failed", () => {
  it("a Redis error caused by UnknownHostException is a DNS cause, and the crash-looping DNS server is the root", () => {
    const logs = [
      "2026-03-02 11:00:02.000 ERROR 1 --- [main] c.n.c.r.RedisDAO : Failed to read workflow",
      "io.lettuce.core.RedisConnectionException: Unable to connect to cache-primary.data.svc:6379",
      "Caused by: java.net.UnknownHostException: cache-primary.data.svc: Temporary failure in name resolution",
    ].join("\n");
    const pods = "NAME                       READY   STATUS             RESTARTS   AGE\ncoredns-6b7c8d9e5-zz9xq    0/1     CrashLoopBackOff   12         1h\nconductor-server-7c9d8e6f5-a1b2c   1/1   Running   0   3d\n";
    const evidence = evidenceOf([
      { tool: "get_pods_data", data: pods },
      { tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: logs },
      { tool: "pull_pod_logs", input: { pod: "coredns-6b7c8d9e5-zz9xq" }, data: "plugin/forward: fatal: invalid upstream address 'tls:/'\n" },
    ]);
    const exception = analyzeLogExceptions.analyze(evidence).candidates;
    expect(exception[0]?.key).toBe("dns");
    const verdict = rankAlongGraph([...exception, ...analyzeCrashErrors.analyze(evidence).candidates], [issue("DNS_HEALTHY", "DNS resolution has failed")]);
    expect(verdict.root?.node.id).toBe("dns-server");
  });
});

describe("a restart long past on a pod healthy now", () => {
  it("is history: an OOMKilled last state 5d ago on a Running, ready pod is no longer direct evidence", async () => {
    const { analyzePodStatuses, isPast } = await import("../../src/rules/judge/analyzers/analyze-pod-statuses.ts");
    const pods = { items: [{ name: "metrics-store-0", status: "Running", ready: "2/2", restarts: 3, lastState: "OOMKilled (5d ago)" }, { name: "api-gw-0", status: "Running", ready: "1/1", restarts: 2, lastState: "OOMKilled (4m ago)" }] };
    const { candidates } = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }]));
    const bySubject = (name: string) => candidates.find((c) => c.subject === name);
    expect(bySubject("metrics-store-0")?.weight).toBeLessThan(0.4);
    expect(bySubject("api-gw-0")).toMatchObject({ key: "memory-limit" });
    expect(bySubject("api-gw-0")?.weight).toBeGreaterThanOrEqual(0.8);
    expect(isPast({ name: "x", status: "CrashLoopBackOff", ready: "0/1", restarts: 3, reasons: ["CrashLoopBackOff"], lastReasons: ["OOMKilled"], exitCodes: [137], node: null, lastRestartAgeSeconds: 9000 })).toBe(false);
  });
});

describe("workers that exist but none is ready", () => {
  const backlog = issue("REDIS_CRITICAL_USAGE", "The Redis instance is at 80%");
  const deployments = { items: [{ kind: "Deployment", metadata: { name: "invoice-render-workers" }, spec: { replicas: 2 }, status: { replicas: 2, readyReplicas: 0 } }] };
  const candidate = (key: string, subject: string | undefined, weight: number) => ({ key, subject, weight, cause: key, appOrInfra: "app" as const, tool: "t" });

  it("the pods' own cause explains the backlog through that deployment and the task it polls", async () => {
    const { analyzeDeployments } = await import("../../src/rules/judge/analyzers/analyze-deployments.ts");
    const unavailable = analyzeDeployments.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }], [backlog])).candidates;
    expect(unavailable).toContainEqual(expect.objectContaining({ key: "workers-unavailable", subject: "invoice-render-workers", fact: "invoice-render-workers: 0/2 replicas ready" }));
    const verdict = rankAlongGraph([...unavailable, candidate("image-pull", "invoice-render-workers-5d8c7b9f6-q2w3e", 0.85), candidate("tasks-unpolled", "render_invoice_pdf", 0.7), candidate("backlog", undefined, 0.85)], [backlog]);
    expect(verdict.root?.node.id).toBe("image-pull");
  });

  it("another workload's trouble, or a deployment that is not seen unready, explains nothing through it", async () => {
    const { sameThing } = await import("../../src/rules/judge/rank-along-graph.ts");
    expect(sameThing("invoice-render-workers", "render_invoice_pdf")).toBe(true);
    expect(sameThing("shipment-workers", "rate_quote_fetch")).toBe(false);
    const foreign = rankAlongGraph([candidate("workers-unavailable", "invoice-render-workers", 0.6), candidate("image-pull", "audit-log-shipper-5d8c7b9f6-q2w3e", 0.85), candidate("backlog", undefined, 0.85)], [backlog]);
    expect(foreign.root?.node.id).not.toBe("image-pull");
    const unseen = rankAlongGraph([candidate("memory-limit", "invoice-render-workers-5d8c7b9f6-q2w3e", 0.85), candidate("tasks-unpolled", "render_invoice_pdf", 0.7), candidate("backlog", undefined, 0.85)], [backlog]);
    expect(unseen.root?.node.id).not.toBe("memory-limit");
  });
});

describe("confidence on a template cause", () => {
  it("an OOMKilled reading ('its limit is too low') is never high, however strong; the same root without the flag is", async () => {
    const { confidenceOf } = await import("../../src/rules/compose/compose-report.ts");
    const { analyzePodStatuses } = await import("../../src/rules/judge/analyzers/analyze-pod-statuses.ts");
    const pods = { items: [{ name: "metrics-store-0", status: "CrashLoopBackOff", ready: "0/1", restarts: 6, lastState: "OOMKilled" }] };
    const alert = [issue("POD_RESTARTED", "Pod restarted - metrics-store-0", "CRITICAL", "metrics-store-0")];
    const oom = analyzePodStatuses.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }], alert)).candidates.filter((c) => c.key === "memory-limit");
    expect(oom[0]?.template).toBe(true);
    expect(confidenceOf(rankAlongGraph(oom, alert), 0)).toBe("medium");
    // The flag is what holds a first cause at medium (memory-limit itself has a cause upstream: heap headroom).
    const firstCause = oom.map((c) => ({ ...c, key: "eviction" }));
    expect(confidenceOf(rankAlongGraph(firstCause, alert), 0)).toBe("medium");
    expect(confidenceOf(rankAlongGraph(firstCause.map(({ template: _t, ...c }) => c), alert), 0)).toBe("high");
  });
});

describe("a domain that does not resolve while its ingress has an address", () => {
  it("reads the DNS record controller's logs and quotes its denial as the cause", async () => {
    const { planFollowUps } = await import("../../src/rules/investigate/plan-follow-ups.ts");
    const { analyzeControllerLogs } = await import("../../src/rules/judge/analyzers/analyze-controller-logs.ts");
    const { extractPods } = await import("../../src/rules/read/read-pods.ts");
    const podsText = "NAME                            READY   STATUS    RESTARTS   AGE\nexternal-dns-7c8d9e6f5-h2j3k    1/1     Running   0          9d\n";
    const ingress = { items: [{ kind: "Ingress", metadata: { name: "portal" }, spec: { rules: [{ host: "portal.example.org" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb-123.elb.amazonaws.com" }] } } }] };
    const alert = [issue("DOMAIN_RESOLUTION", "The domain portal.example.org has not been resolved")];
    const evidence = evidenceOf([{ tool: "get_ingress_info", data: ingress }, { tool: "get_pods_data", data: podsText }], alert);
    const calls = planFollowUps(evidence, extractPods(podsText, podsText), 5);
    expect(calls).toContainEqual({ tool: "pull_pod_logs", args: { pod: "external-dns-7c8d9e6f5-h2j3k", lines: expect.any(Number) } });
    const logs = 'time="2026-03-02T10:00:00Z" level=error msg="Failed to submit change batch for zone example.org: AccessDenied: not authorized to perform: route53:ChangeResourceRecordSets"\n';
    const { candidates } = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "external-dns-7c8d9e6f5-h2j3k" }, data: logs }], alert));
    expect(candidates[0]).toMatchObject({ key: "dns-record" });
    expect(candidates[0]?.cause).toContain("AccessDenied: not authorized to perform: route53:ChangeResourceRecordSets");
  });
});

describe("the head of a Postgres lock chain", () => {
  it("is the blocking pid that waits on no one, with its client and state from pg_stat_activity", async () => {
    const { analyzeLockHolders } = await import("../../src/rules/judge/analyzers/analyze-lock-holders.ts");
    const locks = { columns: ["blocked_pid", "blocked_query", "blocking_pid", "relation"], rows: [[7001, "VACUUM FULL orders", 6999, "orders"], [7002, "SELECT * FROM orders WHERE id = $1", 7001, "orders"]] };
    const activity = [{ pid: 6999, usename: "etl_batch", application_name: "nightly-export", state: "idle in transaction", xact_age: "03:10:00" }];
    const { candidates } = analyzeLockHolders.analyze(evidenceOf([{ tool: "run_sql_select", data: locks }, { tool: "run_sql_select", data: activity }]));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "db-lock-holder", weight: 0.9 });
    expect(candidates[0]?.cause).toMatch(/^Postgres session pid 6999 \(etl_batch, nightly-export, idle in transaction, transaction open 03:10:00\) holds a lock on orders that "VACUUM FULL orders" waits for/);
    expect(analyzeLockHolders.analyze(evidenceOf([{ tool: "run_sql_select", data: activity }])).candidates).toEqual([]);
  });
});

describe("payload sizes written in bytes", () => {
  it("a task output given as '41,230,118 bytes' is an oversized payload in MB", async () => {
    const { scanWorkload } = await import("../../src/rules/read/scan-workload.ts");
    const line = "2026-03-02 11:00:02.000  WARN 1 --- [sweeper] c.n.c.core.Payloads : Task output of render_pages (workflow book_export) is 41,230,118 bytes; external payload storage is disabled, keeping it inline";
    const scan = scanWorkload(`${line}\n${line}\n`);
    expect(scan.payloads?.count).toBe(2);
    expect(scan.payloads?.externalStorageOff).toBe(true);
    expect(scanWorkload("INFO output flushed: 512 bytes\n").payloads).toBeNull();
  });
});

describe("a crash loop whose logs could not be read", () => {
  it("asks for a replica's logs only then", async () => {
    const { planLeadCalls } = await import("../../src/rules/investigate/follow-leads.ts");
    const { extractPods } = await import("../../src/rules/read/read-pods.ts");
    const pods = extractPods(PODS, PODS);
    const made = new Set(['pull_pod_logs [["pod","ledger-sync-5d8c7b9f6-q2w3e"]]']);
    const ctx = { open: new Set(["crash"]), pods, pendingTask: null, made };
    const replica = (steps: { args: Record<string, unknown> }[]) => steps.some((s) => s.args.pod === "ledger-sync-5d8c7b9f6-r4t5y");
    expect(replica(planLeadCalls(ctx, 10))).toBe(false);
    expect(replica(planLeadCalls({ ...ctx, unreadPods: new Set(["ledger-sync-5d8c7b9f6-q2w3e"]) }, 10))).toBe(true);
  });
});

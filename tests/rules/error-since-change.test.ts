import { describe, expect, it } from "vitest";
import { analyzeChallengeRedirect } from "../../src/rules/judge/analyzers/analyze-challenge-redirect.ts";
import { analyzeErrorSinceChange } from "../../src/rules/judge/analyzers/analyze-error-since-change.ts";
import { analyzeLbHealthCheck } from "../../src/rules/judge/analyzers/analyze-lb-health-check.ts";
import { analyzeLogExceptions } from "../../src/rules/judge/analyzers/analyze-log-exceptions.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { confidenceOf } from "../../src/rules/compose/compose-report.ts";
import { extractDeployments } from "../../src/rules/read/read-deployments.ts";
import { planLeadCalls } from "../../src/rules/investigate/follow-leads.ts";
import { RECOVERY_QUERY } from "../../src/playbook/leads.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import type { CauseCandidate } from "../../src/rules/types.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const candidate = (key: string, weight: number, subject?: string): CauseCandidate => ({ key, cause: key, weight, appOrInfra: "infra", tool: "t", ...(subject ? { subject } : {}) });

describe("an ACME HTTP-01 challenge answered by an auth rule on the ingress", () => {
  const certManagerLog = [
    'I0402 10:00:01.1 1 pod.go:71] "creating HTTP01 challenge solver pod" dnsName="api.orbit.example" type="HTTP-01"',
    'E0402 10:00:06.5 1 sync.go:190] "propagation check failed" err="wrong status code \'307\', expected \'200\'" resource_kind="Challenge" dnsName="api.orbit.example" type="HTTP-01"',
  ].join("\n");
  const ingresses = (annotations: Record<string, string>) => ({
    items: [{ metadata: { name: "orbit-api", annotations }, spec: { rules: [{ host: "api.orbit.example" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } }],
  });

  it("names the auth annotation and the change note, upstream of the renewal failure and still a first cause", () => {
    const evidence = evidenceOf([
      { tool: "get_ingress_info", data: ingresses({ "nginx.ingress.kubernetes.io/auth-url": "https://sso.orbit.example/check", "orbit.example/change": "OPS-7 put SSO in front of every host" }) },
      { tool: "pull_pod_logs", input: { pod: "cert-manager-5f6d7c8b9-abcde" }, data: certManagerLog },
    ]);
    const { candidates, findings } = analyzeChallengeRedirect.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.key).toBe("challenge-blocked");
    expect(candidates[0]?.cause).toContain("gets 307 instead of 200");
    expect(candidates[0]?.cause).toContain("nginx.ingress.kubernetes.io/auth-url=https://sso.orbit.example/check");
    expect(candidates[0]?.cause).toContain('"OPS-7 put SSO in front of every host"');
    expect(findings.map((f) => f.key)).toEqual(["challenge-blocked", "challenge-blocked"]);
    const verdict = rankAlongGraph([candidates[0] as CauseCandidate, candidate("certificate", 0.88)], [issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "certificate expires in less than 14 days", "WARNING")]);
    expect(verdict.root?.node.id).toBe("challenge-blocked");
    // certificate → challenge-blocked only refines the same evidence: a certificate root stays a first cause.
    const alone = rankAlongGraph([candidate("certificate", 0.88)], [issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "certificate expires soon", "WARNING")]);
    expect(confidenceOf(alone, 0)).toBe("high");
  });

  it("a 403 from a source-address allowlist, read from the Certificate's own status", () => {
    const evidence = evidenceOf([
      {
        tool: "get_ingress_info",
        data: {
          ...ingresses({ "nginx.ingress.kubernetes.io/whitelist-source-range": "10.0.0.0/8" }),
          certificates: [{ name: "orbit-tls", ready: false, lastFailure: "Waiting for HTTP-01 challenge propagation: wrong status code '403', expected '200'" }],
        },
      },
    ]);
    const [found] = analyzeChallengeRedirect.analyze(evidence).candidates;
    expect(found?.cause).toContain("gets 403 instead of 200");
    expect(found?.cause).toContain("source-allowlist annotation nginx.ingress.kubernetes.io/whitelist-source-range=10.0.0.0/8");
  });

  it("nothing when the ingress carries no auth rule, or the check failed for another reason", () => {
    const plain = evidenceOf([
      { tool: "get_ingress_info", data: ingresses({ "kubernetes.io/ingress.class": "nginx" }) },
      { tool: "pull_pod_logs", input: { pod: "cert-manager-5f6d7c8b9-abcde" }, data: certManagerLog },
    ]);
    expect(analyzeChallengeRedirect.analyze(plain).candidates).toEqual([]);
    const dnsFailure = evidenceOf([
      { tool: "get_ingress_info", data: ingresses({ "nginx.ingress.kubernetes.io/auth-url": "https://sso.orbit.example/check" }) },
      { tool: "pull_pod_logs", input: { pod: "cert-manager-5f6d7c8b9-abcde" }, data: 'E0402 10:00:06.5 1 sync.go:190] "propagation check failed" err="DNS record for \\"api.orbit.example\\" not yet propagated"' },
    ]);
    expect(analyzeChallengeRedirect.analyze(dnsFailure).candidates).toEqual([]);
  });
});

describe("a load balancer whose targets fail its health check on a path the pods do not serve", () => {
  const ingress = (states: string[]) => ({
    items: [{ metadata: { name: "web", annotations: { "alb.ingress.kubernetes.io/healthcheck-path": "/status" } }, spec: { rules: [{ host: "web.example" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } }],
    targetGroups: [{ name: "tg-web", healthCheck: { path: "/status" }, targets: states.map((state, i) => ({ ip: `10.1.0.${i + 1}`, state, reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [404]" })) }],
  });
  const deployments = {
    deployments: [{ name: "web-api", ready: "2/2", image: "acme/web-api:3.0.0", previousImage: "acme/web-api:2.9.1", readinessProbe: { httpGet: { path: "/internal/ready", port: 8080 } } }],
  };

  it("quotes the target health, both paths, the annotation and the rollout", () => {
    const evidence = evidenceOf([
      { tool: "get_ingress_info", data: ingress(["unhealthy", "unhealthy"]) },
      { tool: "get_deployments_info", data: deployments },
    ]);
    const { candidates } = analyzeLbHealthCheck.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "lb-health-check", weight: 0.9 });
    expect(candidates[0]?.cause).toContain("requests /status and gets 404 from 2 of 2 targets");
    expect(candidates[0]?.cause).toContain("web-api's pods serve their health endpoint at /internal/ready");
    expect(candidates[0]?.cause).toContain("alb.ingress.kubernetes.io/healthcheck-path");
    expect(candidates[0]?.cause).toContain("acme/web-api:2.9.1 → acme/web-api:3.0.0");
    const verdict = rankAlongGraph([candidates[0] as CauseCandidate, candidate("certificate", 0.88)], [
      issue("DOMAIN_REACHABILITY", "The domain web.example is down: HTTP 503"),
      issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "certificate expires in less than 21 days", "WARNING"),
    ]);
    expect(verdict.root?.node.id).toBe("lb-health-check");
  });

  it("without target health, the health checker's own requests in the pods' access logs", () => {
    const access = [
      '10.1.0.9 - - "GET /status HTTP/1.1" 404 0 "ELB-HealthChecker/2.0"',
      '10.1.0.5 - - "GET /internal/ready HTTP/1.1" 200 12 "kube-probe/1.30"',
      '10.1.0.9 - - "GET /status HTTP/1.1" 404 0 "ELB-HealthChecker/2.0"',
    ].join("\n");
    const evidence = evidenceOf([
      { tool: "get_ingress_info", data: { items: [{ metadata: { name: "web" }, spec: { rules: [{ host: "web.example" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } }] } },
      { tool: "get_deployments_info", data: deployments },
      { tool: "pull_pod_logs", input: { pod: "web-api-5c6d7e8f9-abcde" }, data: access },
    ]);
    const [found] = analyzeLbHealthCheck.analyze(evidence).candidates;
    expect(found?.cause).toContain("requests /status and gets 404 from every one of the health checker's 2 requests");
    expect(found?.cause).toContain("serve their health endpoint at /internal/ready");
  });

  it("a timeout does not blame the path; targets down behind crashing backend pods are the pods' story", () => {
    const timedOut = ingress(["unhealthy", "unhealthy"]);
    for (const target of timedOut.targetGroups[0]?.targets ?? []) Object.assign(target, { reason: "Target.Timeout", description: "Request timed out" });
    const [found] = analyzeLbHealthCheck.analyze(evidenceOf([{ tool: "get_ingress_info", data: timedOut }, { tool: "get_deployments_info", data: deployments }])).candidates;
    expect(found?.weight).toBe(0.7);
    expect(found?.cause).not.toContain("still points at");
    const withBackend = ingress(["unhealthy", "unhealthy"]);
    Object.assign(withBackend.items[0]?.spec.rules[0] ?? {}, { http: { paths: [{ path: "/", backend: { service: { name: "web-api", port: { number: 8080 } } } }] } });
    const crashing = "NAME                       READY   STATUS             RESTARTS   AGE\nweb-api-5c6d7e8f9-abcde   0/1     CrashLoopBackOff   8          1h\n";
    expect(analyzeLbHealthCheck.analyze(evidenceOf([{ tool: "get_ingress_info", data: withBackend }, { tool: "get_deployments_info", data: deployments }, { tool: "get_pods_data", data: crashing }])).candidates).toEqual([]);
  });

  it("nothing while some target is healthy", () => {
    const evidence = evidenceOf([{ tool: "get_ingress_info", data: ingress(["healthy", "unhealthy"]) }, { tool: "get_deployments_info", data: deployments }]);
    expect(analyzeLbHealthCheck.analyze(evidence).candidates).toEqual([]);
  });
});

describe("an error that names its mechanism, since the change that brought it", () => {
  const pods = "NAME                         READY   STATUS             RESTARTS   AGE\nparcel-api-6c7d8e9f5-k2l3m   0/1     CrashLoopBackOff   9          5h\nsecrets-sync-5b6c7d8e9-q1w2e   1/1   Running   0   40d\nvault-agent-7d8e9f6a5-z9x8c   1/1   Running   0   40d\n";
  const fdLogs = [
    "2026-04-02 09:00:00.000  WARN 1 --- [pool] o.e.http.Client : connection to https://partner.example was leaked, close the body",
    "2026-04-02 09:40:00.000 ERROR 1 --- [main] c.a.parcel.Api : request failed",
    "java.net.SocketException: Too many open files",
    "\tat java.base/sun.nio.ch.Net.socket0(Native Method)",
  ].join("\n");

  it("Too many open files: a descriptor leak since the workload's rollout, upstream of the crash error", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "parcel-api-6c7d8e9f5-k2l3m" }, data: fdLogs },
      { tool: "get_deployments_info", data: { deployments: { "parcel-api": { replicas: "0/3", image: "acme/parcel-api:5.0.0", previousImage: "acme/parcel-api:4.2.0", changeCause: "bump http client 2 -> 3" } } } },
    ]);
    const { candidates } = analyzeErrorSinceChange.analyze(evidence);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.key).toBe("fd-leak");
    expect(candidates[0]?.cause).toContain('"java.net.SocketException: Too many open files"');
    expect(candidates[0]?.cause).toContain("descriptor/connection leak");
    expect(candidates[0]?.cause).toContain("was leaked");
    expect(candidates[0]?.cause).toContain('since the rollout of parcel-api: "bump http client 2 -> 3; image acme/parcel-api:4.2.0 → acme/parcel-api:5.0.0"');
    expect(candidates[0]?.weight).toBeGreaterThanOrEqual(0.8);
    const verdict = rankAlongGraph([candidates[0] as CauseCandidate, candidate("startup-error", 0.8, "parcel-api-6c7d8e9f5-k2l3m")], [issue("WORKERS_HEALTHY", "Workers have failed: 0/3 pods of parcel-api are Ready")]);
    expect(verdict.root?.node.id).toBe("fd-leak");
  });

  it("without a recorded change, the mechanism alone, at medium weight", () => {
    const { candidates } = analyzeErrorSinceChange.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "parcel-api-6c7d8e9f5-k2l3m" }, data: fdLogs }]));
    expect(candidates[0]).toMatchObject({ key: "fd-leak", weight: 0.6 });
    expect(candidates[0]?.cause).not.toContain("since");
  });

  it("a read-only transaction: the failover, and the datasource host that is no longer the writer", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "conductor-server-5d6e7f8a9-aaaaa" }, data: "2026-04-02 03:12:00.000 ERROR 1 --- [exec-1] c.n.c.Dao : insert failed\norg.postgresql.util.PSQLException: ERROR: cannot execute UPDATE in a read-only transaction\n" },
      { tool: "get_deployments_info", data: { deployments: [{ name: "conductor-server", image: "orkesio/orkes-conductor-server:5.1.0", env: [{ name: "DB_URL", value: "jdbc:postgresql://main-db-a.abc.rds.example:5432/conductor" }] }] } },
      { tool: "get_infrastructure_metrics", data: { database: { members: [{ instance: "main-db-a", isClusterWriter: false }, { instance: "main-db-b", isClusterWriter: true }], recentEvents: [{ time: "2026-04-02T03:10:00Z", message: "Completed failover to DB instance: main-db-b" }] } } },
    ]);
    const { candidates } = analyzeErrorSinceChange.analyze(evidence);
    expect(candidates[0]?.key).toBe("db-read-only");
    expect(candidates[0]?.cause).toContain('"org.postgresql.util.PSQLException: ERROR: cannot execute UPDATE in a read-only transaction"');
    expect(candidates[0]?.cause).toContain('since the failover (2026-04-02T03:10:00Z: "Completed failover to DB instance: main-db-b")');
    expect(candidates[0]?.cause).toContain("its datasource still names main-db-a, now a reader (the old primary)");
    const verdict = rankAlongGraph([candidates[0] as CauseCandidate, candidate("database", 0.7)], [issue("CONDUCTOR_HEALTHY", "Conductor has failed")]);
    expect(verdict.root?.node.id).toBe("db-read-only");
  });

  it("a failover told by the database's own pod logs, or a datasource on a read-only endpoint", () => {
    const serverLog = { tool: "pull_pod_logs", input: { pod: "conductor-server-5d6e7f8a9-aaaaa" }, data: "2026-04-02 03:12:00.000 ERROR 1 --- [exec-1] c.n.c.Dao : insert failed\norg.postgresql.util.PSQLException: ERROR: cannot execute INSERT in a read-only transaction\n" };
    const patroni = { tool: "pull_pod_logs", input: { pod: "pg-main-0" }, data: "2026-04-02 03:10:05 UTC INFO: promoted self to leader by acquiring session lock\n2026-04-02 03:11:00 UTC INFO: no action. I am (pg-main-1), a secondary, and following a leader\n" };
    const byLogs = analyzeErrorSinceChange.analyze(evidenceOf([serverLog, patroni])).candidates[0];
    expect(byLogs?.cause).toContain('since the failover (2026-04-02T03:10:05Z: "promoted self to leader by acquiring session lock")');
    const readerUrl = { tool: "get_deployments_info", data: { deployments: [{ name: "conductor-server", image: "orkesio/orkes-conductor-server:5.1.0", env: [{ name: "DB_URL", value: "jdbc:postgresql://main-db-ro.db.svc:5432/conductor" }] }] } };
    const byHost = analyzeErrorSinceChange.analyze(evidenceOf([serverLog, readerUrl])).candidates[0];
    expect(byHost?.cause).toContain("its datasource DB_URL names main-db-ro, a read-only endpoint");
  });

  it("a Secret listed with its own update time after the rollout", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "events-server-7f8e9d6c5-bbbbb" }, data: '2026-04-02 02:00:20 ERROR 1 --- [bus] o.e.Bus : connect failed: invalid credentials\n' },
      { tool: "get_deployments_info", data: { deployments: [{ deployment: "events-server", image: "acme/events:1.0", envFrom: ["secret/bus-credentials"], updated: "2026-03-20T08:00:00Z" }], secrets: [{ kind: "Secret", name: "bus-credentials", lastUpdated: "2026-04-02T01:59:00Z" }] } },
    ]);
    const stale = analyzeErrorSinceChange.analyze(evidence).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain("the Secret bus-credentials was updated at 2026-04-02T01:59:00Z while the pods date from 2026-03-20T08:00:00Z");
  });

  it("the SQL answer that the database reached is in recovery joins the cause; the read-only lead asks for it", () => {
    const serverLog = { tool: "pull_pod_logs", input: { pod: "conductor-server-5d6e7f8a9-aaaaa" }, data: "2026-04-02 03:12:00.000 ERROR 1 --- [exec-1] c.n.c.Dao : insert failed\norg.postgresql.util.PSQLException: ERROR: cannot execute INSERT in a read-only transaction\n" };
    const sql = { tool: "run_sql_select", input: { query: RECOVERY_QUERY }, data: { columns: ["in_recovery", "read_only", "server"], rows: [[true, "on", "10.0.3.7"]] } };
    const [found] = analyzeErrorSinceChange.analyze(evidenceOf([serverLog, sql])).candidates;
    expect(found?.cause).toContain("(the database it reaches: in_recovery: true)");
    const steps = planLeadCalls({ open: new Set(["db-read-only"]), pods: [], pendingTask: null, made: new Set() }, 5);
    expect(steps.map((s) => s.tool)).toEqual(["get_deployments_info", "get_infrastructure_metrics", "run_sql_select"]);
    expect(steps[2]?.args.query).toBe(RECOVERY_QUERY);
  });

  const authLogs = '{"@timestamp":"2026-04-02T02:00:20Z","log.level":"ERROR","message":"publish failed","error.type":"org.example.bus.AuthenticationException","error.message":"invalid credentials for client evt"}\n';
  const serverDeployment = (updated: string) => ({ deployments: [{ deployment: "events-server", ready: "2/2", image: "acme/events:1.0", envFrom: ["secret/bus-credentials"], updated }] });
  const syncLog = '{"level":"info","ts":1775095210,"msg":"secret updated","secret":"[redacted]","keys":["password"]}\n';

  it("rejected credentials just after a secret-sync controller updated a Secret the pods read at start", () => {
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "events-server-7f8e9d6c5-bbbbb" }, data: authLogs },
      { tool: "get_deployments_info", data: serverDeployment("2026-03-20T08:00:00Z") },
      { tool: "pull_pod_logs", input: { pod: "external-secrets-6a7b8c9d5-ccccc" }, data: syncLog },
    ]);
    const stale = analyzeErrorSinceChange.analyze(evidence).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain('"org.example.bus.AuthenticationException: invalid credentials for client evt"');
    expect(stale?.cause).toContain("events-server reads bus-credentials");
    expect(stale?.cause).toContain("at 2026-04-02T02:00:10Z, just before the first failure at 2026-04-02T02:00:20Z");
    expect(stale?.cause).toContain("still hold the old ones");
  });

  it("pods that started after the update read the rotated credentials: the rotation left the two sides out of sync", () => {
    const rolledAfter = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "events-server-7f8e9d6c5-bbbbb" }, data: authLogs },
      { tool: "get_deployments_info", data: serverDeployment("2026-04-02T02:00:15Z") },
      { tool: "pull_pod_logs", input: { pod: "external-secrets-6a7b8c9d5-ccccc" }, data: syncLog },
    ]);
    const stale = analyzeErrorSinceChange.analyze(rolledAfter).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain("read the rotated credentials, which are rejected: the rotation left the Secret and the service it authenticates to out of sync");
    expect(stale?.cause).not.toContain("still hold the old ones");
  });

  it("a rejected database password after a Secret update recorded in the pod's events, upstream of the crash error", () => {
    const pods = "NAME                               READY   STATUS             RESTARTS   AGE\nconductor-server-5d6e7f8a9-aaaaa   0/1     CrashLoopBackOff   6          3d\n";
    const evidence = evidenceOf([
      { tool: "get_pods_data", data: pods },
      { tool: "pull_pod_logs", input: { pod: "conductor-server-5d6e7f8a9-aaaaa" }, data: '2026-04-02 03:12:00 ERROR 1 --- [main] o.h.Pool : init failed\norg.postgresql.util.PSQLException: FATAL: password authentication failed for user "app"\n' },
      { tool: "get_pod_events", input: { pod: "conductor-server-5d6e7f8a9-aaaaa" }, data: "LAST SEEN   TYPE     REASON    OBJECT              MESSAGE\n40m   Normal   Updated   secret/app-db   Secret updated by the rotation job\n" },
      { tool: "get_deployments_info", data: { deployments: [{ name: "conductor-server", image: "orkesio/orkes-conductor-server:5.1.0", env: [{ name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "app-db", key: "password" } } }] }] } },
    ]);
    const stale = analyzeErrorSinceChange.analyze(evidence).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain("password authentication failed");
    expect(stale?.cause).toContain("since the Secret app-db was updated");
    expect(stale?.cause).toContain("CrashLoopBackOff, 6 restarts");
    const verdict = rankAlongGraph([stale as CauseCandidate, candidate("db-credentials", 0.85), candidate("startup-error", 0.8, "conductor-server-5d6e7f8a9-aaaaa")], [issue("CONDUCTOR_HEALTHY", "Conductor has failed")]);
    expect(verdict.root?.node.id).toBe("stale-secret");
  });

  it("rejected credentials open a lead to the deployments and the secret-sync controller's logs", () => {
    const steps = planLeadCalls({ open: new Set(["credentials-rejected"]), pods: extractPods(pods, pods), pendingTask: null, made: new Set() }, 5);
    expect(steps.map((s) => [s.tool, s.args.pod ?? null])).toEqual([
      ["get_deployments_info", null],
      ["pull_pod_logs", "vault-agent-7d8e9f6a5-z9x8c"],
    ]);
  });
});

describe("more errors that name their mechanism", () => {
  const rollout = { tool: "get_deployments_info", data: { deployments: [{ name: "billing-api", image: "acme/billing:8.0.0", previousImage: "acme/billing:7.4.2", changeCause: "release 8.0" }] } };
  const logsOf = (lines: string[]) => ({ tool: "pull_pod_logs", input: { pod: "billing-api-6d7e8f9a5-xyz12" }, data: lines.join("\n") });

  it("a column that does not exist since the rollout: a schema migration mismatch", () => {
    const logs = logsOf(["2026-04-02 10:00:00 ERROR 1 --- [exec-2] c.a.b.Repo : query failed", 'org.postgresql.util.PSQLException: ERROR: column "invoice_ref" does not exist']);
    const [found] = analyzeErrorSinceChange.analyze(evidenceOf([logs, rollout])).candidates;
    expect(found?.key).toBe("schema-mismatch");
    expect(found?.cause).toContain("a migration not applied");
    expect(found?.cause).toContain('since the rollout of billing-api: "release 8.0; image acme/billing:7.4.2 → acme/billing:8.0.0"');
  });

  it("a linkage error since the rollout: libraries out of step", () => {
    const logs = logsOf(["2026-04-02 10:00:00 ERROR 1 --- [main] o.s.b.SpringApplication : Application run failed", "java.lang.NoSuchMethodError: 'void com.fasterxml.jackson.core.JsonParser.close(boolean)'"]);
    const [found] = analyzeErrorSinceChange.analyze(evidenceOf([logs, rollout])).candidates;
    expect(found).toMatchObject({ key: "library-conflict", weight: 0.75 });
    const verdict = rankAlongGraph([found as CauseCandidate, candidate("startup-error", 0.8, "billing-api-6d7e8f9a5-xyz12")], [issue("POD_RESTARTED", "Pod has been restarted 6 times - billing-api-6d7e8f9a5-xyz12", "MAJOR", "billing-api-6d7e8f9a5-xyz12")]);
    expect(verdict.root?.node.id).toBe("library-conflict");
  });

  it("a TLS trust failure since the truststore Secret changed (tried before the rollout)", () => {
    const logs = logsOf(["2026-04-02 10:00:30 ERROR 1 --- [exec-2] c.a.b.Gateway : call failed", "javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path to requested target"]);
    const deployments = { tool: "get_deployments_info", data: { deployments: [{ name: "billing-api", image: "acme/billing:8.0.0", volumes: [{ name: "trust", secret: { secretName: "billing-truststore" } }], updated: "2026-03-01T00:00:00Z" }] } };
    const sync = { tool: "pull_pod_logs", input: { pod: "vault-agent-7d8e9f6a5-z9x8c" }, data: "2026-04-02T10:00:05Z INFO rendered and updated secret billing-truststore from pki/issue\n" };
    const [found] = analyzeErrorSinceChange.analyze(evidenceOf([logs, deployments, sync])).candidates;
    expect(found?.key).toBe("tls-trust");
    expect(found?.cause).toContain("the Secret billing-truststore was updated at 2026-04-02T10:00:05Z");
  });

  it("401 Unauthorized polls since a Secret the workers read was updated after their pods started", () => {
    const logs = { tool: "pull_pod_logs", input: { pod: "label-workers-5f6a7b8c9-q1q1q" }, data: "2026-04-02 10:01:00 ERROR poller: poll failed: HTTP 401 Unauthorized\n2026-04-02 10:01:05 ERROR poller: poll failed: HTTP 401 Unauthorized\n" };
    const deployments = { tool: "get_deployments_info", data: { deployments: [{ name: "label-workers", image: "acme/labels:2.0", env: [{ name: "CONDUCTOR_AUTH_SECRET", valueFrom: { secretKeyRef: { name: "conductor-app-key", key: "secret" } } }], updated: "2026-03-01T00:00:00Z" }] } };
    const sync = { tool: "pull_pod_logs", input: { pod: "external-secrets-6a7b8c9d5-ccccc" }, data: "2026-04-02T10:00:40Z INFO secret updated conductor/conductor-app-key\n" };
    const stale = analyzeErrorSinceChange.analyze(evidenceOf([logs, deployments, sync])).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain("the Secret conductor-app-key was updated at 2026-04-02T10:00:40Z");
    const verdict = rankAlongGraph([stale as CauseCandidate, candidate("worker-auth", 0.75, "label-workers-5f6a7b8c9-q1q1q")], [issue("WORKERS_HEALTHY", "Workers have failed")]);
    expect(verdict.root?.node.id).toBe("stale-secret");
  });

  it("one stray linkage error among many other errors names no mechanism", () => {
    const lines = ["2026-04-02 10:00:00 ERROR 1 --- [exec-2] c.a.b.Repo : java.lang.ClassNotFoundException: com.acme.optional.Plugin"];
    for (let i = 0; i < 6; i += 1) lines.push(`2026-04-02 10:00:0${i} ERROR 1 --- [exec-2] c.a.b.Api : order ${i} rejected by the payment provider`);
    expect(analyzeErrorSinceChange.analyze(evidenceOf([logsOf(lines), rollout])).candidates).toEqual([]);
  });
});

describe("any dominant exception that began just after its workload's rollout", () => {
  const logs = (day: string) => ({
    tool: "pull_pod_logs",
    input: { pod: "orders-api-6d7e8f9a5-xyz12" },
    data: [`${day} 10:00:00.000 ERROR 1 --- [exec-1] c.a.o.Api : failed`, "java.lang.IllegalStateException: order state SHIPPED not mapped", `${day} 10:00:05.000 ERROR 1 --- [exec-2] c.a.o.Api : failed`, "java.lang.IllegalStateException: order state SHIPPED not mapped"].join("\n"),
  });
  const deployments = { tool: "get_deployments_info", data: { deployments: [{ name: "orders-api", image: "acme/orders:3.1.0", previousImage: "acme/orders:3.0.4", updated: "2026-04-02T08:30:00Z" }] } };

  it("says since the rollout when the error first appears within a day after it", () => {
    const [found] = analyzeLogExceptions.analyze(evidenceOf([logs("2026-04-02"), deployments])).candidates;
    expect(found?.cause).toContain('since the rollout of orders-api at 2026-04-02T08:30:00Z: "image acme/orders:3.0.4 → acme/orders:3.1.0"');
  });

  it("says nothing of a rollout long before the error, or after it", () => {
    expect(analyzeLogExceptions.analyze(evidenceOf([logs("2026-04-09"), deployments])).candidates[0]?.cause).not.toContain("since the rollout");
    expect(analyzeLogExceptions.analyze(evidenceOf([logs("2026-04-01"), deployments])).candidates[0]?.cause).not.toContain("since the rollout");
  });
});

describe("a rollout recorded only in helm history", () => {
  it("is the workload's when the revision deployed the version its image runs", () => {
    const helm = "REVISION  UPDATED                   STATUS      CHART            APP VERSION  DESCRIPTION\n6         2026-03-30T09:00:00Z      superseded  shop-2.1.0       4.1.0        Upgrade complete\n7         2026-04-02T08:00:00Z      deployed    shop-3.0.0       5.0.0        Upgrade complete\n";
    const evidence = evidenceOf([
      { tool: "pull_pod_logs", input: { pod: "shop-api-6d7e8f9a5-xyz12" }, data: "2026-04-02 09:00:00 ERROR 1 --- [main] c.a.S : boot failed\njava.lang.NoClassDefFoundError: com/acme/legacy/Money\n" },
      { tool: "get_deployments_info", data: { helmHistory: helm, deployments: [{ name: "shop-api", image: "acme/shop-api:5.0.0" }] } },
    ]);
    const [found] = analyzeErrorSinceChange.analyze(evidence).candidates;
    expect(found?.key).toBe("library-conflict");
    expect(found?.cause).toContain('since the rollout of shop-api at 2026-04-02T08:00:00Z: helm revision 7 (chart shop-2.1.0 → shop-3.0.0, app version 4.1.0 → 5.0.0)');
  });
});

describe("kubectl describe text", () => {
  it("reads the Secrets a described deployment references and its probe path", () => {
    const described = [
      "Name:                   events-server",
      "Namespace:              apps",
      "    Image:      acme/events:1.0",
      "    Readiness:  http-get http://:8080/internal/ready delay=5s timeout=1s period=10s",
      "    Environment Variables from:",
      "      bus-credentials  Secret  Optional: false",
      "    Environment:",
      "      DB_PASSWORD:  <set to the key 'password' in secret 'events-db'>  Optional: false",
    ].join("\n");
    const logs = { tool: "pull_pod_logs", input: { pod: "events-server-7f8e9d6c5-bbbbb" }, data: "2026-04-02 02:00:20 ERROR 1 --- [bus] o.e.Bus : connect failed: invalid credentials\n" };
    const sync = { tool: "pull_pod_logs", input: { pod: "external-secrets-6a7b8c9d5-ccccc" }, data: "2026-04-02T02:00:05Z INFO secret updated apps/events-db\n" };
    const stale = analyzeErrorSinceChange.analyze(evidenceOf([logs, { tool: "get_deployments_info", data: described }, sync])).candidates.find((c) => c.key === "stale-secret");
    expect(stale?.cause).toContain("the Secret events-db was updated at 2026-04-02T02:00:05Z");
    const ingress = { items: [{ metadata: { name: "web" }, spec: { rules: [{ host: "web.example" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb.example" }] } } }], targetGroups: [{ name: "tg", healthCheck: { path: "/health" }, targets: [{ state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [404]" }] }] };
    const [lb] = analyzeLbHealthCheck.analyze(evidenceOf([{ tool: "get_ingress_info", data: ingress }, { tool: "get_deployments_info", data: described }])).candidates;
    expect(lb?.cause).toContain("events-server's pods serve their health endpoint at /internal/ready (readiness probe)");
  });
});

describe("deployments listed as a map keyed by name", () => {
  it("reads each entry as the workload of that name, with its image change and change-cause", () => {
    const [record] = extractDeployments({ deployments: { "label-printer": { replicas: "0/2", image: "acme/label:2.0", previousImage: "acme/label:1.9", changeCause: "new SDK", updatedAt: "2026-04-01T10:00:00Z" } } }, "");
    expect(record).toMatchObject({ name: "label-printer", desired: 2, ready: 0, images: ["acme/label:2.0"], previousImage: "acme/label:1.9", changeCause: "new SDK", lastChange: "2026-04-01T10:00:00Z" });
  });
});

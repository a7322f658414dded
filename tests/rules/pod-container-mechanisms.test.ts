import { describe, expect, it } from "vitest";
import { parseLogRecords } from "../../src/rules/read/read-logs.ts";
import { analyzeCrashErrors } from "../../src/rules/judge/analyzers/analyze-crash-errors.ts";
import { analyzeDeployments } from "../../src/rules/judge/analyzers/analyze-deployments.ts";
import { analyzePodEvents } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { ANALYZERS } from "../../src/rules/judge/analyzers/index.ts";
import { runAnalyzers } from "../../src/rules/judge/run-analyzers.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

/** Spring Boot's failure analysis: an ERROR header with an empty message, the analysis on the lines below. */
const FAILURE_ANALYSIS = [
  "2026-04-09 07:12:40.118  INFO 1 --- [           main] c.q.p.PackerApplication                  : Starting PackerApplication v4.1.0",
  "2026-04-09 07:12:40.931 ERROR 1 --- [           main] o.s.b.d.LoggingFailureAnalysisReporter   : ",
  "",
  "***************************",
  "APPLICATION FAILED TO START",
  "***************************",
  "",
  "Description:",
  "",
  "Failed to bind properties under 'packer.batch.max-items' to int:",
  "",
  '    Property: packer.batch.max-items',
  '    Value: "lots"',
  '    Reason: failed to convert java.lang.String to int',
  "",
  "Action:",
  "",
  "Update your application's configuration",
  "",
  "2026-04-09 07:12:41.002  INFO 1 --- [           main] c.q.p.PackerApplication                  : Stopping",
].join("\n");

const CRASHING_PODS = [
  "NAME                               READY   STATUS             RESTARTS      AGE",
  "box-packer-6c7d8e9f5-k2l3m         0/1     CrashLoopBackOff   9 (1m ago)    30m",
  "conductor-server-7c9d8e6f5-a1b2c   1/1     Running            0             3d",
].join("\n");

describe("a message written below its record (Spring Boot failure analysis)", () => {
  it("folds the lines below an empty ERROR header into its message: the Description, banners and Action aside", () => {
    const { records } = parseLogRecords(FAILURE_ANALYSIS);
    expect(records).toHaveLength(3);
    expect(records[1]).toMatchObject({ level: "ERROR", format: "spring" });
    expect(records[1]?.message).toBe(
      "Failed to bind properties under 'packer.batch.max-items' to int: Property: packer.batch.max-items Value: \"lots\" Reason: failed to convert java.lang.String to int",
    );
    expect(records[2]).toMatchObject({ level: "INFO", message: "Stopping" });
  });

  it("a record with a message keeps the next unlevelled line apart, as before", () => {
    const { records } = parseLogRecords("2026-04-09 07:12:40.118 ERROR 1 --- [main] c.q.App : boom\nplain follow-up line\n");
    expect(records.map((r) => r.message)).toEqual(["boom", "plain follow-up line"]);
  });

  it("the crash cause quotes the failure analysis once, however many restarts printed it", () => {
    const logs = `${FAILURE_ANALYSIS}\n${FAILURE_ANALYSIS}`;
    const { candidates, findings } = analyzeCrashErrors.analyze(evidenceOf([{ tool: "get_pods_data", data: CRASHING_PODS }, { tool: "pull_pod_logs", input: { pod: "box-packer-6c7d8e9f5-k2l3m" }, data: logs }]));
    expect(candidates[0]?.key).toBe("startup-error");
    const quote = "\"Failed to bind properties under 'packer.batch.max-items' to int: Property: packer.batch.max-items Value: \"lots\"";
    expect(candidates[0]?.cause).toContain(quote);
    expect(candidates[0]?.cause.split(quote)).toHaveLength(2);
    expect(findings[0]?.text).not.toContain('""');
  });

  it("an exec that fails before the program runs is explained: exec format error is an image built for another CPU architecture", () => {
    const pods = "NAME                        READY   STATUS             RESTARTS   AGE\ntile-cutter-5b9d7f6c8-2fjx9 0/1     CrashLoopBackOff   12         35m\n";
    const { candidates } = analyzeCrashErrors.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "pull_pod_logs", input: { pod: "tile-cutter-5b9d7f6c8-2fjx9" }, data: "exec /app/bin/cutter: exec format error\n" }]));
    expect(candidates[0]?.cause).toContain('"exec /app/bin/cutter: exec format error"');
    expect(candidates[0]?.cause).toContain("another CPU architecture");
  });
});

describe("events that history has overtaken", () => {
  const describeEvents = [
    "Events:",
    "  Type     Reason            Age                  From                Message",
    "  ----     ------            ----                 ----                -------",
    "  Warning  FailedScheduling  35m                  default-scheduler   0/4 nodes are available: 1 Insufficient memory, 3 node(s) didn't match pod anti-affinity rules.",
    "  Normal   Scheduled         34m                  default-scheduler   Successfully assigned batch/tile-cutter-5b9d7f6c8-2fjx9 to node-7",
    "  Warning  BackOff           2m (x147 over 34m)   kubelet             Back-off restarting failed container cutter in pod tile-cutter-5b9d7f6c8-2fjx9",
  ].join("\n");

  it("a FailedScheduling followed by Scheduled is not a cause: the pod is placed", () => {
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "tile-cutter-5b9d7f6c8-2fjx9" }, data: describeEvents }]));
    expect(candidates.map((c) => c.key)).toEqual(["crash"]);
  });

  it("a FailedScheduling after the last Scheduled (or with none) still is", () => {
    const pending = describeEvents.replace("Scheduled         34m", "Scheduled         50m");
    const keys = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "tile-cutter-5b9d7f6c8-2fjx9" }, data: pending }])).candidates.map((c) => c.key);
    expect(keys).toContain("scheduling");
  });
});

describe("a worker deployment with no ready pod", () => {
  it("states the fact where its excerpt shows it and keeps the change cause beside it, so the verifier can check it", () => {
    const data = {
      deployments: [
        {
          name: "box-packer-workers",
          replicas: { desired: 2, ready: 0, updated: 2, available: 0 },
          image: "registry.example/box-packer:4.1.0",
          revision: 23,
          strategy: "Recreate",
          lastUpdated: "2026-04-09T06:57:41Z",
          changeCause: "helm upgrade box-packer --set image.tag=4.1.0 -f values-prod.yaml --atomic --timeout 10m --description 'quarterly release'",
        },
      ],
    };
    const { findings } = analyzeDeployments.analyze(evidenceOf([{ tool: "get_deployments_info", data }], [issue("WORKERS_HEALTHY", "Workers have failed the health check")]));
    const finding = findings.find((f) => f.key === "workers-unavailable");
    expect(finding?.text).toBe("deployment box-packer-workers: 0/2 replicas ready");
    expect(finding?.note).toContain("helm upgrade box-packer");
  });
});

describe("the in-cluster agent's own pod down behind a timed-out health check", () => {
  const timedOut = (pods: string, events: string) =>
    evidenceOf(
      [
        { tool: "get_incident_details", data: { status: "TIMED_OUT", reasonForIncompletion: "Workflow timed out after 1800 seconds" } },
        { tool: "get_pods_data", data: pods },
        { tool: "get_pod_events", input: { pod: "agent-handler-6d5c4b3a2-x9y8z" }, data: events },
        { tool: "get_cluster_metrics", status: "error", output: "get_cluster_metrics: TIMED_OUT, task not polled within 300s" },
      ],
      [issue("UNKNOWN", "The health-checking has failed: TIMED_OUT")],
    );
  const pods = [
    "NAME                             READY   STATUS             RESTARTS   AGE",
    "agent-handler-6d5c4b3a2-x9y8z    0/1     CrashLoopBackOff   23         9d",
    "billing-workers-5f4c9d7b8-2jqwm  0/1     CrashLoopBackOff   4          9d",
  ].join("\n");
  const oom = "LAST SEEN   TYPE      REASON       OBJECT                             MESSAGE\n14m         Warning   OOMKilling   node/ip-172-18-40-9                Memory cgroup out of memory: Killed process 2231 (java)\n";

  it("the agent pod's own cause is the root, through the agent not polling", () => {
    const evidence = timedOut(pods, oom);
    const analysis = runAnalyzers(evidence, ANALYZERS);
    expect(analysis.candidates.find((c) => c.key === "agent-pod-down")?.subject).toBe("agent-handler-6d5c4b3a2-x9y8z");
    const verdict = rankAlongGraph(analysis.candidates, evidence.issues);
    expect(verdict.root?.node.id).toBe("memory-limit");
    expect(verdict.root?.candidate.subject).toBe("agent-handler-6d5c4b3a2-x9y8z");
    expect(verdict.chain).toContain("agent not polling");
  });

  it("another pod's trouble does not explain the agent not polling", () => {
    const healthyAgent = pods.replace("agent-handler-6d5c4b3a2-x9y8z    0/1     CrashLoopBackOff   23", "agent-handler-6d5c4b3a2-x9y8z    1/1     Running            0 ");
    const evidence = timedOut(healthyAgent, oom.replace("node/ip-172-18-40-9", "pod/billing-workers-5f4c9d7b8-2jqwm"));
    const verdict = rankAlongGraph(runAnalyzers(evidence, ANALYZERS).candidates, evidence.issues);
    expect(verdict.root?.node.id).toBe("agent-down");
  });
});

describe("a probe pointed at what the container does not serve", () => {
  const events = [
    "LAST SEEN   TYPE      REASON      OBJECT                          MESSAGE",
    '90s         Warning   Unhealthy   pod/ledger-api-5c6f8d9b47-xq2lm   Readiness probe failed: Get "http://10.1.4.23:9090/ready": dial tcp 10.1.4.23:9090: connect: connection refused',
    '85s         Warning   Unhealthy   pod/ledger-api-5c6f8d9b47-xq2lm   Liveness probe failed: Get "http://10.1.4.23:9090/live": dial tcp 10.1.4.23:9090: connect: connection refused',
  ].join("\n");
  const logs = [
    "2026-05-01 10:00:01.000  INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8443 (https) with context path ''",
    "2026-05-01 10:00:02.000  INFO 1 --- [main] c.l.LedgerApi : Started LedgerApi in 9.1 seconds",
  ].join("\n");
  const deployments = "$ kubectl rollout history deploy/ledger-api\nREVISION  CHANGE-CAUSE\n7         helm upgrade ledger --version 2.0.0\n8         helm upgrade ledger --version 2.1.0 (2026-05-01 09:55 UTC)  # ignore this\n";
  const calls = (logText: string) => [
    { tool: "get_pod_events", input: { pod: "ledger-api-5c6f8d9b47-xq2lm" }, data: events },
    { tool: "pull_pod_logs", input: { pod: "ledger-api-5c6f8d9b47-xq2lm" }, data: logText },
    { tool: "get_deployments_info", data: deployments },
  ];

  it("refused on a port the program's logs do not listen on: the probe config is the cause, both sides quoted, with the latest rollout", () => {
    const evidence = evidenceOf(calls(logs), [issue("POD_NOT_RUNNING", "Pod ledger-api-5c6f8d9b47-xq2lm is not Running", "MAJOR", "ledger-api-5c6f8d9b47-xq2lm")]);
    const analysis = runAnalyzers(evidence, ANALYZERS);
    const candidate = analysis.candidates.find((c) => c.key === "probe-target");
    expect(candidate?.cause).toContain("probes call port 9090, where nothing listens");
    expect(candidate?.cause).toContain('"Tomcat started on port(s): 8443 (https) with context path \'\'"');
    expect(candidate?.cause).toContain('revision 8 at 2026-05-01 09:55 UTC "helm upgrade ledger --version 2.1.0 (2026-05-01 09:55 UTC)"');
    expect(candidate?.cause).not.toContain("ignore this");
    expect(rankAlongGraph(analysis.candidates, evidence.issues).root?.node.id).toBe("probe-target");
  });

  it("nothing when the program listens on the probed port too (a slow start, not a wrong port), or no log says where it listens", () => {
    const both = `${logs}\n2026-05-01 10:00:01.500  INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 9090 (http) with context path ''`;
    expect(runAnalyzers(evidenceOf(calls(both)), ANALYZERS).candidates.some((c) => c.key === "probe-target")).toBe(false);
    expect(runAnalyzers(evidenceOf(calls("2026-05-01 10:00:01.000  INFO 1 --- [main] c.l.LedgerApi : booting")), ANALYZERS).candidates.some((c) => c.key === "probe-target")).toBe(false);
  });

  it("a probe answered 404 names a path the program does not serve", () => {
    const notFound = "LAST SEEN   TYPE      REASON      OBJECT                          MESSAGE\n1m          Warning   Unhealthy   pod/ledger-api-5c6f8d9b47-xq2lm   Readiness probe failed: HTTP probe failed with statuscode: 404\n";
    const { candidates } = runAnalyzers(evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-api-5c6f8d9b47-xq2lm" }, data: notFound }]), ANALYZERS);
    expect(candidates.find((c) => c.key === "probe-target")?.cause).toContain('"Readiness probe failed: HTTP probe failed with statuscode: 404"');
  });
});

describe("an ingress backend naming a Service port the Service does not have", () => {
  const ingress = [
    "Name:             shop",
    "Address:          lb-123.elb.example.com",
    "Rules:",
    "  Host          Path  Backends",
    "  ----          ----  --------",
    "  shop.example",
    "                /api   orders-api:http (<none>)",
    "                /      orders-ui:http (10.0.0.9:5000)",
    "---",
    "- name: orders-api",
    "  ports:",
    "  - name: web-api",
    "    port: 8080",
    "- name: orders-ui",
    "  ports:",
    "  - name: http",
    "    port: 5000",
  ].join("\n");

  it("is the root of a domain that is down, both sides quoted, the empty endpoints downstream of it", () => {
    const evidence = evidenceOf([{ tool: "get_ingress_info", data: ingress }], [issue("DOMAIN_REACHABILITY", "The domain shop.example is down", "MAJOR")]);
    const analysis = runAnalyzers(evidence, ANALYZERS);
    const verdict = rankAlongGraph(analysis.candidates, evidence.issues);
    expect(verdict.root?.node.id).toBe("ingress-port");
    expect(verdict.root?.candidate.cause).toContain('Service orders-api port "http", but that Service has no port named so (its ports: web-api 8080)');
    expect(analysis.findings.filter((f) => f.key === "ingress-port").map((f) => f.text)).toEqual(["ingress shop: /api → orders-api:http", "Service orders-api ports: web-api 8080"]);
  });

  it("nothing when the named port exists", () => {
    const fine = ingress.replace("name: web-api", "name: http");
    expect(runAnalyzers(evidenceOf([{ tool: "get_ingress_info", data: fine }]), ANALYZERS).candidates.some((c) => c.key === "ingress-port")).toBe(false);
  });
});

describe("the DNS record controller's own word on a domain that does not resolve", () => {
  const ingresses = {
    items: [
      { kind: "Ingress", metadata: { name: "shop" }, spec: { ingressClassName: "public", rules: [{ host: "shop.example.com" }] }, status: { loadBalancer: { ingress: [{ hostname: "lb-1.elb.example.com" }] } } },
    ],
  };
  const logs = (flags: string, lines: string[]) =>
    [`time="2026-06-01T08:39:02Z" level=info msg="config: {Sources:[ingress] ${flags} Provider:aws Policy:sync Registry:txt}"`, ...lines].join("\n");
  const run = (logText: string) => {
    const evidence = evidenceOf(
      [
        { tool: "get_ingress_info", data: ingresses },
        { tool: "pull_pod_logs", input: { pod: "external-dns-7d6c5b4a3-abcde" }, data: logText },
      ],
      [issue("DOMAIN_RESOLUTION", "The domain shop.example.com has not been resolved")],
    );
    const analysis = runAnalyzers(evidence, ANALYZERS);
    return { analysis, verdict: rankAlongGraph(analysis.candidates, evidence.issues) };
  };

  it("a DELETE of the domain's record is the cause, with the class filter that stopped it seeing the ingress", () => {
    const { verdict } = run(
      logs("IngressClassNames:[private]", [
        'time="2026-06-01T08:39:06Z" level=info msg="Desired change: DELETE shop.example.com A [Id: /hostedzone/Z1]"',
        'time="2026-06-01T08:39:06Z" level=info msg="Desired change: DELETE a-shop.example.com TXT [Id: /hostedzone/Z1]"',
        'time="2026-06-01T08:47:09Z" level=error msg="records retrieval failed: Throttling: Rate exceeded"',
      ]),
    );
    expect(verdict.root?.node.id).toBe("dns-record");
    expect(verdict.root?.candidate.cause).toContain('deleted the DNS record of shop.example.com ("Desired change: DELETE shop.example.com A [Id: /hostedzone/Z1]")');
    expect(verdict.root?.candidate.cause).toContain("it watches only ingress class private while ingress shop has class public");
    expect(verdict.root?.candidate.cause).not.toMatch(/throttl/i);
  });

  it("never written: no line about the domain and a domain filter that leaves it out; nothing when the controller manages it without trouble", () => {
    const never = run(logs("DomainFilter:[internal.example.org]", ['time="2026-06-01T08:40:07Z" level=info msg="All records are already up to date"']));
    expect(never.verdict.root?.candidate.cause).toContain("never writes the DNS record of shop.example.com: its domain filter (internal.example.org) leaves shop.example.com out");
    const fine = run(logs("DomainFilter:[example.com]", ['time="2026-06-01T08:39:06Z" level=info msg="Desired change: CREATE shop.example.com A [Id: /hostedzone/Z1]"']));
    expect(fine.analysis.candidates.some((c) => c.key === "dns-record" && c.weight >= 0.8)).toBe(false);
  });
});

describe("a probe on a port the container does not declare", () => {
  const refused = [
    "LAST SEEN   TYPE      REASON      OBJECT                            MESSAGE",
    '1m          Warning   Unhealthy   pod/quote-svc-7d9f8c6b5-xk2lp     Liveness probe failed: Get "http://10.2.0.7:9000/healthz": dial tcp 10.2.0.7:9000: connect: connection refused',
  ].join("\n");

  it("with no log saying where it listens, the pod's containerPort settles it", () => {
    const pods = { items: [{ metadata: { name: "quote-svc-7d9f8c6b5-xk2lp" }, spec: { containers: [{ name: "app", ports: [{ containerPort: 8080, name: "http" }] }] }, status: { phase: "Running" } }] };
    const evidence = evidenceOf([
      { tool: "get_pods_data", data: pods },
      { tool: "get_pod_events", input: { pod: "quote-svc-7d9f8c6b5-xk2lp" }, data: refused },
    ]);
    const candidate = runAnalyzers(evidence, ANALYZERS).candidates.find((c) => c.key === "probe-target");
    expect(candidate?.cause).toContain("probe calls port 9000, where nothing listens");
    expect(candidate?.cause).toContain("its container declares only port 8080");
  });

  it("kubectl describe pod's Port line counts too; a declared probe port does not", () => {
    const describe = (port: string) => `Name:         quote-svc-7d9f8c6b5-xk2lp\nContainers:\n  app:\n    Port:          ${port}/TCP\n    State:         Running\n`;
    const run = (port: string) =>
      runAnalyzers(evidenceOf([{ tool: "get_pods_data", data: describe(port) }, { tool: "get_pod_events", input: { pod: "quote-svc-7d9f8c6b5-xk2lp" }, data: refused }]), ANALYZERS).candidates.find((c) => c.key === "probe-target");
    expect(run("8080")?.cause).toContain('declares only port 8080 ("Port: 8080/TCP")');
    expect(run("9000")).toBeUndefined();
  });
});

describe("the DNS record controller refusing the domain's record", () => {
  it("its warning about the host is quoted as the cause", () => {
    const evidence = evidenceOf(
      [
        { tool: "get_ingress_info", data: { items: [{ kind: "Ingress", metadata: { name: "shop" }, spec: { rules: [{ host: "shop.example.com" }] }, status: { loadBalancer: { ingress: [{ ip: "203.0.113.9" }] } } }] } },
        {
          tool: "pull_pod_logs",
          input: { pod: "external-dns-7d6c5b4a3-abcde" },
          data: 'time="2026-06-01T08:39:06Z" level=warning msg="Skipping record shop.example.com because owner id does not match, found: \\"blue\\", required: \\"green\\""\n',
        },
      ],
      [issue("DOMAIN_RESOLUTION", "The domain shop.example.com has not been resolved")],
    );
    const verdict = rankAlongGraph(runAnalyzers(evidence, ANALYZERS).candidates, evidence.issues);
    expect(verdict.root?.candidate.cause).toContain("does not write the DNS record of shop.example.com: it logs \"Skipping record shop.example.com because owner id does not match");
  });
});

import { describe, expect, it } from "vitest";
import type { Alert, AlertIssue } from "../../src/alerts/types.ts";
import { reportSchema, type Report } from "../../src/report/schema.ts";
import { MAX_RULES_CALLS, runRulesEngine } from "../../src/rules/index.ts";
import { createFakeInvoker, fail, ok, type FakeHandler } from "./fake-invoker.ts";
import * as f from "./fixtures.ts";

function alertOf(issues: AlertIssue[], severity: Alert["severity"] = "CRITICAL"): Alert {
  return {
    executionId: f.EXECUTION_ID,
    executionUrl: `https://cp.example.com/execution/${f.EXECUTION_ID}`,
    severity,
    organization: "Acme",
    environment: "prod",
    cluster: "acme-eu-1",
    issues,
    signature: "sig",
    headline: `[${severity}] The health-checking has FAILED for the Acme's prod acme-eu-1 cluster`,
  };
}

let clock = 0;
const deps = { now: () => (clock += 250) };

async function triage(alert: Alert | null, handlers: Record<string, FakeHandler>, fallbackReason: string | null = null) {
  const invoker = createFakeInvoker(handlers);
  const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert, fallbackReason }, invoker, deps);
  // Every report must be one the renderers accept.
  expect(reportSchema.safeParse(report).success, JSON.stringify(reportSchema.safeParse(report).error?.issues)).toBe(true);
  return { report, invoker, calls: invoker.calls.map((c) => `${c.name}${(c.input as { pod?: string }).pod ? `(${(c.input as { pod: string }).pod})` : ""}`) };
}

const text = (report: Report) => `${report.likelyRootCause}\n${report.findings.map((x) => x.text).join("\n")}`;

describe("runRulesEngine", () => {
  it("POD_RESTARTED: OOMKilled in events beats loud slow-query warnings in the logs", async () => {
    const pod = "conductor-server-7d9f8-abcde";
    const alert = alertOf([{ severity: "CRITICAL", type: "POD_RESTARTED", text: `Pod ${pod} has been restarted 4 times - ${pod}`, pod }]);
    const { report, calls, invoker } = await triage(
      alert,
      {
        get_incident_details: ok(f.incident([{ severity: "CRITICAL", description: `Pod ${pod} has been restarted 4 times - ${pod}` }])),
        get_pods_data: ok(f.PODS_JSON_KUBECTL),
        get_pod_events: ok(f.EVENTS_JSON_OOM),
        pull_pod_logs: ok(f.LOGS_SLOW_QUERY_WARNINGS),
      },
      "model returned no report within 8 turns",
    );
    expect(calls[0]).toBe("get_incident_details");
    expect(calls).toEqual(expect.arrayContaining([`get_pod_events(${pod})`, `pull_pod_logs(${pod})`, "get_pods_data"]));
    expect(report.likelyRootCause).toMatch(/OOMKilled.*memory limit/);
    expect(report.likelyRootCause).not.toMatch(/slow query/i);
    // The crash loop is what the OOM kills look like, not a second cause: it is a link of the chain.
    const [cause, chain] = report.likelyRootCause.split("\nChain: ");
    expect(cause).not.toMatch(/CrashLoopBackOff/);
    expect(chain).toMatch(/CrashLoopBackOff\) ← conductor-server-7d9f8-abcde was OOMKilled$/);
    // The kill is certain; that the limit is too low (rather than something growing) is a reading: medium.
    expect(report.confidence).toBe("medium");
    expect(report.appOrInfra).toBe("infra");
    expect(report.nextStep).toMatch(/Raise the memory limit/);
    expect(report.findings[0]?.text).toMatch(/OOM/);
    expect(["get_pod_events", "get_pods_data"]).toContain(report.findings[0]?.tool);
    expect(report.severity).toBe("CRITICAL");
    expect(report.issue).toBe(`Pod restarted on acme-eu-1: Pod ${pod} has been restarted 4 times - ${pod}`);
    expect(report.stats).toMatchObject({
      engine: "rules",
      fallbackReason: "model returned no report within 8 turns",
      toolCalls: invoker.calls.length,
      turns: 0,
      inputTokens: 0,
      costUsd: 0,
      // The OOMKill opens a lead (the deployment's memory limit against its heap setting); why memory
      // grew is still not seen, so the look widens to the metrics.
      commands: ["GET_PODS_DATA", "GET_POD_EVENTS", "PULL_POD_LOGS", "GET_DEPLOYMENTS_INFO", "GET_CLUSTER_METRICS", "GET_INFRASTRUCTURE_METRICS"],
    });
    expect(report.stats.callReasons.slice(-2)).toEqual(
      ["get_cluster_metrics", "get_infrastructure_metrics"].map((tool) => ({ tool, reason: "lead unsettled-widen: no cause is settled yet: the views not taken so far" })),
    );
    expect(report.stats.durationMs).toBeGreaterThan(0);
  });

  it("REDIS_CRITICAL_USAGE: a 48,000-workflow backlog with nothing upstream of it is a lead, not the cause; logs come from the server pod", async () => {
    const alert = alertOf([{ severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", text: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" }]);
    const { report, invoker } = await triage(alert, {
      get_incident_details: ok(f.incident([{ severity: "CRITICAL", description: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" }], f.CLUSTER_DATA_BACKLOG)),
      get_cluster_metrics: ok(f.CLUSTER_METRICS_TEXT),
      get_pods_data: ok(f.PODS_TEXT_HEALTHY),
      pull_pod_logs: ok(f.LOGS_JEDIS),
    });
    const logCall = invoker.calls.find((c) => c.name === "pull_pod_logs");
    expect(logCall?.input).toMatchObject({ pod: "conductor-server-6f7c9-k2l4m", lines: 500 });
    // The backlog is what fills Redis; what produced it (an unpolled task, a runaway start) was not seen.
    expect(report.likelyRootCause).toMatch(/^Inconclusive — needs a human: check .*Best lead: Severe decider-queue backlog: 48,000 running workflows/s);
    expect(report.likelyRootCause).toMatch(/\nChain: Redis instance is at 71% ← decider queue 48,000 running$/);
    expect(report.confidence).toBe("low");
    expect(report.nextStep).toMatch(/workflow type piling up/);
  });

  it("DNS_HEALTHY: an ingress without an address means the load balancer was never provisioned", async () => {
    const alert = alertOf([{ severity: "CRITICAL", type: "DNS_HEALTHY", text: "DNS resolution has failed for acme-eu-1.orkesconductor.io" }]);
    const { report, calls } = await triage(alert, {
      get_incident_details: ok(f.incident([])),
      get_ingress_info: ok(f.INGRESS_TEXT_NO_ADDRESS),
      get_pods_data: ok(f.PODS_TEXT_HEALTHY),
    });
    expect(calls[0]).toBe("get_incident_details");
    expect(calls.slice(1).sort()).toEqual(["get_ingress_info", "get_pods_data"]);
    expect(report.likelyRootCause).toMatch(/load balancer for ingress conductor-ingress was never provisioned/);
    expect(report.confidence).toBe("high");
    expect(report.appOrInfra).toBe("infra");
    expect(report.findings[0]).toMatchObject({ text: expect.stringContaining("has no external address"), tool: "get_ingress_info", callId: expect.stringMatching(/^c\d+$/) });
  });

  it("DOMAIN_CERTIFICATE_WILL_EXPIRE: relays the days left when nothing says why renewal fails", async () => {
    const alert = alertOf([{ severity: "WARNING", type: "DOMAIN_CERTIFICATE_WILL_EXPIRE", text: "The certificate of acme-eu-1.orkesconductor.io certificate expires in less than 5 days" }], "WARNING");
    const { report, calls } = await triage(alert, { get_incident_details: ok(f.incident([])) });
    expect(calls).toEqual(["get_incident_details", "get_ingress_info", "get_pods_data"]);
    expect(report.likelyRootCause).toMatch(/acme-eu-1\.orkesconductor\.io expires in less than 5 days/);
    expect(report.nextStep).toMatch(/within 5 days/);
    expect(report.severity).toBe("WARNING");
    expect(report.findings[0]?.tool).toBe("alert");
  });

  it("ERROR logs: 300 deprecated-API errors are noise; the JedisConnectionException is the cause", async () => {
    const alert = alertOf([{ severity: "MAJOR", type: "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", text: "Error Logs Count is 330, above the threshold of 100" }], "MAJOR");
    const { report } = await triage(alert, {
      get_incident_details: ok(f.incident([])),
      get_pods_data: ok(f.PODS_TEXT_HEALTHY),
      pull_pod_logs: ok(f.LOGS_DEPRECATION_HERRING),
    });
    expect(report.likelyRootCause).toMatch(/cannot talk to Redis.*JedisConnectionException/);
    expect(report.likelyRootCause).not.toMatch(/deprecated/i);
    expect(report.appOrInfra).toBe("infra");
    expect(report.confidence).toBe("medium");
  });

  it("every tool failing: an inconclusive, low-confidence report that says what could not be read", async () => {
    const alert = alertOf([{ severity: "CRITICAL", type: "CONDUCTOR_HEALTHY", text: "Conductor has failed the health check" }]);
    const { report, invoker } = await triage(alert, {
      get_incident_details: fail("Could not read execution: 503 Service Unavailable"),
      get_pods_data: fail("GET_PODS_DATA ended with status TIMED_OUT"),
      get_pod_events: fail("GET_POD_EVENTS ended with status TIMED_OUT"),
      pull_pod_logs: fail("PULL_LOGS ended with status TIMED_OUT"),
    });
    expect(report.likelyRootCause).toMatch(/^Inconclusive — needs a human: check /);
    expect(report.confidence).toBe("low");
    expect(report.appOrInfra).toBe("unknown");
    expect(report.nextStep).toMatch(/^Every diagnostic command failed/);
    expect(text(report)).toContain("could not read the pod list: GET_PODS_DATA ended with status TIMED_OUT");
    // Without a pod list there is no pod to aim events and logs at: they are skipped, not guessed.
    expect(invoker.calls.map((c) => c.name)).toEqual(["get_incident_details", "get_pods_data"]);
  });

  it("an invoker that throws still yields a report", async () => {
    const invoker = { calls: [], call: () => Promise.reject(new Error("socket hang up")) };
    const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert: null }, invoker, deps);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report).toMatchObject({ severity: "UNKNOWN", confidence: "low", appOrInfra: "unknown" });
    expect(report.findings[0]?.text).toMatch(/could not read the incident details: get_incident_details failed: socket hang up/);
  });

  it("without an alert: issues come from the execution, classified, with their pod and severity", async () => {
    const { report, calls } = await triage(null, {
      get_incident_details: ok(f.incident([{ severity: "MAJOR", description: "Pod prometheus-server-0 is not Running - prometheus-server-0" }])),
      get_pods_data: ok(f.PODS_TEXT),
      get_pod_events: ok(f.EVENTS_TEXT_IMAGE),
      pull_pod_logs: ok(""),
    });
    expect(calls).toEqual(expect.arrayContaining(["get_pod_events(prometheus-server-0)"]));
    expect(report.severity).toBe("MAJOR");
    expect(report.issue).toMatch(/^Pod not running on acme-eu-1: /);
    expect(report.likelyRootCause).toMatch(/prometheus-server-0 is stuck in ImagePullBackOff/);
    expect(report.confidence).toBe("high");
  });

  it("a timed-out health check with a command timing out too: the agent is not polling, honestly not high", async () => {
    const alert = alertOf([{ severity: "CRITICAL", type: "UNKNOWN", text: "The health check itself timed out (Failure Status TIMED_OUT): Task timed out" }]);
    const { report } = await triage(alert, {
      get_incident_details: ok(f.INCIDENT_TIMED_OUT),
      get_pods_data: ok(f.PODS_TEXT_HEALTHY),
      get_deployments_info: ok("NAME  READY  UP-TO-DATE  AVAILABLE  AGE\n"),
      get_cluster_metrics: fail("GET_CLUSTER_METRICS ended with status TIMED_OUT"),
    });
    expect(report.likelyRootCause).toMatch(/^The in-cluster agent is not polling: the health check ended TIMED_OUT/);
    expect(report.confidence).toBe("medium");
    expect(text(report)).toContain("TIMED_OUT: Task get_cluster_metrics timed out after 300 seconds");
  });

  it("CPU without a named pod: top output and thread dump go to the suspicious server pod", async () => {
    const alert = alertOf([{ severity: "MAJOR", type: "CONDUCTOR_HIGH_CPU_USAGE", text: "CPU usage is at 93%, above the threshold of 85%" }], "MAJOR");
    const { report, calls } = await triage(alert, {
      get_incident_details: ok(f.incident([])),
      get_pods_data: ok(f.PODS_JSON_KUBECTL),
      get_top_output: ok(f.TOP_PROCESS_TEXT),
      get_thread_dump: ok(f.THREAD_DUMP_TEXT),
    });
    // Pod calls run concurrently once the pod list has named the pod: their order is free.
    expect(calls.slice(0, 2)).toEqual(["get_incident_details", "get_pods_data"]);
    // The CPU lead also reads the deployments (image and rollout: did it start with a change?); a hot
    // thread settles no cause, so the look widens to the pod's events and the metrics.
    expect(calls.slice(2).sort()).toEqual([
      "get_cluster_metrics",
      "get_deployments_info",
      "get_infrastructure_metrics",
      "get_pod_events(conductor-server-7d9f8-abcde)",
      "get_thread_dump(conductor-server-7d9f8-abcde)",
      "get_top_output(conductor-server-7d9f8-abcde)",
      "pull_pod_logs(conductor-server-7d9f8-abcde)",
    ]);
    expect(text(report)).toMatch(/RUNNABLE in com\.netflix\.conductor\.core\.execution\.DeciderService\.getTasksToBeScheduled — .*8 in the busiest frame/);
  });

  it("many issues: calls stay within the cap and each type gets its first calls", async () => {
    const alert = alertOf([
      { severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", text: "The Redis instance is at 80%, above the CRITICAL threshold of 65%" },
      { severity: "CRITICAL", type: "CONDUCTOR_HIGH_CPU_USAGE", text: "CPU usage is at 95%" },
      { severity: "CRITICAL", type: "DNS_HEALTHY", text: "DNS resolution has failed" },
      { severity: "CRITICAL", type: "WORKERS_HEALTHY", text: "Workers have failed" },
      { severity: "CRITICAL", type: "PROMETHEUS_NOT_RUNNING", text: "Prometheus is down" },
    ]);
    const { report, invoker } = await triage(alert, { get_incident_details: ok(f.incident([])), get_pods_data: ok(f.PODS_TEXT) });
    expect(invoker.calls.length).toBeLessThanOrEqual(MAX_RULES_CALLS);
    expect(invoker.calls.map((c) => c.name)).toEqual(expect.arrayContaining(["get_cluster_metrics", "get_top_output", "get_ingress_info"]));
    expect(report.issue).toMatch(/\(\+4 more\)$/);
  });

  it("server errors about Redis: the crash-looping Redis pod gets its own events and logs", async () => {
    const alert = alertOf([{ severity: "MAJOR", type: "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", text: "Error Logs Count is 330" }], "MAJOR");
    const { report, calls } = await triage(alert, {
      get_incident_details: ok(f.incident([])),
      get_pods_data: ok(f.PODS_TEXT_REDIS_CRASHING),
      pull_pod_logs: (input) => ({ status: "ok", data: input.pod === "redis-master-0" ? f.LOGS_REDIS_AOF : f.LOGS_DEPRECATION_HERRING }),
      get_pod_events: ok("LAST SEEN   TYPE      REASON    OBJECT                 MESSAGE\n1m          Warning   BackOff   pod/redis-master-0     Back-off restarting failed container redis\n"),
    });
    expect(calls).toEqual(expect.arrayContaining(["pull_pod_logs(conductor-server-6f7c9-k2l4m)", "pull_pod_logs(redis-master-0)", "get_pod_events(redis-master-0)"]));
    // Redis's own log says why the server cannot reach it: that is the root, the Jedis errors a link.
    expect(report.likelyRootCause).toMatch(/^redis-master-0 cannot load its append-only file \(AOF appendonly\.aof\.41\.incr\.aof is corrupt\)/);
    expect(report.likelyRootCause).toMatch(/Chain: Error Logs Count is 330 ← JedisConnectionException ×30 .* ← redis-master-0: corrupt AOF/);
    expect(text(report)).toMatch(/Bad file format reading the append only file/);
  });

  it("a cancelled triage makes no calls and still answers", async () => {
    const invoker = createFakeInvoker({});
    const controller = new AbortController();
    controller.abort();
    const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert: null, signal: controller.signal }, invoker, deps);
    expect(invoker.calls).toEqual([]);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(report.confidence).toBe("low");
  });

  it("standing in for the model, it reuses the model's evidence and counts every recorded call", async () => {
    const pod = "conductor-workers-1";
    const invoker = createFakeInvoker({
      get_incident_details: ok(f.incident([{ severity: "CRITICAL", description: "Workers have failed the health check" }])),
      get_pods_data: ok(f.PODS_JSON_SIMPLE),
      pull_pod_logs: ok(f.LOGS_HEAP_OOM),
    });
    // The model already looked at the worker's events before giving up.
    await invoker.call("get_pod_events", { executionId: f.EXECUTION_ID, pod });
    const report = await runRulesEngine({ executionId: f.EXECUTION_ID, alert: null, fallbackReason: "input-token budget spent" }, invoker, deps);
    expect(report.stats.toolCalls).toBe(invoker.calls.length);
    expect(report.stats.fallbackReason).toBe("input-token budget spent");
    expect(invoker.calls.filter((c) => c.name === "get_pod_events" && !c.cached)).toHaveLength(1);
    expect(report.likelyRootCause).toMatch(/out of heap|OutOfMemoryError/);
  });
});

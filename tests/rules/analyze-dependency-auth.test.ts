import { describe, expect, it } from "vitest";
import { analyzeDependencyAuth } from "../../src/rules/judge/analyzers/analyze-dependency-auth.ts";
import { analyzeLogExceptions } from "../../src/rules/judge/analyzers/analyze-log-exceptions.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const ERRORS = issue("CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", "Error Logs Count is 4100 in the last 15 minutes, above the CRITICAL threshold of 2000");
const relayed = (i: number, host = "api.tollgate.example") =>
  `2026-12-01 21:4${i}:00.310 ERROR 1 --- [nio-8080-exec-2${i}] c.n.c.core.execution.WorkflowExecutor         : Task quote_freight (ref quote, taskId 9a8b7c6d-t${i}) of workflow 9a8b7c6d-5a6b-4c7d-8e9f-0a1b2c3d4e5${i} FAILED by worker freight-workers: FreightClientException: POST https://${host}/v2/quotes -> 401 Unauthorized {"error":"invalid_token"}`;
const serverLogs = (host?: string) => ({ tool: "pull_pod_logs", input: { pod: "conductor-server-5c6d7e8f9a-bq7lm" }, data: [0, 1, 2, 3].map((i) => relayed(i, host)).join("\n") });
const workerLogs = {
  tool: "pull_pod_logs",
  input: { pod: "freight-workers-79f8c6d5b4-gk2hn" },
  data: [
    `{"@timestamp": "2026-12-01T20:41:12.903Z", "log.level": "error", "message": "token refresh failed: POST https://login.tollgate.example/oauth/token -> 401 {\\"error\\":\\"invalid_client\\",\\"error_description\\":\\"client secret expired\\"}"}`,
    `{"@timestamp": "2026-12-01T21:40:00.300Z", "log.level": "error", "message": "quote failed: POST https://api.tollgate.example/v2/quotes -> 401 Unauthorized"}`,
  ].join("\n"),
};

describe("analyzeDependencyAuth", () => {
  it("a third party rejecting a worker's credential names the host, the worker (from the server's relay) and the task, and outranks the repeated error", () => {
    const evidence = evidenceOf([serverLogs()], [ERRORS]);
    const { candidates } = analyzeDependencyAuth.analyze(evidence);
    expect(candidates).toEqual([
      expect.objectContaining({
        key: "dependency-auth",
        cause: 'The external service api.tollgate.example rejects freight-workers\' credential: "FreightClientException: POST https://api.tollgate.example/v2/quotes -> 401 Unauthorized {"error":"invalid_token"}" ×4 — task quote_freight fails on it',
      }),
    ]);
    const logError = analyzeLogExceptions.analyze(evidence).candidates.find((c) => c.key === "log-error");
    expect(logError).toBeDefined();
    expect(candidates[0]!.weight).toBeGreaterThan(logError!.weight);
  });

  it("the credential itself (invalid_client, secret expired) in the worker's own log is the reason quoted; the provider's token host counts as the same dependency", () => {
    const { candidates } = analyzeDependencyAuth.analyze(evidenceOf([serverLogs(), workerLogs], [ERRORS]));
    expect(candidates[0]?.cause).toMatch(/^The external service api\.tollgate\.example rejects freight-workers' credential: "token refresh failed: POST https:\/\/login\.tollgate\.example\/oauth\/token -> 401 .*client secret expired.*" \(and every call since: "FreightClientException/);
    expect(candidates[0]?.weight).toBe(0.84);
  });

  it("a 401 from Conductor's own server (its API host or its ingress) or a stray line is not a third party's", () => {
    expect(analyzeDependencyAuth.analyze(evidenceOf([serverLogs("conductor.acme.example")], [ERRORS])).candidates).toEqual([]);
    const ingress = { tool: "get_ingress_info", data: { ingress: [{ name: "public-api", host: "api.tollgate.example", address: "34.1.2.3" }] } };
    expect(analyzeDependencyAuth.analyze(evidenceOf([serverLogs(), ingress], [ERRORS])).candidates).toEqual([]);
    const ownApi = { ...serverLogs(), data: [0, 1, 2].map((i) => relayed(i).replace("https://api.tollgate.example/v2/quotes", "http://orchestrator-api:8080/api/tasks/poll/batch/quote_freight")).join("\n") };
    expect(analyzeDependencyAuth.analyze(evidenceOf([ownApi], [ERRORS])).candidates).toEqual([]);
    const one = { ...serverLogs(), data: relayed(0) };
    expect(analyzeDependencyAuth.analyze(evidenceOf([one], [ERRORS])).candidates).toEqual([]);
  });
});

describe("follow-up: the rejected worker's own logs", () => {
  it("a server relaying a third party's rejection of a worker's call pulls that worker's logs, once", async () => {
    const { planFollowUps } = await import("../../src/rules/investigate/plan-follow-ups.ts");
    const { extractPods } = await import("../../src/rules/read/read-pods.ts");
    const pods = extractPods({ pods: [{ name: "conductor-server-5c6d7e8f9a-bq7lm", status: "Running" }, { name: "freight-workers-79f8c6d5b4-gk2hn", status: "Running" }, { name: "ledger-workers-6b5c4d3e2f-m2pq9", status: "Running" }] }, "");
    expect(planFollowUps(evidenceOf([serverLogs()], [ERRORS]), pods, 5)).toContainEqual({ tool: "pull_pod_logs", args: { pod: "freight-workers-79f8c6d5b4-gk2hn", lines: 200 } });
    const read = planFollowUps(evidenceOf([serverLogs(), workerLogs], [ERRORS]), pods, 5);
    expect(read.filter((c) => String(c.args.pod).startsWith("freight-workers"))).toEqual([]);
  });
});

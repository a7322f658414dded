import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConductorClient, type ConductorClientOptions } from "../../src/conductor/client.ts";
import { buildCommandRequest, createCommandRunner, deriveAgentHandlerId } from "../../src/conductor/dispatch.ts";
import { createExecutionReader } from "../../src/conductor/execution-reader.ts";
import type { ClusterContext } from "../../src/conductor/types.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { loadScenarios, startConductorServer, type ConductorServer, type ConductorServerOptions, type Scenario } from "../../src/sandbox/index.ts";

const KEY = { keyId: "key-id", keySecret: "key-secret" };
let scenarios: Scenario[];
let conductor: ConductorServer | undefined;
const clients: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  scenarios = await loadScenarios("scenarios");
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await conductor?.close();
  conductor = undefined;
});

/** The sandbox Conductor (scenario 01's cluster), the real client and the command runner over it. */
async function setup(server: Partial<ConductorServerOptions> = {}, client: Partial<ConductorClientOptions> = {}) {
  conductor = await startConductorServer({ scenarios, ...KEY, commandDelayMs: 30, ...server });
  const real = createConductorClient({ serverUrl: conductor.url, authKey: KEY.keyId, authSecret: KEY.keySecret, requestTimeoutMs: 2000, retries: 0, startLookupDelayMs: 20, ...client });
  clients.push(real);
  const scenario = scenarios.find((s) => s.id.startsWith("01_")) as Scenario;
  const { context } = await createExecutionReader(real)(scenario.execution.workflowId);
  const runner = createCommandRunner({ client: real, clock: { now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }, logger: silentLogger, commandTimeoutMs: 10_000 });
  return { conductor, client: real, runner, context: context as ClusterContext };
}

describe("a start whose answer is lost is looked up by its key, never started twice", () => {
  it.each([
    ["the connection is cut after the start was accepted", { kind: "lost-response", as: "drop" }, {}],
    ["the accepted start is answered 503", { kind: "lost-response", as: 503 }, {}],
    ["the accepted start never answers (request timeout)", { kind: "lost-response", as: "hang" }, { requestTimeoutMs: 300 }],
  ] as const)("start + poll: %s → one command, and its result", async (_name, fault, client) => {
    const { conductor, runner, context } = await setup({ synchronousExecution: 404 }, client);
    conductor.faults.add("startWorkflow", fault);
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-1#1" });
    expect(outcome).toMatchObject({ status: "COMPLETED", command: "GET_PODS_DATA" });
    expect(conductor.commands).toHaveLength(1);
    expect(outcome.workflowId).toBe(conductor.commands[0]?.workflowId);
    expect(conductor.commands[0]?.input.agentHandlerId).toBe(deriveAgentHandlerId("alert-1#1", "GET_PODS_DATA", {}, 1));
    expect(conductor.requestCounts.startWorkflow).toBe(1);
    expect(conductor.requestCounts.search).toBe(1);
  });

  it("synchronous execution: a cut answer is found by key and read, one command", async () => {
    const { conductor, runner, context } = await setup();
    conductor.faults.add("executeWorkflow", { kind: "lost-response", as: "drop" });
    const outcome = await runner.run(context, "GET_CLUSTER_METRICS", {}, { callKey: "alert-2#1" });
    expect(outcome.status).toBe("COMPLETED");
    expect(conductor.commands).toHaveLength(1);
    expect(conductor.requestCounts).toMatchObject({ executeWorkflow: 1, startWorkflow: 0, search: 1 });
  });

  it("a start Conductor refused (503 before accepting) is sent again once with the same agentHandlerId", async () => {
    const { conductor, runner, context } = await setup({ synchronousExecution: 404 });
    conductor.faults.add("startWorkflow", { kind: "status", status: 503 });
    const outcome = await runner.run(context, "GET_INGRESS_INFO", {}, { callKey: "alert-3#1" });
    expect(outcome.status).toBe("COMPLETED");
    expect(conductor.requestCounts.startWorkflow).toBe(2);
    expect(conductor.commands.map((c) => c.input.agentHandlerId)).toEqual([deriveAgentHandlerId("alert-3#1", "GET_INGRESS_INFO", {}, 1)]);
  });

  it("when the lookup fails too, it is not sent again: whether it started is unknown", async () => {
    const { conductor, runner, context } = await setup({ synchronousExecution: 404 });
    conductor.faults.add("startWorkflow", { kind: "lost-response", as: "drop" });
    conductor.faults.add("search", { kind: "status", status: 503 });
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-4#1" });
    expect(outcome).toMatchObject({ status: "START_FAILED", transport: true });
    expect(outcome.reason).toMatch(/whether it started is unknown \(the lookup by key failed: .*503/);
    expect(conductor.requestCounts.startWorkflow).toBe(1);
    expect(conductor.commands).toHaveLength(1);
  });

  it("without an idempotency key a failed start is never retried", async () => {
    const { conductor, client, context } = await setup({ synchronousExecution: 404 });
    conductor.faults.add("startWorkflow", { kind: "status", status: 503 }, 5);
    const request = buildCommandRequest(context, "GET_PODS_DATA", {}, "id-without-lookup");
    const error = await client.startWorkflow(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_http", mayHaveStarted: true, request: { status: 503 } });
    expect(conductor.requestCounts.startWorkflow).toBe(1);
    expect(conductor.requestCounts.search).toBe(0);
  });
});

describe("one retry of a transient command failure", () => {
  it("a command whose workflow TIMED_OUT runs once more as a new workflow", async () => {
    const { conductor, runner, context } = await setup();
    conductor.faults.add("command:GET_PODS_DATA", { kind: "command", status: "TIMED_OUT" });
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-5#1" });
    expect(outcome.status).toBe("COMPLETED");
    expect(conductor.commands.map((c) => c.input.agentHandlerId)).toEqual([
      deriveAgentHandlerId("alert-5#1", "GET_PODS_DATA", {}, 1),
      deriveAgentHandlerId("alert-5#1", "GET_PODS_DATA", {}, 2),
    ]);
  });

  it("a command that FAILED is its answer, not retried", async () => {
    const { conductor, runner, context } = await setup();
    conductor.faults.add("command:GET_PODS_DATA", { kind: "command", status: "FAILED", reason: "forbidden" });
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-6#1" });
    expect(outcome).toMatchObject({ status: "FAILED", reason: "forbidden" });
    expect(conductor.commands).toHaveLength(1);
  });

  it("a start that keeps failing is tried twice, then START_FAILED marked as transport", async () => {
    const { conductor, runner, context } = await setup();
    conductor.faults.add("executeWorkflow", { kind: "status", status: 502 }, 5);
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-7#1" });
    expect(outcome).toMatchObject({ status: "START_FAILED", transport: true });
    expect(conductor.requestCounts.executeWorkflow).toBe(2);
    expect(conductor.commands).toHaveLength(0);
  });
});

describe("synchronous execution", () => {
  it("starts and finishes a command in one request", async () => {
    const { conductor, runner, context } = await setup();
    const outcome = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-8#1" });
    expect(outcome.status).toBe("COMPLETED");
    expect(outcome.output).toBeTruthy();
    expect(conductor.requestCounts).toMatchObject({ executeWorkflow: 1, startWorkflow: 0, getWorkflow: 1 }); // the one read: the execution
  });

  it("a command still running when the wait ends (206) is polled to the end", async () => {
    const { conductor, runner, context } = await setup({ commandDelayMs: 1300 });
    const outcome = await runner.run(context, "GET_DEPLOYMENTS_INFO", {}, { callKey: "alert-9#1", timeoutMs: 1900 });
    expect(outcome.status).toBe("COMPLETED");
    expect(conductor.requestCounts.executeWorkflow).toBe(1);
    expect(conductor.requestCounts.getWorkflow).toBeGreaterThan(1);
  });

  it.each([404, 405] as const)("a server answering %i falls back to start + poll, and remembers it", async (status) => {
    const { conductor, runner, context } = await setup({ synchronousExecution: status });
    const first = await runner.run(context, "GET_PODS_DATA", {}, { callKey: "alert-10#1" });
    const second = await runner.run(context, "GET_INGRESS_INFO", {}, { callKey: "alert-10#1" });
    expect([first.status, second.status]).toEqual(["COMPLETED", "COMPLETED"]);
    expect(conductor.requestCounts).toMatchObject({ executeWorkflow: 1, startWorkflow: 2 });
  });
});

describe("deriveAgentHandlerId", () => {
  it("is a UUID fixed by key, command, parameters (any key order) and try", () => {
    const id = deriveAgentHandlerId("k", "PULL_LOGS", { podName: "p", lines: 10 }, 1);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deriveAgentHandlerId("k", "PULL_LOGS", { lines: 10, podName: "p" }, 1)).toBe(id);
    expect(new Set([id, deriveAgentHandlerId("k", "PULL_LOGS", { podName: "p", lines: 10 }, 2), deriveAgentHandlerId("k2", "PULL_LOGS", { podName: "p", lines: 10 }, 1), deriveAgentHandlerId("k", "PULL_LOGS", { podName: "q", lines: 10 }, 1)]).size).toBe(4);
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConductorClient } from "../../src/conductor/client.ts";
import { buildCommandRequest, createCommandRunner } from "../../src/conductor/dispatch.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, CONTEXT, createFakeClock, createFakeConductor, type CommandScript } from "./fake-conductor.ts";

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const AGENT_HANDLER_ID = "0b7e9a52-3c1d-4f6e-8a90-1b2c3d4e5f60";
const DOMAIN = CONTEXT.taskDomain;
const ROUTING = {
  "*": DOMAIN,
  prepare_agent_handler: "NO_DOMAIN",
  save_agent_handler_results: "NO_DOMAIN",
  health_check_issues: "NO_DOMAIN",
  cluster_metrics_ingestion: "NO_DOMAIN",
  save_conductor_metrics: "NO_DOMAIN",
  find_latest_conductor_metrics_records: "NO_DOMAIN",
  certificates_expiration_summary: "NO_DOMAIN",
  fetch_deployment_info: "NO_DOMAIN",
  save_eks_version: "NO_DOMAIN",
  HTTP: "NO_DOMAIN",
};

function setup(scripts: Record<string, CommandScript> = {}, commandTimeoutMs = 60_000) {
  const fake = createFakeConductor(scripts);
  server.use(...fake.handlers);
  const clock = createFakeClock();
  const client = createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock, retries: 0 });
  const runner = createCommandRunner({ client, clock, logger: silentLogger, newId: () => AGENT_HANDLER_ID, commandTimeoutMs });
  return { fake, runner, clock };
}

describe("buildCommandRequest", () => {
  it("builds exactly the documented input and routing for PULL_LOGS", () => {
    const parameters = { podName: "conductor-server-6d9f7c-x2x9q", lines: 200, fetchOption: "TAIL" as const, grep: "ERROR" };
    expect(buildCommandRequest(CONTEXT, "PULL_LOGS", parameters, AGENT_HANDLER_ID)).toEqual({
      name: "pull_logs",
      correlationId: DOMAIN,
      input: {
        customerId: CONTEXT.organizationId,
        organizationId: CONTEXT.organizationId,
        organizationName: "Acme",
        clusterId: "cl-7781",
        agentHandlerId: AGENT_HANDLER_ID,
        cloudEnvironmentTag: "c3f0c5-viz-stage",
        environment: "prod",
        requestedBy: null,
        agentHandlerRequest: { clusterName: "viz-stage", command: "PULL_LOGS", parameters },
        podName: "conductor-server-6d9f7c-x2x9q",
        lines: 200,
        fetchOption: "TAIL",
        grep: "ERROR",
      },
      taskToDomain: ROUTING,
    });
  });

  it("copies the SQL parameters to the top level too, next to the base fields", () => {
    const request = buildCommandRequest(CONTEXT, "SQL_CONDUCTOR", { query: "SELECT 1", transactional: false, expectedRowCount: null }, "id-1");
    expect(request.input).toMatchObject({ query: "SELECT 1", transactional: false, expectedRowCount: null, environment: "prod" });
    expect(Object.keys(request.input)).toHaveLength(12);
  });

  it.each([
    ["PULL_LOGS", { podName: "p-1", lines: 1001, fetchOption: "TAIL" }, /lines/],
    ["PULL_LOGS", { podName: "p-1", lines: 0, fetchOption: "TAIL" }, /lines/],
    ["PULL_LOGS", { podName: "p-1", lines: 10, fetchOption: "HEAD" }, /fetchOption/],
    ["GET_POD_EVENTS", { podName: "Bad Pod; rm -rf" }, /podName/],
    ["GET_PODS_DATA", { namespace: "kube-system" }, /namespace|Unrecognized/],
    ["SQL_CONDUCTOR", { query: "SELECT 1", transactional: true, expectedRowCount: null }, /transactional/],
  ])("refuses invalid parameters for %s %j", (command, parameters, detail) => {
    expect(() => buildCommandRequest(CONTEXT, command, parameters, "id")).toThrow(expect.objectContaining({ code: "conductor_refused", message: expect.stringMatching(detail) }));
  });
});

describe("createCommandRunner", () => {
  it("starts the command with the documented request, waits, and returns its output", async () => {
    const { fake, runner } = setup({ get_pods_data: { status: "COMPLETED", output: { pods: [{ name: "p-1", phase: "Running" }] }, runningPolls: 2 } });
    const outcome = await runner.run(CONTEXT, "GET_PODS_DATA", {});
    expect(outcome).toMatchObject({ command: "GET_PODS_DATA", workflowId: "cmd-1", status: "COMPLETED", reason: null, output: { pods: [{ name: "p-1" }] } });
    expect(outcome.durationMs).toBeGreaterThan(0);
    expect(fake.starts).toEqual([
      {
        name: "get_pods_data",
        correlationId: DOMAIN,
        taskToDomain: ROUTING,
        input: {
          customerId: CONTEXT.organizationId,
          organizationId: CONTEXT.organizationId,
          organizationName: "Acme",
          clusterId: "cl-7781",
          agentHandlerId: AGENT_HANDLER_ID,
          cloudEnvironmentTag: "c3f0c5-viz-stage",
          environment: "prod",
          requestedBy: null,
          agentHandlerRequest: { clusterName: "viz-stage", command: "GET_PODS_DATA", parameters: {} },
        },
      },
    ]);
    expect(fake.requests.filter((r) => r === "GET /workflow/cmd-1")).toHaveLength(3);
  });

  it("a failed command is an outcome with the workflow's reason, not an exception", async () => {
    const { runner } = setup({ get_ingress_info: { status: "FAILED", reasonForIncompletion: "agent: forbidden to list ingresses" } });
    await expect(runner.run(CONTEXT, "GET_INGRESS_INFO", {})).resolves.toMatchObject({ status: "FAILED", reason: "agent: forbidden to list ingresses" });
  });

  it("a start failure is START_FAILED with the HTTP error as reason", async () => {
    const { runner } = setup({ get_deployments_info: { status: "COMPLETED", startStatus: 404 } });
    const outcome = await runner.run(CONTEXT, "GET_DEPLOYMENTS_INFO", {});
    expect(outcome).toMatchObject({ workflowId: null, status: "START_FAILED", output: null });
    expect(outcome.reason).toBe(
      "GET_DEPLOYMENTS_INFO could not be started: POST /workflow (start get_deployments_info) failed: HTTP 404 Not Found: Workflow definition not found",
    );
  });

  it("a command still running at the timeout is DEADLINE, hinting at the agent's domain", async () => {
    const { runner, clock } = setup({ get_cluster_metrics: { status: "COMPLETED", runningPolls: 1000 } }, 60_000);
    const started = clock.now();
    const outcome = await runner.run(CONTEXT, "GET_CLUSTER_METRICS", {}, { timeoutMs: 20_000 });
    expect(clock.now() - started).toBe(20_000);
    expect(outcome).toMatchObject({ status: "DEADLINE", workflowId: "cmd-1", durationMs: 20_000 });
    expect(outcome.reason).toBe(`GET_CLUSTER_METRICS gave no result within 20.0 s: it is still RUNNING; is the agent for ${DOMAIN} polling?`);
  });

  it("a PAUSED command comes back as PAUSED", async () => {
    const { runner } = setup({ get_top_output_from_pod: { status: "PAUSED" } });
    await expect(runner.run(CONTEXT, "GET_TOP_OUTPUT_FROM_POD", {})).resolves.toMatchObject({ status: "PAUSED" });
  });

  it("invalid parameters are refused before any HTTP request", async () => {
    const { fake, runner } = setup();
    await expect(runner.run(CONTEXT, "PULL_LOGS", { podName: "p-1", lines: 5000, fetchOption: "TAIL" })).rejects.toMatchObject({ code: "conductor_refused" });
    expect(fake.requests).toEqual([]);
  });
});

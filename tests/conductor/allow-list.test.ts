import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConductorClient } from "../../src/conductor/client.ts";
import { CONTROL_PLANE_TASKS, isReadOnlyCommand, READ_ONLY_COMMANDS, type ReadOnlyCommand } from "../../src/conductor/commands.ts";
import { buildCommandRequest, createCommandRunner } from "../../src/conductor/dispatch.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, CONTEXT, createFakeClock, createFakeConductor } from "./fake-conductor.ts";

/** domain.md §5: mutating or privileged commands that must never be reachable. */
const MUTATING = [
  "DELETE_POD",
  "ROLLOUT_RESTART_DEPLOYMENT",
  "SCALE_DEPLOYMENT",
  "UPGRADE_DEPLOYMENT",
  "PATCH_DEPLOYMENT",
  "RUN_KUBECTL",
  "KUBECTL_UNRESTRICTED",
  "ADD_EKS_ADMIN",
  "UPDATE_API_KEY",
  "BACKUP_CONDUCTOR",
  "DEPLOY_DEBUGGER_POD",
  "DEPLOY_MCP_WORKER",
  "DOWNLOAD_HEAP_DUMP",
];

/** Exactly the read-only commands of domain.md §5, with their workflows. Changing this is a review. */
const ALLOWED = {
  GET_CLUSTER_METRICS: "get_cluster_metrics",
  GET_INFRASTRUCTURE_METRICS: "get_infrastructure_metrics",
  GET_PODS_DATA: "get_pods_data",
  GET_DEPLOYMENTS_INFO: "get_deployments_info",
  GET_POD_EVENTS: "get_pod_events",
  GET_TOP_OUTPUT_FROM_POD: "get_top_output_from_pod",
  PULL_LOGS: "pull_logs",
  GET_INGRESS_INFO: "get_ingress_info",
  DOWNLOAD_THREAD_DUMP: "download_thread_dump",
  SQL_CONDUCTOR: "sql_conductor",
};

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("the command allow-list", () => {
  it("holds exactly the documented read-only commands and workflows", () => {
    const table = Object.fromEntries(Object.entries(READ_ONLY_COMMANDS).map(([command, spec]) => [command, spec.workflow]));
    expect(table).toEqual(ALLOWED);
  });

  it.each(MUTATING)("%s is not in the table, under any spelling of its name or workflow", (command) => {
    expect(isReadOnlyCommand(command)).toBe(false);
    const names = Object.keys(READ_ONLY_COMMANDS).map((c) => c.toUpperCase());
    const workflows = Object.values(READ_ONLY_COMMANDS).map((spec) => spec.workflow.toUpperCase());
    expect(names).not.toContain(command);
    expect(workflows).not.toContain(command);
  });

  it("does not see inherited object keys as commands", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"]) expect(isReadOnlyCommand(name)).toBe(false);
  });

  it("keeps the control-plane task list that routes tasks out of the agent's domain", () => {
    expect(CONTROL_PLANE_TASKS).toContain("prepare_agent_handler");
    expect(CONTROL_PLANE_TASKS).toHaveLength(10);
  });
});

describe("the runner refuses commands outside the allow-list at run time", () => {
  it.each([...MUTATING, "get_pods_data", "GET_PODS_DATA ", "constructor"])("%s forced through a cast: refused, no HTTP request", async (command) => {
    const fake = createFakeConductor();
    server.use(...fake.handlers);
    const clock = createFakeClock();
    const client = createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock });
    const runner = createCommandRunner({ client, clock, logger: silentLogger, commandTimeoutMs: 10_000 });
    const forced = command as ReadOnlyCommand;
    await expect(runner.run(CONTEXT, forced, {} as never)).rejects.toMatchObject({
      code: "conductor_refused",
      message: `refused to dispatch ${command}: it is not one of the allow-listed read-only commands`,
    });
    expect(() => buildCommandRequest(CONTEXT, command, {}, "id")).toThrow(/refused/);
    expect(fake.requests).toEqual([]);
  });
});

describe("the client itself starts nothing but allow-listed command workflows", () => {
  const mutatingWorkflows = [...MUTATING.map((c) => c.toLowerCase()), "health_check", "rollout_restart_deployment"];
  it.each(mutatingWorkflows)("startWorkflow(%s) forced through a cast: refused, no HTTP request", async (name) => {
    const fake = createFakeConductor();
    server.use(...fake.handlers);
    const client = createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock: createFakeClock() });
    await expect(client.startWorkflow({ name: name as "get_pods_data", input: {} })).rejects.toMatchObject({ code: "conductor_refused" });
    await expect(client.executeWorkflow({ name: name as "get_pods_data", input: {} }, { idempotencyKey: "k", waitForSeconds: 1 })).rejects.toMatchObject({
      code: "conductor_refused",
    });
    expect(fake.requests).toEqual([]);
  });
});

import { randomUUID } from "node:crypto";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CONTROL_PLANE_TASKS } from "../../src/conductor/commands.ts";
import { loadScenarios, startConductorServer, type ConductorServer, type Scenario } from "../../src/sandbox/index.ts";

const KEY = { keyId: "key-id", keySecret: "key-secret" };

/** A StartWorkflowRequest built the way domain.md §5 says. */
function startRequest(s: Scenario, command: string, workflow: string, parameters: Record<string, unknown>) {
  const domain = s.routing.taskDomain;
  return {
    name: workflow,
    version: 1,
    correlationId: domain,
    taskToDomain: { "*": domain, ...Object.fromEntries(CONTROL_PLANE_TASKS.map((t) => [t, "NO_DOMAIN"])) },
    input: {
      customerId: s.routing.organizationId,
      organizationId: s.routing.organizationId,
      organizationName: s.execution.input.organizationName,
      clusterId: null,
      agentHandlerId: randomUUID(),
      cloudEnvironmentTag: `c${s.routing.organizationId.slice(0, 5)}-${s.routing.clusterName}`,
      environment: "prod",
      requestedBy: null,
      agentHandlerRequest: { clusterName: s.routing.clusterName, command, parameters },
      ...parameters,
    },
  };
}

describe("fake Conductor through fetch", () => {
  let scenarios: Scenario[];
  let conductor: ConductorServer;
  let token: string;
  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${conductor.url}${path}`, { ...init, headers: { "content-type": "application/json", "x-authorization": token, ...init.headers } });
  const waitFor = async (id: string, status: string) => {
    for (let i = 0; i < 100; i++) {
      const w = (await (await api(`/workflow/${id}?includeTasks=false`)).json()) as { status: string; output: unknown; reasonForIncompletion: string | null };
      if (w.status === status) return w;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`workflow ${id} never reached ${status}`);
  };

  beforeAll(async () => {
    scenarios = await loadScenarios("scenarios");
  });
  beforeEach(async () => {
    // Long enough that a loaded machine still reads a started command as RUNNING before it completes.
    conductor = await startConductorServer({ scenarios, ...KEY, commandDelayMs: 400 });
    const res = await fetch(`${conductor.url}/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(KEY) });
    token = ((await res.json()) as { token: string }).token;
  });
  afterEach(async () => {
    await conductor.close();
  });
  const scenario = (prefix: string) => scenarios.find((s) => s.id.startsWith(prefix)) as Scenario;

  it("issues tokens only for the right key, and checks them on every call", async () => {
    const bad = await fetch(`${conductor.url}/token`, { method: "POST", body: JSON.stringify({ keyId: "key-id", keySecret: "nope" }) });
    expect(bad.status).toBe(401);
    const s = scenario("01_");
    expect((await api(`/workflow/${s.execution.workflowId}`)).status).toBe(200);
    expect((await api(`/workflow/${s.execution.workflowId}`, { headers: { "x-authorization": "forged" } })).status).toBe(401);
    conductor.expireTokens();
    expect((await api(`/workflow/${s.execution.workflowId}`)).status).toBe(401);
  });

  it("serves the health-check execution with or without tasks", async () => {
    const s = scenario("01_");
    const full = (await (await api(`/workflow/${s.execution.workflowId}?includeTasks=true`)).json()) as { status: string; tasks: { referenceTaskName: string }[] };
    expect(full.status).toBe("FAILED");
    expect(full.tasks.map((t) => t.referenceTaskName)).toEqual(expect.arrayContaining(["issues", "parse_conductor_cluster_data_ref"]));
    const bare = (await (await api(`/workflow/${s.execution.workflowId}?includeTasks=false`)).json()) as { tasks: unknown[] };
    expect(bare.tasks).toEqual([]);
    expect((await api(`/workflow/${randomUUID()}`)).status).toBe(404);
  });

  it("runs a correctly routed command: RUNNING, then COMPLETED with the scenario's logs, grep and tail applied", async () => {
    const s = scenario("01_");
    const pod = Object.keys(s.commands.PULL_LOGS ?? {})[0] as string;
    const res = await api("/workflow", { method: "POST", body: JSON.stringify(startRequest(s, "PULL_LOGS", "pull_logs", { podName: pod, lines: 3, fetchOption: "TAIL", grep: "pollers=0" })) });
    expect(res.status).toBe(200);
    const id = await res.text();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await (await api(`/workflow/${id}`)).json()) as { status: string }).status).toBe("RUNNING");
    const done = await waitFor(id, "COMPLETED");
    const logs = (done.output as { logs: string }).logs.split("\n");
    expect(logs).toHaveLength(3);
    expect(logs.every((l) => l.includes("pollers=0"))).toBe(true);
    expect(conductor.commands.map((c) => [c.command, c.scenarioId, c.violations])).toEqual([["PULL_LOGS", s.id, []]]);
  });

  it("never completes a command with wrong routing, and records why", async () => {
    const s = scenario("08_");
    const request = startRequest(s, "GET_PODS_DATA", "get_pods_data", {});
    delete (request.taskToDomain as Record<string, string>).save_agent_handler_results;
    const id = await (await api("/workflow", { method: "POST", body: JSON.stringify(request) })).text();
    await new Promise((r) => setTimeout(r, 120));
    expect(((await (await api(`/workflow/${id}`)).json()) as { status: string }).status).toBe("RUNNING");
    expect(conductor.violations()).toEqual([{ kind: "routing", message: expect.stringContaining("save_agent_handler_results") }]);
  });

  it("refuses mutating and unknown workflows with 400", async () => {
    const s = scenario("07_");
    for (const name of ["delete_pod", "rollout_restart_deployment", "no_such_workflow"]) {
      const res = await api("/workflow", { method: "POST", body: JSON.stringify({ ...startRequest(s, "DELETE_POD", name, { podName: "x" }) }) });
      expect(res.status).toBe(400);
    }
    expect(conductor.refused.map((r) => [r.workflowName, r.violation.kind])).toEqual([
      ["delete_pod", "forbidden_workflow"],
      ["rollout_restart_deployment", "forbidden_workflow"],
      ["no_such_workflow", "forbidden_workflow"],
    ]);
    expect(conductor.commands).toEqual([]);
  });

  it("fails a command with bad parameters, and serves the scenario's TIMED_OUT override", async () => {
    const s = scenario("22_");
    const bad = await (await api("/workflow", { method: "POST", body: JSON.stringify(startRequest(s, "PULL_LOGS", "pull_logs", { podName: "x", lines: 5000, fetchOption: "TAIL" })) })).text();
    expect((await waitFor(bad, "FAILED")).reasonForIncompletion).toMatch(/lines/);
    const timedOut = await (await api("/workflow", { method: "POST", body: JSON.stringify(startRequest(s, "GET_PODS_DATA", "get_pods_data", {})) })).text();
    expect((await waitFor(timedOut, "TIMED_OUT")).reasonForIncompletion).toMatch(/not polled/);
  });

  it("injects HTTP and command faults", async () => {
    const s = scenario("03_");
    conductor.faults.add("getWorkflow", { kind: "status", status: 503 });
    expect((await api(`/workflow/${s.execution.workflowId}`)).status).toBe(503);
    expect((await api(`/workflow/${s.execution.workflowId}`)).status).toBe(200);
    conductor.faults.add("command:GET_PODS_DATA", { kind: "command", status: "FAILED", reason: "agent crashed" });
    const id = await (await api("/workflow", { method: "POST", body: JSON.stringify(startRequest(s, "GET_PODS_DATA", "get_pods_data", {})) })).text();
    expect((await waitFor(id, "FAILED")).reasonForIncompletion).toBe("agent crashed");
  });

  it("executes synchronously: the finished workflow in one answer, or 206 with it still running", async () => {
    const s = scenario("01_");
    const body = JSON.stringify(startRequest(s, "GET_PODS_DATA", "get_pods_data", {}));
    const done = await api("/workflow/execute/get_pods_data/1?requestId=r-1&waitForSeconds=5", { method: "POST", body });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { status: string }).status).toBe("COMPLETED");
    const short = await api("/workflow/execute/get_pods_data/1?requestId=r-2&waitForSeconds=0", { method: "POST", body });
    expect(short.status).toBe(206);
    const running = (await short.json()) as { workflowId: string; status: string };
    expect(running.status).toBe("RUNNING");
    await waitFor(running.workflowId, "COMPLETED");
    expect(conductor.requestCounts.executeWorkflow).toBe(2);
  });

  it.each([404, 405] as const)("can play a server without synchronous execution (%i)", async (status) => {
    await conductor.close();
    conductor = await startConductorServer({ scenarios, ...KEY, synchronousExecution: status });
    const res = await fetch(`${conductor.url}/workflow/execute/get_pods_data/1?requestId=r`, { method: "POST", body: "{}" });
    expect(res.status).toBe(status);
    expect(conductor.commands).toEqual([]);
  });

  it("a lost-response fault starts the command and then cuts or fails the answer", async () => {
    const s = scenario("03_");
    conductor.faults.add("startWorkflow", { kind: "lost-response", as: "drop" });
    conductor.faults.add("startWorkflow", { kind: "lost-response", as: 500 });
    const body = () => JSON.stringify(startRequest(s, "GET_PODS_DATA", "get_pods_data", {}));
    await expect(api("/workflow", { method: "POST", body: body() })).rejects.toThrow();
    expect((await api("/workflow", { method: "POST", body: body() })).status).toBe(500);
    expect(conductor.commands).toHaveLength(2);
    const key = conductor.commands[0]?.input.agentHandlerId as string;
    const found = (await (await api(`/workflow/search?freeText=${encodeURIComponent(`"${key}"`)}&query=${encodeURIComponent("workflowType IN (get_pods_data)")}`)).json()) as { results: { workflowId: string }[] };
    expect(found.results.map((r) => r.workflowId)).toEqual([conductor.commands[0]?.workflowId]);
  });

  it("searches health-check executions by workflow type", async () => {
    const res = await api(`/workflow/search?start=0&size=5&freeText=*&query=${encodeURIComponent("workflowType IN (health_check)")}`);
    const body = (await res.json()) as { totalHits: number; results: { workflowType: string }[] };
    expect(body.totalHits).toBe(scenarios.length);
    expect(body.results).toHaveLength(5);
    expect(body.results.every((r) => r.workflowType === "health_check")).toBe(true);
  });
});

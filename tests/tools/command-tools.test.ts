import { describe, expect, it } from "vitest";
import { createTools } from "../../src/tools/create-tools.ts";
import { TOOL_NAMES, type Tool, type ToolDeps } from "../../src/tools/types.ts";
import { CONTEXT, EXECUTION_ID, OTHER_EXECUTION_ID, createFakeDeps, createFakeRunner } from "./fake-deps.ts";
import { CLUSTER_METRICS, PODS_JSON, PODS_KUBECTL_TEXT, POD_EVENTS_TEXT, THREAD_DUMP_OUTPUT, javaLogLines } from "./fixtures.ts";

const POD = "conductor-server-7d9f8b6c5-x2k4p";

function toolNamed(tools: Tool[], name: string): Tool {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

/** Validates like the invoker does, then runs. */
function execute(tool: Tool, input: Record<string, unknown>) {
  return tool.execute(tool.inputSchema.parse({ executionId: EXECUTION_ID, ...input }), { executionId: EXECUTION_ID });
}

function setUp(output: unknown = PODS_JSON, overrides: Partial<ToolDeps> = {}) {
  const fake = createFakeRunner(() => ({ output }));
  const { deps, reads } = createFakeDeps(fake.runner, overrides);
  return { tools: createTools(deps), runs: fake.runs, reads, deps };
}

describe("createTools", () => {
  it("builds exactly the contract's tools, in order, each with a description and a schema requiring executionId", () => {
    const { tools } = setUp();
    expect(tools.map((t) => t.name)).toEqual([...TOOL_NAMES]);
    for (const tool of tools) {
      expect(tool.description.length).toBeGreaterThan(40);
      expect(tool.inputSchema.safeParse({}).success).toBe(false);
    }
  });
});

describe("command tools dispatch", () => {
  const cases: Array<[string, Record<string, unknown>, string, unknown]> = [
    ["get_cluster_metrics", {}, "GET_CLUSTER_METRICS", {}],
    ["get_infrastructure_metrics", {}, "GET_INFRASTRUCTURE_METRICS", {}],
    ["get_pods_data", {}, "GET_PODS_DATA", {}],
    ["get_deployments_info", {}, "GET_DEPLOYMENTS_INFO", {}],
    ["get_pod_events", { pod: POD }, "GET_POD_EVENTS", { podName: POD }],
    ["get_top_output", {}, "GET_TOP_OUTPUT_FROM_POD", {}],
    ["get_top_output", { pod: POD }, "GET_TOP_OUTPUT_FROM_POD", { podName: POD }],
    ["pull_pod_logs", { pod: POD }, "PULL_LOGS", { podName: POD, lines: 200, fetchOption: "TAIL" }],
    ["pull_pod_logs", { pod: POD, grep: "OutOfMemoryError", lines: 1000 }, "PULL_LOGS", { podName: POD, lines: 1000, fetchOption: "TAIL", grep: "OutOfMemoryError" }],
    ["get_ingress_info", {}, "GET_INGRESS_INFO", {}],
    ["get_thread_dump", { pod: POD }, "DOWNLOAD_THREAD_DUMP", { podName: POD }],
  ];

  it.each(cases)("%s %j dispatches %s with the right parameters", async (name, input, command, parameters) => {
    const { tools, runs } = setUp();
    const result = await execute(toolNamed(tools, name), input);
    expect(result.status).toBe("ok");
    expect(result.command).toBe(command);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.command).toBe(command);
    expect(runs[0]?.parameters).toStrictEqual(parameters);
    expect(runs[0]?.options?.timeoutMs).toBe(180_000);
  });

  it("takes the cluster context from readExecution, not from the input", async () => {
    const { tools, runs, reads } = setUp();
    const tool = toolNamed(tools, "get_pod_events");
    await tool.execute({ executionId: OTHER_EXECUTION_ID, pod: POD, organizationId: "evil-org", clusterName: "other" }, { executionId: OTHER_EXECUTION_ID });
    expect(reads).toEqual([OTHER_EXECUTION_ID]);
    expect(runs[0]?.context).toStrictEqual({ ...CONTEXT, executionId: OTHER_EXECUTION_ID });
    expect(runs[0]?.parameters).toStrictEqual({ podName: POD });
  });

  it("passes the triage's abort signal to the runner", async () => {
    const { tools, runs } = setUp();
    const signal = new AbortController().signal;
    const tool = toolNamed(tools, "get_pods_data");
    await tool.execute({ executionId: EXECUTION_ID }, { executionId: EXECUTION_ID, signal });
    expect(runs[0]?.options?.signal).toBe(signal);
  });

  it("rejects pod names that are not Kubernetes names, and bounds grep and lines", () => {
    const { tools } = setUp();
    const logs = toolNamed(tools, "pull_pod_logs").inputSchema;
    const base = { executionId: EXECUTION_ID, pod: POD };
    expect(logs.safeParse({ ...base, pod: "Conductor_Server" }).success).toBe(false);
    expect(logs.safeParse({ ...base, pod: "x; kubectl delete pod y" }).success).toBe(false);
    expect(logs.safeParse({ ...base, lines: 0 }).success).toBe(false);
    expect(logs.safeParse({ ...base, lines: 1001 }).success).toBe(false);
    expect(logs.safeParse({ ...base, lines: 2.5 }).success).toBe(false);
    expect(logs.safeParse({ ...base, grep: "x".repeat(201) }).success).toBe(false);
    expect(logs.safeParse({ ...base, grep: "" }).success).toBe(false);
    expect(logs.safeParse({ ...base, namespace: "kube-system" }).success).toBe(false);
    expect(logs.safeParse({ ...base, executionId: "not-an-id" }).success).toBe(false);
    expect(logs.safeParse({ ...base, grep: "OutOfMemoryError", lines: 1 }).success).toBe(true);
  });
});

describe("command tool results", () => {
  it("renders a JSON pod list as a compact table and keeps the parsed rows in data", async () => {
    const { tools } = setUp(JSON.stringify(PODS_JSON));
    const result = await execute(toolNamed(tools, "get_pods_data"), {});
    expect(result.data).toStrictEqual(PODS_JSON);
    const lines = result.output.split("\n");
    expect(lines[0]).toMatch(/^name\s+phase\s+ready\s+restarts\s+lastState\s+node\s+age$/);
    expect(lines.find((l) => l.startsWith(POD))).toMatch(/Running\s+1\/1\s+7\s+OOMKilled/);
    expect(result.truncated).toBeUndefined();
  });

  it("keeps plain-text tables as they are", async () => {
    const { tools } = setUp(PODS_KUBECTL_TEXT);
    const result = await execute(toolNamed(tools, "get_pods_data"), {});
    expect(result.output).toBe(PODS_KUBECTL_TEXT);
  });

  it("renders nested metrics and event text readably", async () => {
    const { tools } = setUp({ metrics: CLUSTER_METRICS.metrics, events: POD_EVENTS_TEXT });
    const result = await execute(toolNamed(tools, "get_cluster_metrics"), {});
    expect(result.output).toMatch(/^metrics:\n\s+name\s+value\s+unit\n\s+redis_used_memory\s+5\.71\s+GiB/);
    expect(result.output).toContain("  4m12s       Warning   BackOff");
  });

  it("says the thread dump returns storage paths, and shows them", async () => {
    const { tools } = setUp(THREAD_DUMP_OUTPUT);
    const tool = toolNamed(tools, "get_thread_dump");
    expect(tool.description).toMatch(/storage paths/);
    const result = await execute(tool, { pod: POD });
    for (const path of THREAD_DUMP_OUTPUT.files) expect(result.output).toContain(path);
  });

  it("cuts long logs to the budget keeping the newest lines, and says so", async () => {
    const logs = javaLogLines(400);
    const { tools } = setUp({ podName: POD, logs });
    const result = await execute(toolNamed(tools, "pull_pod_logs"), { pod: POD, lines: 400 });
    expect(result.output.length).toBeLessThanOrEqual(6000);
    expect(result.output).toMatch(/^\[cut: showing the last [\d,]+ of [\d,]+ characters — the newest lines; older lines dropped\] …\n/);
    expect(result.output).toMatch(/line 399: started workflow order_flow\n.*line 400: error sweeping workflow 4c1d400\njava.lang.OutOfMemoryError: Java heap space\n\tat /);
    expect(result.output).not.toContain("line 1: started workflow");
    expect(result.truncated?.totalChars).toBe(`podName: ${POD}\nlogs:\n${logs}`.length);
    expect(result.truncated?.keptChars).toBeLessThan(6000);
    expect((result.data as { logs: string }).logs).toBe(logs);
  });

  it("cuts other long output keeping the head", async () => {
    const pods = Array.from({ length: 300 }, (_, i) => ({ ...PODS_JSON[0], name: `conductor-server-7d9f8b6c5-p${i}` }));
    const { tools } = setUp(pods, { outputBudget: 2000 });
    const result = await execute(toolNamed(tools, "get_pods_data"), {});
    expect(result.output.length).toBeLessThanOrEqual(2000);
    expect(result.output).toContain("conductor-server-7d9f8b6c5-p0 ");
    expect(result.output).not.toContain("conductor-server-7d9f8b6c5-p299");
    expect(result.output).toMatch(/\n… \[cut: showing the first [\d,]+ of [\d,]+ characters\]$/);
    expect(result.data).toHaveLength(300);
  });

  it.each([
    ["FAILED", "Task pull_logs failed: pods \"x\" not found", /PULL_LOGS ended with status FAILED \(workflow wf-1\): Task pull_logs failed/],
    ["TIMED_OUT", "Workflow timed out after 120 seconds", /PULL_LOGS ended with status TIMED_OUT \(workflow wf-1\): Workflow timed out/],
    ["TERMINATED", null, /PULL_LOGS ended with status TERMINATED/],
    ["DEADLINE", "no terminal status after 180 s", /PULL_LOGS gave no answer within 1\.2 s \(workflow wf-1\) \(status DEADLINE\)/],
    ["START_FAILED", "HTTP 403 from POST /api/workflow", /PULL_LOGS could not be started: HTTP 403/],
    ["PAUSED", null, /PULL_LOGS is stuck in PAUSED/],
  ] as const)("a %s command is an error result naming command, status and reason", async (status, reason, expected) => {
    const fake = createFakeRunner(() => ({ status, reason, output: { partial: "x" }, workflowId: status === "START_FAILED" ? null : "wf-1" }));
    const tools = createTools(createFakeDeps(fake.runner).deps);
    const result = await execute(toolNamed(tools, "pull_pod_logs"), { pod: POD });
    expect(result.status).toBe("error");
    expect(result.command).toBe("PULL_LOGS");
    expect(result.output).toMatch(expected);
  });

  it("a failure to read the execution is an error result and nothing is dispatched", async () => {
    const fake = createFakeRunner();
    const { deps } = createFakeDeps(fake.runner, {
      readExecution: () => Promise.reject(new Error("GET /api/workflow/8b1c… returned 404")),
    });
    const result = await execute(toolNamed(createTools(deps), "get_pods_data"), {});
    expect(result).toMatchObject({ status: "error", command: "GET_PODS_DATA" });
    expect(result.output).toMatch(/GET_PODS_DATA was not run: GET \/api\/workflow\/8b1c… returned 404/);
    expect(fake.runs).toHaveLength(0);
  });

  it.each([null, "", "  \n", [], {}, { pods: [] }, { logs: "" }])("empty output %j is no_data", async (output) => {
    const { tools } = setUp(output);
    const result = await execute(toolNamed(tools, "get_pods_data"), {});
    expect(result.status).toBe("no_data");
    expect(result.output).toMatch(/GET_PODS_DATA completed but returned no data/);
  });

  it("an empty grep result tells the model that nothing matched", async () => {
    const { tools } = setUp("");
    const result = await execute(toolNamed(tools, "pull_pod_logs"), { pod: POD, grep: "OutOfMemoryError" });
    expect(result).toMatchObject({ status: "no_data" });
    expect(result.output).toContain(`no line of pod ${POD} matched grep "OutOfMemoryError"`);
  });
});

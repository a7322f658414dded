import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createTools } from "../../src/tools/create-tools.ts";
import { canonicalJson, createToolInvoker } from "../../src/tools/invoke-tool.ts";
import { TOOL_NAMES, type Tool, type ToolCallRecord } from "../../src/tools/types.ts";
import { EXECUTION_ID, OTHER_EXECUTION_ID, createFakeDeps, createFakeRunner } from "./fake-deps.ts";
import { PODS_JSON } from "./fixtures.ts";

const POD = "conductor-server-7d9f8b6c5-x2k4p";

function setUp(options: { maxCalls?: number } = {}, respond?: Parameters<typeof createFakeRunner>[0]) {
  const fake = createFakeRunner(respond ?? (() => ({ output: PODS_JSON })));
  const { deps, reads } = createFakeDeps(fake.runner);
  const records: ToolCallRecord[] = [];
  const invoker = createToolInvoker(createTools(deps), { executionId: EXECUTION_ID }, { ...options, onCall: (r) => records.push(r) });
  return { invoker, runs: fake.runs, reads, records };
}

describe("createToolInvoker", () => {
  it("runs a tool by name and records the call", async () => {
    const { invoker, runs, records } = setUp();
    const result = await invoker.call("get_pods_data", { executionId: EXECUTION_ID });
    expect(result).toMatchObject({ status: "ok", cached: false, command: "GET_PODS_DATA" });
    expect(runs).toHaveLength(1);
    expect(invoker.calls).toEqual([{ name: "get_pods_data", input: { executionId: EXECUTION_ID }, result: expect.objectContaining({ status: "ok" }), cached: false }]);
    expect(records).toEqual(invoker.calls);
  });

  it("answers an unknown tool with an error listing the valid names", async () => {
    const { invoker, runs } = setUp();
    const result = await invoker.call("delete_pod", { pod: POD });
    expect(result.status).toBe("error");
    expect(result.output).toContain('Unknown tool "delete_pod"');
    for (const name of TOOL_NAMES) expect(result.output).toContain(name);
    expect(runs).toHaveLength(0);
    expect(invoker.calls).toHaveLength(1);
  });

  it("turns bad input into an error in plain words and dispatches nothing", async () => {
    const { invoker, runs } = setUp();
    const result = await invoker.call("pull_pod_logs", { pod: "Conductor Server", lines: 5000 });
    expect(result.status).toBe("error");
    expect(result.output).toMatch(/^Invalid input for pull_pod_logs: /);
    expect(result.output).toContain("pod: must be a Kubernetes pod name");
    expect(result.output).toMatch(/lines: .*1000/);
    expect(result.output).toContain("Nothing was run.");
    expect(runs).toHaveLength(0);
  });

  it("rejects input that is not an object", async () => {
    const { invoker, runs } = setUp();
    const result = await invoker.call("get_pod_events", "conductor-server-7d9f8b6c5-x2k4p");
    expect(result.status).toBe("error");
    expect(result.output).toMatch(/^Invalid input for get_pod_events/);
    expect(runs).toHaveLength(0);
  });

  it("pins the execution id to the triage's own when the model leaves it out or spells it differently", async () => {
    const { invoker, reads } = setUp();
    await invoker.call("get_pods_data", { executionId: EXECUTION_ID.toUpperCase().replace(/-/g, "") });
    await invoker.call("get_pod_events", { pod: POD });
    await invoker.call("get_cluster_metrics", undefined);
    expect(reads).toEqual([EXECUTION_ID, EXECUTION_ID, EXECUTION_ID]);
    expect(invoker.calls.map((c) => (c.input as { executionId: string }).executionId)).toEqual([EXECUTION_ID, EXECUTION_ID, EXECUTION_ID]);
  });

  it("refuses another execution's id with an error result and reads nothing", async () => {
    const { invoker, reads, runs } = setUp();
    const result = await invoker.call("get_pods_data", { executionId: OTHER_EXECUTION_ID });
    expect(result.status).toBe("error");
    expect(result.output).toContain(`executionId ${OTHER_EXECUTION_ID} is not this triage's execution`);
    expect(reads).toEqual([]);
    expect(runs).toHaveLength(0);
  });

  it("reuses the result of an identical repeated call without running it again", async () => {
    const { invoker, runs } = setUp();
    const first = await invoker.call("pull_pod_logs", { pod: POD, grep: "ERROR" });
    const second = await invoker.call("pull_pod_logs", { grep: "ERROR", lines: 200, pod: POD, executionId: EXECUTION_ID });
    const different = await invoker.call("pull_pod_logs", { pod: POD, grep: "WARN" });
    expect(runs).toHaveLength(2);
    expect(first.cached).toBe(false);
    expect(second).toEqual({ ...first, cached: true });
    expect(different.cached).toBe(false);
    expect(invoker.calls.map((c) => c.cached)).toEqual([false, true, false]);
  });

  it("shares an identical call that is still in flight", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { invoker, runs } = setUp({}, async () => {
      await gate;
      return { output: PODS_JSON };
    });
    const calls = [invoker.call("get_pods_data", {}), invoker.call("get_pods_data", {}), invoker.call("get_pods_data", {})];
    await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const results = await Promise.all(calls);
    expect(runs).toHaveLength(1);
    expect(results.map((r) => r.cached).sort()).toEqual([false, true, true]);
    expect(new Set(results.map((r) => r.output)).size).toBe(1);
  });

  it("refuses to run past maxCalls, while cached repeats stay free", async () => {
    const { invoker, runs } = setUp({ maxCalls: 2 });
    await invoker.call("get_pods_data", {});
    await invoker.call("get_ingress_info", {});
    const over = await invoker.call("get_deployments_info", {});
    const repeat = await invoker.call("get_pods_data", {});
    expect(over.status).toBe("error");
    expect(over.output).toMatch(/^tool-call budget exhausted \(2 of 2 calls used\)/);
    expect(repeat).toMatchObject({ status: "ok", cached: true });
    expect(runs.map((r) => r.command)).toEqual(["GET_PODS_DATA", "GET_INGRESS_INFO"]);
    expect(invoker.calls).toHaveLength(4);
  });

  it("turns an exception into an error result", async () => {
    const exploding: Tool = {
      name: "get_pods_data",
      description: "throws",
      inputSchema: z.object({ executionId: z.string() }),
      execute: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'items')")),
    };
    const invoker = createToolInvoker([exploding], { executionId: EXECUTION_ID });
    const result = await invoker.call("get_pods_data", {});
    expect(result).toMatchObject({ status: "error", cached: false });
    expect(result.output).toBe("get_pods_data failed: Cannot read properties of undefined (reading 'items')");
    expect(invoker.calls[0]?.result.status).toBe("error");
  });

  it("turns a runner that throws into an error result", async () => {
    const { invoker } = setUp({}, () => {
      throw new Error("socket hang up");
    });
    const result = await invoker.call("get_pods_data", {});
    expect(result).toMatchObject({ status: "error", command: "GET_PODS_DATA" });
    expect(result.output).toContain("socket hang up");
  });
});

describe("canonicalJson", () => {
  it("ignores key order at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
  });

  it("redacts every result at the boundary: output, data and errors, recognisable secrets and configured values", async () => {
    const token = ["ghp", "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"].join("_");
    const configured = "configured-conductor-secret-42";
    const fake = createFakeRunner((command) =>
      command === "GET_POD_EVENTS" ? { status: "FAILED", reason: `denied for ${configured}` } : { output: JSON.stringify({ env: { GITHUB_TOKEN: token, note: configured } }) },
    );
    const { deps } = createFakeDeps(fake.runner);
    const records: ToolCallRecord[] = [];
    const invoker = createToolInvoker(createTools(deps), { executionId: EXECUTION_ID }, { secrets: [configured], onCall: (r) => records.push(r) });
    const ok = await invoker.call("get_pods_data", { executionId: EXECUTION_ID });
    const failed = await invoker.call("get_pod_events", { executionId: EXECUTION_ID, pod: POD });
    const everything = JSON.stringify([ok, failed, invoker.calls, records]);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(configured);
    expect(ok.data).toEqual({ env: { GITHUB_TOKEN: "ghp_[redacted]", note: "[redacted]" } });
    expect(failed.output).toContain("denied for [redacted]");
  });

  it("refuses a huge input before reading it, and records only its size", async () => {
    const { invoker, runs } = setUp();
    const result = await invoker.call("pull_pod_logs", { executionId: EXECUTION_ID, pod: POD, grep: "x".repeat(10_000_000) });
    expect(result.status).toBe("error");
    expect(result.output).toBe("Input for pull_pod_logs is 10,000,105 characters; the limit is 100,000. Nothing was run.");
    expect(runs).toHaveLength(0);
    expect(JSON.stringify(invoker.calls).length).toBeLessThan(1_000);
  });
});

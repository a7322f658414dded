import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgent, type AgentBudgets } from "../../src/agent/run-agent.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createToolInvoker } from "../../src/tools/invoke-tool.ts";
import type { Tool, ToolResult } from "../../src/tools/types.ts";
import { createMswServer } from "../helpers/msw.ts";
import { ANTHROPIC_URL, createScriptedModel, errorResponse, hang, message, text, toolUse, VALID_REPORT } from "./fake-messages-api.ts";

const EXEC = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";
const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Fake tools that record when they start and end, to prove a turn's calls run concurrently. */
function fakeTools(delayMs = 50) {
  const log: string[] = [];
  const make = (name: string, output: string, status: ToolResult["status"] = "ok"): Tool => ({
    name,
    description: `${name} for tests`,
    inputSchema: z.object({ executionId: z.string(), pod: z.string().optional() }).strict(),
    async execute(raw) {
      const input = raw as { pod?: string };
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, delayMs));
      log.push(`end ${name}`);
      return { status, output: `${output}${input.pod ? ` for ${input.pod}` : ""}`, durationMs: delayMs, command: name.toUpperCase() };
    },
  });
  const tools = [
    make("get_pods_data", "conductor-server-7d9f8b6c5-x2kqp 0/1 CrashLoopBackOff restarts=7 lastState=OOMKilled"),
    make("get_pod_events", "Warning OOMKilled container exceeded memory limit"),
    make("pull_pod_logs", "agent unreachable", "error"),
  ];
  return { tools, log };
}

function setup(
  steps: Parameters<typeof createScriptedModel>[0],
  options: { budgets?: Partial<AgentBudgets>; maxRetries?: number; timeoutMs?: number; now?: () => number; signal?: AbortSignal; toolDelayMs?: number } = {},
) {
  const model = createScriptedModel(steps);
  server.use(model.handler);
  const { tools, log } = fakeTools(options.toolDelayMs);
  // Uncapped like the triager's (which leaves headroom for the rules engine): the loop must enforce the budget.
  const invoker = createToolInvoker(tools, { executionId: EXEC });
  const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: ANTHROPIC_URL, maxRetries: options.maxRetries ?? 2 }).messages;
  const run = () =>
    runAgent(
      { executionId: EXEC, alert: null, incident: { status: "ok", output: "issues: conductor-server restarted", durationMs: 1 }, ...(options.signal ? { signal: options.signal } : {}) },
      {
        client,
        model: "claude-sonnet-5-5",
        systemPrompt: "You are a test.",
        tools,
        invoker,
        budgets: { maxTurns: 12, maxToolCalls: 15, maxInputTokens: 1_000_000, deadline: Date.now() + 60_000, ...options.budgets },
        now: options.now ?? Date.now,
        logger: silentLogger,
        requestTimeoutMs: options.timeoutMs ?? 10_000,
      },
    );
  return { model, invoker, log, run };
}

describe("runAgent", () => {
  it("runs a multi-turn investigation, executing a turn's tool calls concurrently", async () => {
    const { model, invoker, log, run } = setup([
      message([text("Looking at pods and events."), toolUse("get_pods_data", { executionId: EXEC }), toolUse("get_pod_events", { executionId: EXEC, pod: "conductor-server-7d9f8b6c5-x2kqp" })]),
      message([toolUse("submit_report", VALID_REPORT)], { cache_read_input_tokens: 4000, output_tokens: 300 }),
    ]);
    const outcome = await run();
    expect(outcome.ok).toBe(true);
    expect(outcome.turns).toBe(2);
    expect(log.slice(0, 2)).toEqual(["start get_pods_data", "start get_pod_events"]);
    expect(invoker.calls.map((c) => c.name)).toEqual(["get_pods_data", "get_pod_events"]);
    const second = model.requests[1]!;
    const results = (second.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[]).filter((b) => b.type === "tool_result");
    expect(results).toHaveLength(2);
    expect(String(results[0]!.content)).toContain("OOMKilled");
    expect(outcome.usage.cacheReadTokens).toBe(7000);
    expect(outcome.costUsd).toBeGreaterThan(0);
  });

  it("marks the stable prefix for prompt caching", async () => {
    const { model, run } = setup([message([toolUse("submit_report", VALID_REPORT)])]);
    await run();
    const request = model.requests[0]!;
    expect((request.system as Anthropic.TextBlockParam[])[0]!.cache_control).toEqual({ type: "ephemeral" });
    expect(request.tools!.at(-1)!.cache_control).toEqual({ type: "ephemeral" });
    expect(request.tools!.map((t) => (t as Anthropic.Tool).name)).toContain("submit_report");
  });

  it("sends a failing tool back as an is_error result and does not re-run an identical call", async () => {
    const { model, invoker, run } = setup([
      message([toolUse("pull_pod_logs", { executionId: EXEC, pod: "conductor-server-1" })]),
      message([toolUse("pull_pod_logs", { executionId: EXEC, pod: "conductor-server-1" })]),
      message([toolUse("submit_report", VALID_REPORT)]),
    ]);
    const outcome = await run();
    expect(outcome.ok).toBe(true);
    const first = model.requests[1]!.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
    expect(first[0]!.is_error).toBe(true);
    const repeated = model.requests[2]!.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
    expect(String(repeated[0]!.content)).toMatch(/repeated call/);
    expect(invoker.calls.filter((c) => !c.cached)).toHaveLength(1);
  });

  it("retries 429 and 500 through the SDK and carries on", async () => {
    const { model, run } = setup([
      errorResponse(429, "rate_limit_error", { "retry-after": "0" }),
      errorResponse(500, "api_error", { "retry-after": "0" }),
      message([toolUse("submit_report", VALID_REPORT)]),
    ]);
    const outcome = await run();
    expect(outcome.ok).toBe(true);
    expect(model.requests).toHaveLength(3);
  });

  it("gives up with a reason when the model stays overloaded (529) after retries", async () => {
    const { model, run } = setup([errorResponse(529, "overloaded_error", { "retry-after": "0" })]);
    const outcome = await run();
    expect(outcome).toMatchObject({ ok: false });
    expect(!outcome.ok && outcome.reason).toMatch(/529/);
    expect(model.requests).toHaveLength(3);
  });

  it("gives up when a model call times out", async () => {
    const { run } = setup([hang(2_000)], { maxRetries: 0, timeoutMs: 150 });
    const outcome = await run();
    expect(!outcome.ok && outcome.reason).toMatch(/timed out/);
  });

  it("its signal ends a model call at once, saying why", async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error("the model's share of the triage deadline ran out")), 100);
    const { run } = setup([hang(5_000)], { maxRetries: 0, signal: stop.signal });
    const started = Date.now();
    const outcome = await run();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(!outcome.ok && outcome.reason).toBe("stopped: the model's share of the triage deadline ran out");
  });

  it("its signal ends the wait for tools, leaving them running for the rules engine", async () => {
    const stop = new AbortController();
    const { log, run } = setup([message([toolUse("get_pods_data", { executionId: EXEC })])], { signal: stop.signal, toolDelayMs: 3000 });
    setTimeout(() => stop.abort(new Error("deadline")), 300);
    const started = Date.now();
    const outcome = await run();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(!outcome.ok && outcome.reason).toBe("stopped: deadline");
    expect(log).toEqual(["start get_pods_data"]);
  });

  it("asks once for a repair of an invalid report and accepts the fix", async () => {
    const { model, run } = setup([
      message([toolUse("submit_report", { ...VALID_REPORT, findings: [{ text: "only one", tool: "get_pods_data" }], confidence: "certain" })]),
      message([toolUse("submit_report", VALID_REPORT)]),
    ]);
    const outcome = await run();
    expect(outcome.ok).toBe(true);
    const feedback = model.requests[1]!.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
    expect(feedback[0]!.is_error).toBe(true);
    expect(String(feedback[0]!.content)).toMatch(/findings/);
    expect(String(feedback[0]!.content)).toMatch(/confidence/);
  });

  it("falls back when the report stays invalid, or never comes", async () => {
    const invalid = setup([message([toolUse("submit_report", { issue: "x" })])]);
    const a = await invalid.run();
    expect(!a.ok && a.reason).toMatch(/invalid after one repair/);

    const silent = setup([message([text("I think it is memory.")])]);
    const b = await silent.run();
    expect(!b.ok && b.reason).toMatch(/without submitting/);
    expect(silent.model.requests).toHaveLength(2);
  });

  it("forces submit_report on the last allowed turn and stops at the turn budget", async () => {
    const { model, run } = setup([message([toolUse("get_pods_data", { executionId: EXEC, pod: "p-1" })]), message([toolUse("get_pods_data", { executionId: EXEC, pod: "p-2" })]), message([toolUse("get_pods_data", { executionId: EXEC, pod: "p-3" })])], {
      budgets: { maxTurns: 3 },
    });
    const outcome = await run();
    expect(!outcome.ok && outcome.reason).toMatch(/within 3 model turns/);
    expect(model.requests).toHaveLength(3);
    expect(model.requests[2]!.tool_choice).toEqual({ type: "tool", name: "submit_report" });
    expect(model.requests[0]!.tool_choice).toBeUndefined();
  });

  it("runs no more tool calls than the budget, even when one turn asks for more", async () => {
    const { model, invoker, run } = setup(
      [
        message([
          toolUse("get_pods_data", { executionId: EXEC }),
          toolUse("get_pod_events", { executionId: EXEC, pod: "p-1" }),
          toolUse("pull_pod_logs", { executionId: EXEC, pod: "p-1" }),
        ]),
        message([toolUse("submit_report", VALID_REPORT)]),
      ],
      { budgets: { maxToolCalls: 2 } },
    );
    const outcome = await run();
    expect(outcome.ok).toBe(true);
    expect(invoker.calls.map((c) => c.name)).toEqual(["get_pods_data", "get_pod_events"]);
    const results = model.requests[1]!.messages.at(-1)!.content as Anthropic.ToolResultBlockParam[];
    expect(results[2]).toMatchObject({ is_error: true });
    expect(String(results[2]!.content)).toMatch(/budget of 2 tool calls/);
    expect(model.requests[1]!.tool_choice).toEqual({ type: "tool", name: "submit_report" });
  });

  it("stops at the deadline and at the input-token budget", async () => {
    let clock = 0;
    const late = setup([message([toolUse("get_pods_data", { executionId: EXEC })])], { budgets: { deadline: 1000 }, now: () => (clock += 600) });
    const a = await late.run();
    expect(!a.ok && a.reason).toMatch(/deadline/);

    const hungry = setup([message([toolUse("get_pods_data", { executionId: EXEC })], { input_tokens: 60_000, cache_read_input_tokens: 0 })], {
      budgets: { maxInputTokens: 50_000 },
    });
    const b = await hungry.run();
    expect(!b.ok && b.reason).toMatch(/input-token budget/);
    expect(hungry.model.requests).toHaveLength(1);
  });
});

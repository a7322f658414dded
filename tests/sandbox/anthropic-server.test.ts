import Anthropic from "@anthropic-ai/sdk";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { modelReportSchema } from "../../src/report/schema.ts";
import { loadScenarios, startAnthropicServer, type AnthropicServer, type Scenario } from "../../src/sandbox/index.ts";

const API_KEY = "sk-ant-test";
const SYSTEM: Anthropic.TextBlockParam[] = [{ type: "text", text: "You are oncall-agent. ".repeat(200), cache_control: { type: "ephemeral" } }];
const TOOLS: Anthropic.Tool[] = [{ name: "get_incident_details", description: "d", input_schema: { type: "object" } }];

/** Plays a whole triage the way the agent loop does: every tool_use answered, history resent. */
async function playTriage(client: Anthropic, executionId: string, options: { maxTurns?: number } = {}) {
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: `Triage the failing health-check execution ${executionId}.` }];
  const responses: Anthropic.Message[] = [];
  for (let turn = 0; turn < (options.maxTurns ?? 10); turn++) {
    const response = await client.messages.create({ model: "sandbox-model", max_tokens: 2048, system: SYSTEM, tools: TOOLS, messages });
    responses.push(response);
    messages.push({ role: "assistant", content: response.content });
    const uses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    if (uses.length === 0 || uses.some((u) => u.name === "submit_report")) break;
    messages.push({ role: "user", content: uses.map((u) => ({ type: "tool_result" as const, tool_use_id: u.id, content: `[ok] output of ${u.name}` })) });
  }
  return responses;
}

describe("scripted model through @anthropic-ai/sdk", () => {
  let scenarios: Scenario[];
  let model: AnthropicServer;
  let client: Anthropic;
  beforeAll(async () => {
    scenarios = await loadScenarios("scenarios");
  });
  beforeEach(async () => {
    model = await startAnthropicServer({ scenarios, apiKey: API_KEY });
    client = new Anthropic({ apiKey: API_KEY, baseURL: model.url, maxRetries: 2, timeout: 5000 });
  });
  afterEach(async () => {
    await model.close();
  });
  const scenario = (prefix: string) => scenarios.find((s) => s.id.startsWith(prefix)) as Scenario;

  it("plays a scenario's script turn by turn and ends with a valid report", async () => {
    const s = scenario("21_");
    const responses = await playTriage(client, s.execution.workflowId.toUpperCase());
    expect(responses).toHaveLength(s.script.length);
    const toolNames = responses.map((r) => r.content.filter((b) => b.type === "tool_use").map((b) => (b as Anthropic.ToolUseBlock).name));
    expect(toolNames).toEqual(s.script.map((t) => t.calls.map((c) => c.name)));
    const uses = responses.flatMap((r) => r.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use"));
    expect(new Set(uses.map((u) => u.id)).size).toBe(uses.length);
    const first = uses[0];
    expect(first?.input).toMatchObject({ executionId: s.execution.workflowId });
    const report = uses.at(-1);
    expect(report?.name).toBe("submit_report");
    expect(modelReportSchema.safeParse(report?.input).success).toBe(true);
    expect(responses[0]?.stop_reason).toBe("tool_use");
  });

  it("reports usage like the real API: cache written on the first turn, read afterwards", async () => {
    const responses = await playTriage(client, scenario("01_").execution.workflowId);
    const [first, second] = responses;
    expect(first?.usage.cache_creation_input_tokens).toBeGreaterThan(1000);
    expect(first?.usage.cache_read_input_tokens).toBe(0);
    expect(second?.usage.cache_read_input_tokens).toBeGreaterThan(first?.usage.cache_creation_input_tokens ?? 0);
    expect(second?.usage.output_tokens).toBeGreaterThan(10);
    expect(model.requests.map((r) => r.turn)).toEqual([0, 1, 2]);
  });

  it("jumps to the report when submit_report is forced", async () => {
    const s = scenario("04_");
    const response = await client.messages.create({
      model: "m",
      max_tokens: 100,
      messages: [{ role: "user", content: `execution ${s.execution.workflowId}` }],
      tool_choice: { type: "tool", name: "submit_report" },
    });
    expect(response.content.find((b) => b.type === "tool_use")).toMatchObject({ name: "submit_report" });
  });

  it("retries a 429 and a 529 with retry-after, then answers", async () => {
    model.faults.add("messages", { kind: "status", status: 429, retryAfterSeconds: 0.01 });
    model.faults.add("messages", { kind: "status", status: 529, retryAfterSeconds: 0.01 });
    const responses = await playTriage(client, scenario("15_").execution.workflowId, { maxTurns: 1 });
    expect(responses[0]?.content.length).toBeGreaterThan(0);
    expect(model.requests.map((r) => r.status)).toEqual([429, 529, 200]);
  });

  it("sends a malformed report once, then the valid one on the repair turn", async () => {
    const s = scenario("15_");
    model.faults.add("messages", { kind: "malformed", variant: "invalid_report" });
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: `execution ${s.execution.workflowId}` }];
    const create = () => client.messages.create({ model: "m", max_tokens: 100, messages, tool_choice: { type: "tool", name: "submit_report" } });
    const bad = await create();
    const badUse = bad.content.find((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    expect(modelReportSchema.safeParse(badUse?.input).success).toBe(false);
    messages.push({ role: "assistant", content: bad.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: badUse?.id ?? "", is_error: true, content: "invalid" }] });
    const good = await create();
    expect(modelReportSchema.safeParse(good.content.find((b) => b.type === "tool_use")?.input).success).toBe(true);
  });

  it("refuses a bad key and an unknown execution", async () => {
    const stranger = new Anthropic({ apiKey: "sk-ant-wrong", baseURL: model.url, maxRetries: 0 });
    await expect(stranger.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "x" }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    await expect(client.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "no id here" }] })).rejects.toBeInstanceOf(Anthropic.BadRequestError);
  });

  it("hangs when told to, until the client gives up", async () => {
    model.faults.add("messages", { kind: "hang" });
    const impatient = new Anthropic({ apiKey: API_KEY, baseURL: model.url, maxRetries: 0, timeout: 200 });
    await expect(impatient.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: scenario("01_").execution.workflowId }] })).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });
});

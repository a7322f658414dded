import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { protectMessagesClient } from "../../src/agent/protect-client.ts";
import type { MessagesClient } from "../../src/agent/run-agent.ts";
import { createIdentifierMask } from "../../src/lib/identifier-mask.ts";

const TOKEN = ["ghp", "M1n2B3v4C5x6Z7l8K9j0H1g2F3d4S5a6P7o8"].join("_");

function fakeModel(answer: Anthropic.ContentBlock[]) {
  const bodies: Anthropic.MessageCreateParamsNonStreaming[] = [];
  const client: MessagesClient = {
    async create(body) {
      bodies.push(structuredClone(body));
      return { id: "m", type: "message", role: "assistant", model: body.model, content: answer, stop_reason: "tool_use", stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } as unknown as Anthropic.Message;
    },
  };
  return { client, bodies };
}

describe("protectMessagesClient", () => {
  it("redacts and masks every text it sends, and unmasks the answer for the tools and the report", async () => {
    const model = fakeModel([
      { type: "text", text: "masked-host-1 is down", citations: null },
      { type: "tool_use", id: "t2", name: "pull_pod_logs", input: { pod: "api-1", grep: "masked-ip-1" } },
    ] as Anthropic.ContentBlock[]);
    const client = protectMessagesClient(model.client, { secrets: ["configured-secret-1234"], mask: createIdentifierMask(["ips", "hosts"]) });
    const response = await client.create({
      model: "m",
      max_tokens: 10,
      messages: [
        { role: "user", content: `alert: db.prod.internal down, token ${TOKEN}` },
        { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "get_pods_data", input: { executionId: "e", note: "db.prod.internal" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "10.0.0.7 said configured-secret-1234" }] },
      ],
    });
    const sent = JSON.stringify(model.bodies);
    for (const secret of [TOKEN, "configured-secret-1234", "db.prod.internal", "10.0.0.7"]) expect(sent).not.toContain(secret);
    expect(sent).toContain("masked-host-1");
    expect(response.content).toEqual([
      { type: "text", text: "db.prod.internal is down", citations: null },
      { type: "tool_use", id: "t2", name: "pull_pod_logs", input: { pod: "api-1", grep: "10.0.0.7" } },
    ]);
  });

  it("without masking still redacts, and passes identifiers through", async () => {
    const model = fakeModel([]);
    await protectMessagesClient(model.client, { secrets: [] }).create({ model: "m", max_tokens: 1, messages: [{ role: "user", content: `db.prod.internal ${TOKEN}` }] });
    expect(model.bodies[0]?.messages[0]?.content).toBe("db.prod.internal ghp_[redacted]");
  });
});

import type Anthropic from "@anthropic-ai/sdk";
import { http, HttpResponse, delay } from "msw";

export const ANTHROPIC_URL = "https://anthropic.test";

type Step = Response | Anthropic.Message | (() => Promise<Response | Anthropic.Message>);

/**
 * A scripted Messages API: each request consumes the next step. Records every request body so
 * tests can assert what the loop sent (tool results, cache_control, tool_choice).
 */
export function createScriptedModel(steps: Step[]) {
  const requests: Anthropic.MessageCreateParamsNonStreaming[] = [];
  let index = 0;
  const handler = http.post(`${ANTHROPIC_URL}/v1/messages`, async ({ request }) => {
    requests.push((await request.json()) as Anthropic.MessageCreateParamsNonStreaming);
    const step = steps[Math.min(index, steps.length - 1)];
    index += 1;
    const value = typeof step === "function" ? await step() : step;
    return value instanceof Response ? value : HttpResponse.json(value);
  });
  return { handler, requests };
}

let idCounter = 0;
export function message(content: Anthropic.ContentBlock[], usage: Partial<Anthropic.Usage> = {}): Anthropic.Message {
  return {
    id: `msg_${++idCounter}`,
    type: "message",
    role: "assistant",
    model: "claude-sonnet-5-5",
    content,
    stop_reason: content.some((c) => c.type === "tool_use") ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 1200,
      output_tokens: 150,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 0,
      ...usage,
    } as Anthropic.Usage,
  } as Anthropic.Message;
}

export function toolUse(name: string, input: Record<string, unknown>): Anthropic.ToolUseBlock {
  return { type: "tool_use", id: `toolu_${++idCounter}`, name, input } as Anthropic.ToolUseBlock;
}

export function text(value: string): Anthropic.TextBlock {
  return { type: "text", text: value, citations: null } as Anthropic.TextBlock;
}

export const VALID_REPORT = {
  issue: "conductor-server OOMKilled on acme-eu-1",
  severity: "CRITICAL",
  findings: [
    {
      text: "conductor-server-7d9f8b6c5-x2kqp restarted 7 times, last state OOMKilled",
      tool: "get_pods_data",
      excerpt: "conductor-server-7d9f8b6c5-x2kqp 0/1 CrashLoopBackOff restarts=7 lastState=OOMKilled",
    },
    { text: "Events: OOMKilled, the container exceeded its memory limit", tool: "get_pod_events", excerpt: "Warning OOMKilled container exceeded memory limit" },
  ],
  likelyRootCause: "The server container exceeds its 2Gi memory limit under the current workflow load",
  confidence: "high",
  nextStep: "Raise the conductor-server memory limit or reduce load; check heap settings",
  appOrInfra: "infra",
};

export function errorResponse(status: number, type: string, headers: Record<string, string> = {}): () => Promise<Response> {
  return async () => HttpResponse.json({ type: "error", error: { type, message: type } }, { status, headers });
}

export function hang(ms: number): () => Promise<Response> {
  return async () => {
    await delay(ms);
    return HttpResponse.json({});
  };
}

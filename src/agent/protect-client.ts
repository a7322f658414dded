import type Anthropic from "@anthropic-ai/sdk";
import type { IdentifierMask } from "../lib/identifier-mask.ts";
import { redactText } from "../lib/redact.ts";
import type { MessagesClient } from "./run-agent.ts";

export interface ProtectOptions {
  /** Configured secret values, scrubbed besides the recognisable secret shapes. */
  secrets: readonly string[];
  /** ONCALL_MODEL_MASK: identifiers replaced by placeholders on the way out and put back in the answer. */
  mask?: IdentifierMask;
}

/**
 * The last gate before the model: every text of every request (the alert, tool results, the
 * conversation so far) is redacted, and masked when masking is on; the answer is unmasked, so
 * tools and the report see the real identifiers. The system prompt and tool schemas are ours.
 */
export function protectMessagesClient(client: MessagesClient, options: ProtectOptions): MessagesClient {
  const outgoing = (text: string) => {
    const clean = redactText(text, options.secrets);
    return options.mask ? options.mask.mask(clean) : clean;
  };
  const incoming = (text: string) => (options.mask ? options.mask.unmask(text) : text);
  return {
    async create(body, requestOptions) {
      const messages = body.messages.map((message) => ({ ...message, content: mapContent(message.content, outgoing) })) as Anthropic.MessageParam[];
      const response = await client.create({ ...body, messages }, requestOptions);
      if (!options.mask) return response;
      return { ...response, content: response.content.map((block) => mapBlock(block, incoming) as Anthropic.ContentBlock) };
    },
  };
}

function mapContent(content: Anthropic.MessageParam["content"], map: (text: string) => string): Anthropic.MessageParam["content"] {
  if (typeof content === "string") return map(content);
  return content.map((block) => mapBlock(block, map) as (typeof content)[number]);
}

function mapBlock(block: { type: string }, map: (text: string) => string): unknown {
  const value = block as Record<string, unknown>;
  switch (block.type) {
    case "text":
      return { ...value, text: map(String(value.text ?? "")) };
    case "tool_use":
      return { ...value, input: mapStrings(value.input, map) };
    case "tool_result": {
      const content = value.content;
      if (typeof content === "string") return { ...value, content: map(content) };
      return Array.isArray(content) ? { ...value, content: content.map((inner: { type: string }) => mapBlock(inner, map)) } : value;
    }
    default:
      return value;
  }
}

function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

import Anthropic from "@anthropic-ai/sdk";
import type { AnthropicConfig } from "../config/index.ts";

/** A free call that needs a valid key: read the configured model (it must exist for this key). */
export async function verifyAnthropic(anthropic: AnthropicConfig, options: { timeoutMs: number }): Promise<string> {
  const client = new Anthropic({
    apiKey: anthropic.apiKey,
    ...(anthropic.baseUrl ? { baseURL: anthropic.baseUrl } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  try {
    const model = await client.models.retrieve(anthropic.model);
    return `key OK; model ${model.id} available`;
  } catch (error) {
    if (error instanceof Anthropic.APIError && error.status === 401) throw new Error("the API key was rejected (401): check ANTHROPIC_API_KEY");
    if (error instanceof Anthropic.APIError && error.status === 404) throw new Error(`model ${anthropic.model} not found for this key (404): check ANTHROPIC_MODEL`);
    if (error instanceof Anthropic.APIError && error.status !== undefined) throw new Error(`HTTP ${error.status}: ${error.message}`);
    throw error;
  }
}

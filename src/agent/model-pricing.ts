/** USD per million tokens, by model family; used only to estimate the cost shown in a reply. */
const PRICES: { match: RegExp; input: number; output: number }[] = [
  { match: /opus-4-[5-9]|opus-[5-9]/, input: 5, output: 25 },
  { match: /opus/, input: 15, output: 75 },
  { match: /haiku-4|haiku-[5-9]/, input: 1, output: 5 },
  { match: /haiku/, input: 0.8, output: 4 },
  { match: /sonnet/, input: 3, output: 15 },
];

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Cache writes cost 1.25x input and cache reads 0.1x input (5-minute ephemeral cache). */
export function estimateCostUsd(model: string, usage: TokenUsage): number {
  const price = PRICES.find((p) => p.match.test(model)) ?? { input: 3, output: 15 };
  const cost =
    usage.inputTokens * price.input +
    usage.cacheWriteTokens * price.input * 1.25 +
    usage.cacheReadTokens * price.input * 0.1 +
    usage.outputTokens * price.output;
  return Math.round((cost / 1_000_000) * 10_000) / 10_000;
}

import { decodeSlackEntities } from "./neutralize.ts";

/** A posted reply (Block Kit sections and context, else its text) as plain lines for a terminal. */
export function blocksToText(message: { text?: string; blocks?: unknown }): string[] {
  const blocks = Array.isArray(message.blocks) ? (message.blocks as Record<string, unknown>[]) : [];
  const texts: string[] = [];
  for (const block of blocks) {
    if (block.type === "section" && isText(block.text)) texts.push(block.text.text);
    if (block.type === "context" && Array.isArray(block.elements)) {
      texts.push(block.elements.filter(isText).map((e) => e.text).join("  "));
    }
  }
  const raw = texts.length > 0 ? texts.join("\n") : (message.text ?? "");
  const linksAsText = raw.replace(/<(https?:[^|>]+)\|([^>]+)>/g, "$2 ($1)");
  return decodeSlackEntities(linksAsText).replace(/\u200b/g, "").split("\n");
}

function isText(value: unknown): value is { text: string } {
  return typeof value === "object" && value !== null && typeof (value as { text?: unknown }).text === "string";
}

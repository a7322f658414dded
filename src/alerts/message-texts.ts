import { z } from "zod";
import type { SlackMessageLike } from "./types.ts";

/**
 * Every piece of mrkdwn a Slack message carries, in reading order: the top-level text, then
 * blocks (section text and fields, context elements, rich text), then attachments. Aggregators
 * put the original alert only in blocks, so the parser must read them all.
 */
export function collectMessageTexts(message: SlackMessageLike): string[] {
  const texts = [message.text ?? "", ...(message.blocks ?? []).map((b) => renderBlock(b, 0)), ...(message.attachments ?? []).flatMap(renderAttachment)];
  return [...new Set(texts.map((t) => t.trim()).filter((t) => t !== ""))];
}

const str = z.string().optional().catch(undefined);
const list = z.array(z.unknown()).optional().catch(undefined);

const nodeSchema = z.object({
  type: str,
  text: z.union([z.string(), z.object({ text: z.string() })]).optional().catch(undefined),
  url: str,
  name: str,
  user_id: str,
  channel_id: str,
  range: str,
  elements: list,
  fields: list,
});
type BlockNode = z.infer<typeof nodeSchema>;

const attachmentSchema = z.object({
  pretext: str,
  title: str,
  text: str,
  fallback: str,
  fields: z.array(z.object({ title: str, value: str }).catch({})).optional().catch(undefined),
  blocks: list,
});

function readNode(value: unknown): BlockNode | null {
  const parsed = nodeSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

function textOf(node: BlockNode): string {
  if (node.text === undefined) return "";
  return typeof node.text === "string" ? node.text : node.text.text;
}

/**
 * Real blocks nest a few levels (rich text lists in quotes); anything deeper is hostile or broken
 * and is not read, so one message nested thousands deep cannot exhaust the stack.
 */
export const MAX_BLOCK_DEPTH = 16;

/** section, context, header and markdown blocks: their text, then fields and elements, one per line. */
function renderBlock(value: unknown, depth: number): string {
  const node = depth > MAX_BLOCK_DEPTH ? null : readNode(value);
  if (node === null) return "";
  const next = (child: unknown) => renderBlock(child, depth + 1);
  if (node.type === "rich_text") return (node.elements ?? []).map((child) => renderRichText(child, depth + 1)).join("\n");
  const parts = [textOf(node), ...(node.fields ?? []).map(next), ...(node.elements ?? []).map(next)];
  return parts.filter((p) => p !== "").join("\n");
}

/** Rich text is structured; it is rendered back to mrkdwn so one set of patterns reads both. */
function renderRichText(value: unknown, depth: number): string {
  const node = depth > MAX_BLOCK_DEPTH ? null : readNode(value);
  if (node === null) return "";
  const renderChild = (child: unknown) => renderRichText(child, depth + 1);
  switch (node.type) {
    case "text":
      return textOf(node);
    case "link": {
      const label = textOf(node);
      return node.url === undefined ? label : label === "" ? `<${node.url}>` : `<${node.url}|${label}>`;
    }
    case "emoji":
      return node.name === undefined ? "" : `:${node.name}:`;
    case "user":
      return node.user_id === undefined ? "" : `<@${node.user_id}>`;
    case "channel":
      return node.channel_id === undefined ? "" : `<#${node.channel_id}>`;
    case "broadcast":
      return node.range === undefined ? "" : `<!${node.range}>`;
    case "rich_text_list":
      return (node.elements ?? []).map(renderChild).join("\n");
    default:
      // rich_text_section, rich_text_quote, rich_text_preformatted: inline children.
      return (node.elements ?? []).map(renderChild).join("");
  }
}

function renderAttachment(value: unknown): string[] {
  const parsed = attachmentSchema.safeParse(value);
  if (!parsed.success) return [];
  const a = parsed.data;
  const fields = (a.fields ?? []).map((f) => [f.title, f.value].filter(Boolean).join(": "));
  return [a.pretext, a.title, a.text, ...fields, ...(a.blocks ?? []).map((b) => renderBlock(b, 1)), a.fallback].filter(
    (t): t is string => t !== undefined,
  );
}

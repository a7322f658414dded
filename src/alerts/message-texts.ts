import { z } from "zod";
import type { SlackMessageLike } from "./types.ts";

/**
 * Every piece of mrkdwn a Slack message carries, in reading order: the top-level text, then
 * blocks (section text and fields, context elements, rich text), then attachments. Aggregators
 * put the original alert only in blocks, so the parser must read them all.
 */
export function collectMessageTexts(message: SlackMessageLike): string[] {
  const texts = [message.text ?? "", ...(message.blocks ?? []).map(renderBlock), ...(message.attachments ?? []).flatMap(renderAttachment)];
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

/** section, context, header and markdown blocks: their text, then fields and elements, one per line. */
function renderBlock(value: unknown): string {
  const node = readNode(value);
  if (node === null) return "";
  if (node.type === "rich_text") return (node.elements ?? []).map(renderRichText).join("\n");
  const parts = [textOf(node), ...(node.fields ?? []).map(renderBlock), ...(node.elements ?? []).map(renderBlock)];
  return parts.filter((p) => p !== "").join("\n");
}

/** Rich text is structured; it is rendered back to mrkdwn so one set of patterns reads both. */
function renderRichText(value: unknown): string {
  const node = readNode(value);
  if (node === null) return "";
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
      return (node.elements ?? []).map(renderRichText).join("\n");
    default:
      // rich_text_section, rich_text_quote, rich_text_preformatted: inline children.
      return (node.elements ?? []).map(renderRichText).join("");
  }
}

function renderAttachment(value: unknown): string[] {
  const parsed = attachmentSchema.safeParse(value);
  if (!parsed.success) return [];
  const a = parsed.data;
  const fields = (a.fields ?? []).map((f) => [f.title, f.value].filter(Boolean).join(": "));
  return [a.pretext, a.title, a.text, ...fields, ...(a.blocks ?? []).map(renderBlock), a.fallback].filter(
    (t): t is string => t !== undefined,
  );
}

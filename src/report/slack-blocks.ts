import { redactSecrets } from "../lib/redact.ts";
import { TRIMMED_MARKER, trimForSlack } from "../slack/neutralize.ts";

/** Slack's limits (domain.md §6 and the Block Kit reference). */
export const SLACK_LIMITS = {
  sectionText: 3000,
  contextElementText: 3000,
  contextElements: 10,
  blocks: 50,
  messageText: 40_000,
} as const;

/** The notification text is what a phone shows: keep it far below Slack's 40,000. */
export const FALLBACK_TEXT_LIMIT = 400;

/** `verbatim` stops Slack from auto-linking bare URLs, channel names and mentions in our text. */
export interface MrkdwnText {
  type: "mrkdwn";
  text: string;
  verbatim: true;
}
export interface SectionBlock {
  type: "section";
  text: MrkdwnText;
}
export interface ContextBlock {
  type: "context";
  elements: MrkdwnText[];
}
export interface DividerBlock {
  type: "divider";
}
/** The Block Kit subset the bot posts; each member is assignable to `@slack/types`' KnownBlock. */
export type SlackBlock = SectionBlock | ContextBlock | DividerBlock;

export interface SlackReply {
  /** Plain notification/fallback text, neutralised. */
  text: string;
  blocks: SlackBlock[];
}

export function mrkdwn(text: string): MrkdwnText {
  return { type: "mrkdwn", text: trimForSlack(text, SLACK_LIMITS.sectionText), verbatim: true };
}

export function section(text: string): SectionBlock {
  return { type: "section", text: mrkdwn(text) };
}

export function context(texts: readonly string[]): ContextBlock {
  return { type: "context", elements: texts.slice(0, SLACK_LIMITS.contextElements).map(mrkdwn) };
}

export const DIVIDER: DividerBlock = { type: "divider" };

/**
 * Packs lines into as few texts of at most `limit` characters as it can, without splitting a line
 * unless the line alone is too long (then it is trimmed with the marker).
 */
export function splitForSlack(lines: readonly string[], limit: number = SLACK_LIMITS.sectionText): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = trimForSlack(raw, limit);
    if (current === "") current = line;
    else if (current.length + 1 + line.length <= limit) current += `\n${line}`;
    else {
      chunks.push(current);
      current = line;
    }
  }
  if (current !== "") chunks.push(current);
  return chunks;
}

/** Keeps a message within Slack's block count, saying so when blocks were dropped. */
export function capBlocks(blocks: readonly SlackBlock[], max: number = SLACK_LIMITS.blocks): SlackBlock[] {
  if (blocks.length <= max) return [...blocks];
  const dropped = blocks.length - (max - 1);
  return [...blocks.slice(0, max - 1), context([`${TRIMMED_MARKER} ${dropped} more blocks left out`])];
}

/**
 * Slack link markup from a URL the bot trusts. Returns null unless the URL is http(s) and free of
 * the characters that would end the markup early; the label is plain bot text, escaped here.
 */
export function slackLink(url: string | null | undefined, label: string): string | null {
  if (!url || !isSafeLinkUrl(url)) return null;
  const safeLabel = label.replace(/[|<>]/g, "").replace(/&/g, "&amp;");
  return `<${url.replace(/&/g, "&amp;")}|${safeLabel}>`;
}

/** http(s) only, nothing that ends link markup, and no credentials riding along in it. */
export function isSafeLinkUrl(url: string): boolean {
  if (!/^https?:\/\/[^\s|<>"`\u0000-\u001F\u007F]+$/i.test(url) || redactSecrets(url) !== url) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.hostname !== "";
  } catch {
    return false;
  }
}

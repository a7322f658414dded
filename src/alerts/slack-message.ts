import { z } from "zod";
import type { SlackMessageLike } from "./types.ts";

/**
 * Slack message JSON comes from the API or from a user's paste: every field is checked, and a
 * field of the wrong type is dropped rather than failing the whole message.
 */
const optionalString = z.string().optional().catch(undefined);
const optionalArray = z.array(z.unknown()).optional().catch(undefined);

const messageSchema = z.object({
  type: optionalString,
  subtype: optionalString,
  ts: optionalString,
  thread_ts: optionalString,
  user: optionalString,
  bot_id: optionalString,
  text: optionalString,
  blocks: optionalArray,
  attachments: optionalArray,
});

export function readSlackMessage(value: unknown): SlackMessageLike {
  const parsed = messageSchema.safeParse(value);
  if (!parsed.success) return {};
  // Drop absent keys so the result reads like the message it came from.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined)) as SlackMessageLike;
}

/** Subtypes Slack uses for membership, topic, pin and edit notices: never alerts. */
const SYSTEM_SUBTYPE =
  /^(?:channel_\w+|group_\w+|pinned_item|unpinned_item|message_changed|message_deleted|message_replied|tombstone|bot_add|bot_remove|reminder_add|huddle_thread|joiner_notification\w*)$/;

/** Why a message cannot be an alert before its text is read, or null when it might be one. */
export function findSkipReason(message: SlackMessageLike): string | null {
  if (message.subtype !== undefined && SYSTEM_SUBTYPE.test(message.subtype)) return `${message.subtype} message`;
  if (message.thread_ts !== undefined && message.ts !== undefined && message.thread_ts !== message.ts) {
    return `thread reply (thread_ts ${message.thread_ts} differs from ts ${message.ts})`;
  }
  return null;
}

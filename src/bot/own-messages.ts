import type { SlackApi, SlackMessage } from "../slack/slack-api.ts";
import { alertKey } from "../state/schema.ts";
import type { OwnReply } from "./handle-alert.ts";
import { readReplyMetadata } from "./reply-metadata.ts";

/** Who this bot is in Slack (auth.test). */
export interface BotIdentity {
  userId: string;
  botId: string | null;
}

export function isOwnMessage(self: BotIdentity | null, m: SlackMessage): boolean {
  return !!self && (m.user === self.userId || (!!self.botId && m.bot_id === self.botId));
}

/** A thread's parent says the thread may hold a reply of this bot (Slack lists only the first few repliers). */
export function mayHaveOwnReply(self: BotIdentity | null, message: SlackMessage): boolean {
  if (!self || !message.reply_users) return false;
  return message.reply_users.includes(self.userId) || (message.reply_users_count ?? 0) > message.reply_users.length;
}

/** This bot's reply in the alert's thread and what its metadata says it is (kind null: an older version's reply, without metadata). */
export async function findOwnReply(slack: SlackApi, self: BotIdentity | null, channel: string, ts: string): Promise<OwnReply | null> {
  const key = alertKey(channel, ts);
  for (const message of await slack.replies(channel, ts)) {
    if (message.ts === ts || !isOwnMessage(self, message)) continue;
    const identity = readReplyMetadata(message);
    if (identity && identity.alert !== key) continue;
    return { ts: message.ts, kind: identity?.kind ?? null, attempt: identity?.attempt ?? null };
  }
  return null;
}

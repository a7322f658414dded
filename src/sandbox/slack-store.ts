import type { SlackMessageInput } from "./scenario-schema.ts";

/** A Slack API error code (`ok: false, error: code`). */
export class SlackStoreError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = "SlackStoreError";
  }
}

export type StoredMessage = SlackMessageInput & {
  type: string;
  ts: string;
  thread_ts?: string;
  reactions?: { name: string; users: string[]; count: number }[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
};

export interface HistoryQuery {
  oldest?: string;
  latest?: string;
  inclusive: boolean;
  limit: number;
  cursor?: string;
}

export interface SlackStore {
  ensureChannel(channel: string): void;
  post(channel: string, message: Omit<StoredMessage, "ts">): StoredMessage;
  find(channel: string, ts: string): StoredMessage | undefined;
  topLevel(channel: string): StoredMessage[];
  /** Parent first, then replies, oldest first. */
  thread(channel: string, ts: string): StoredMessage[];
  history(channel: string, query: HistoryQuery): Record<string, unknown>;
  replies(channel: string, ts: string, limit: number, cursor?: string): Record<string, unknown>;
  react(channel: string, ts: string, name: string, user: string, add: boolean): void;
  permalink(channel: string, ts: string): string;
  openDirect(users: string): string;
}

/** Channel contents and Slack's rules over them, kept apart from HTTP. */
export function createSlackStore(initialChannels: string[], now: () => number): SlackStore {
  const channels = new Map<string, StoredMessage[]>(initialChannels.map((c) => [c, []]));
  let lastMicros = 0;

  const messagesOf = (channel: string): StoredMessage[] => {
    const list = channels.get(channel);
    if (!list) throw new SlackStoreError("channel_not_found");
    return list;
  };
  const isTopLevel = (m: StoredMessage) => m.thread_ts === undefined || m.thread_ts === m.ts || m.subtype === "thread_broadcast";
  const repliesOf = (list: StoredMessage[], ts: string) => list.filter((m) => m.thread_ts === ts && m.ts !== ts);
  const withThreadInfo = (list: StoredMessage[], m: StoredMessage): StoredMessage => {
    const replies = repliesOf(list, m.ts);
    if (replies.length === 0) return m;
    const users = [...new Set(replies.map((r) => r.user ?? r.bot_id ?? ""))];
    return { ...m, thread_ts: m.ts, reply_count: replies.length, reply_users: users, reply_users_count: users.length, latest_reply: replies.at(-1)?.ts };
  };

  const store: SlackStore = {
    ensureChannel(channel) {
      if (!channels.has(channel)) channels.set(channel, []);
    },
    post(channel, message) {
      const list = messagesOf(channel);
      lastMicros = Math.max(Math.floor(now() * 1000), lastMicros + 100);
      const stored = { ...message, ts: formatTs(lastMicros) } as StoredMessage;
      list.push(stored);
      return stored;
    },
    find: (channel, ts) => channels.get(channel)?.find((m) => m.ts === ts),
    topLevel: (channel) => (channels.get(channel) ?? []).filter(isTopLevel),
    thread(channel, ts) {
      const list = channels.get(channel) ?? [];
      const parent = list.find((m) => m.ts === ts);
      return parent ? [withThreadInfo(list, parent), ...repliesOf(list, ts)] : [];
    },
    history(channel, q) {
      const list = messagesOf(channel);
      const after = (ts: string, bound: string | undefined) => bound === undefined || (q.inclusive ? cmp(ts, bound) >= 0 : cmp(ts, bound) > 0);
      const before = (ts: string, bound: string | undefined) => bound === undefined || (q.inclusive ? cmp(ts, bound) <= 0 : cmp(ts, bound) < 0);
      const start = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
      const matching = list
        .filter((m) => isTopLevel(m) && after(m.ts, q.oldest) && before(m.ts, q.latest))
        .filter((m) => start === undefined || cmp(m.ts, start) <= 0)
        .sort((a, b) => cmp(b.ts, a.ts));
      const limit = Math.min(q.limit, 999);
      const page = matching.slice(0, limit).map((m) => withThreadInfo(list, m));
      const next = matching[limit];
      return {
        messages: page,
        has_more: next !== undefined,
        pin_count: 0,
        response_metadata: { next_cursor: next ? encodeCursor(next.ts) : "" },
      };
    },
    replies(channel, ts, limit, cursor) {
      messagesOf(channel);
      const all = store.thread(channel, ts);
      if (all.length === 0) throw new SlackStoreError("thread_not_found");
      const start = cursor === undefined ? undefined : decodeCursor(cursor);
      const remaining = start === undefined ? all : all.filter((m, i) => i > 0 && cmp(m.ts, start) >= 0);
      const page = remaining.slice(0, Math.min(limit, 1000));
      const next = remaining[page.length];
      return { messages: page, has_more: next !== undefined, response_metadata: { next_cursor: next ? encodeCursor(next.ts) : "" } };
    },
    react(channel, ts, name, user, add) {
      if (!name) throw new SlackStoreError("invalid_name");
      const message = messagesOf(channel).find((m) => m.ts === ts);
      if (!message) throw new SlackStoreError("message_not_found");
      const reactions = message.reactions ?? [];
      const existing = reactions.find((r) => r.name === name);
      const mine = existing?.users.includes(user) ?? false;
      if (add && mine) throw new SlackStoreError("already_reacted");
      if (!add && !mine) throw new SlackStoreError("no_reaction");
      if (add) {
        if (existing) existing.users.push(user);
        else reactions.push({ name, users: [user], count: 0 });
      } else if (existing) {
        existing.users = existing.users.filter((u) => u !== user);
      }
      message.reactions = reactions.filter((r) => r.users.length > 0).map((r) => ({ ...r, count: r.users.length }));
      if (message.reactions.length === 0) delete message.reactions;
    },
    permalink(channel, ts) {
      const message = messagesOf(channel).find((m) => m.ts === ts);
      if (!message) throw new SlackStoreError("message_not_found");
      const base = `https://sandbox.slack.com/archives/${channel}/p${ts.replace(".", "")}`;
      return isTopLevel(message) ? base : `${base}?thread_ts=${message.thread_ts}&cid=${channel}`;
    },
    openDirect(users) {
      const id = `D0${[...users].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(36).toUpperCase()}`;
      store.ensureChannel(id);
      return id;
    },
  };
  return store;
}

/** Slack's limits on blocks that the bot's messages must respect. */
export function checkBlocks(blocks: unknown): void {
  if (!Array.isArray(blocks) || blocks.length > 50) throw new SlackStoreError("invalid_blocks");
  for (const block of blocks as Record<string, unknown>[]) {
    if (typeof block?.type !== "string") throw new SlackStoreError("invalid_blocks");
    const text = (block.text as { text?: unknown } | undefined)?.text;
    if (block.type === "section" && typeof text === "string" && text.length > 3000) throw new SlackStoreError("invalid_blocks");
    if (block.type === "header" && typeof text === "string" && text.length > 150) throw new SlackStoreError("invalid_blocks");
  }
}

function toMicros(ts: string): number {
  const [seconds = "0", fraction = ""] = ts.split(".");
  return Number(seconds) * 1_000_000 + Number(fraction.padEnd(6, "0").slice(0, 6));
}

function cmp(a: string, b: string): number {
  return toMicros(a) - toMicros(b);
}

function formatTs(micros: number): string {
  return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, "0")}`;
}

function encodeCursor(ts: string): string {
  return Buffer.from(`next_ts:${ts}`).toString("base64");
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, "base64").toString("utf8");
  if (!text.startsWith("next_ts:")) throw new SlackStoreError("invalid_cursor");
  return text.slice("next_ts:".length);
}

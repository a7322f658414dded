import type { IncomingMessage } from "node:http";
import { createFaultQueue, type Faults, type HttpFault } from "./faults.ts";
import { delay, parseJson, sendJson, startHttpServer } from "./http-server.ts";
import { stringifyDeep } from "./stringify-deep.ts";
import type { SlackMessageInput } from "./scenario-schema.ts";
import { checkBlocks, createSlackStore, SlackStoreError, type SlackStore, type StoredMessage } from "./slack-store.ts";

/**
 * Slack-only faults besides the HTTP ones: `slack-error` answers HTTP 200 `{ ok: false, error }`
 * (e.g. "ratelimited", which Slack sends with status 200 too); `late` carries the call out and
 * answers only after `ms` (a post Slack took but answered after the client's timeout).
 */
export type SlackFault = HttpFault | { kind: "slack-error"; error: string } | { kind: "late"; ms: number };

export interface SlackServerOptions {
  token: string;
  /** Channels that exist from the start (alert channels). */
  channels: string[];
  /** The bot identity auth.test returns and reactions are made as. */
  bot?: { userId: string; botId: string; team: string; teamId: string };
  /** Delay added to every call. */
  latencyMs?: number;
  now?: () => number;
}

export interface SlackCall {
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface SlackServer {
  /** Base URL for WebClient's `slackApiUrl` / SLACK_API_URL, ending in `/api/`. */
  url: string;
  /** Posts a top-level message (an alert, chatter, another bot) and returns its ts. */
  postAlert(channel: string, message: SlackMessageInput): string;
  readonly calls: readonly SlackCall[];
  callsTo(method: string): SlackCall[];
  /** Top-level messages, oldest first. */
  messages(channel: string): StoredMessage[];
  /** The replies under a thread, oldest first (parent excluded). */
  replies(channel: string, threadTs: string): StoredMessage[];
  /** Reaction names on a message. */
  reactions(channel: string, ts: string): string[];
  /** A person reacts to a message (the on-call's 👍 on the bot's reply). */
  react(channel: string, ts: string, name: string, user: string): void;
  /** A person replies in a thread; returns the reply's ts. */
  postReply(channel: string, threadTs: string, text: string, user: string): string;
  faults: Faults<SlackFault>;
  close(): Promise<void>;
}

const DEFAULT_BOT = { userId: "U0SBXBOT01", botId: "B0SBXBOT01", team: "Sandbox Workspace", teamId: "T0SANDBOX1" };

/** A fake Slack Web API: `/api/<method>`, form-encoded or JSON bodies, answers like Slack's. */
export async function startSlackServer(options: SlackServerOptions): Promise<SlackServer> {
  const bot = options.bot ?? DEFAULT_BOT;
  const now = options.now ?? Date.now;
  const store = createSlackStore(options.channels, now);
  const calls: SlackCall[] = [];
  const faults = createFaultQueue<SlackFault>();

  const server = await startHttpServer(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = url.pathname.replace(/^\/api\//, "");
    const params = readParams(req, body, url);
    calls.push({ method, params, at: now() });
    await delay((options.latencyMs ?? 0) + faults.latencyFor(method), req);
    const fault = faults.take(method);
    if (fault?.kind === "hang") return;
    if (fault?.kind === "status") {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      return sendJson(res, fault.status, { ok: false, error: fault.status === 429 ? "ratelimited" : "internal_error" }, headers);
    }
    if (fault?.kind === "slack-error") return sendJson(res, 200, { ok: false, error: fault.error });
    const auth = checkAuth(req, params, options.token);
    if (auth) return sendJson(res, 200, { ok: false, error: auth });
    const answer = run(() => handle(method, params, store, bot));
    if (fault?.kind === "late") await delay(fault.ms, req);
    // Messages may nest deeper than JSON.stringify's recursion allows (real Slack serves them).
    const text = stringifyDeep(answer);
    res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  });

  return {
    url: `${server.origin}/api/`,
    postAlert: (channel, message) => store.post(channel, { ...message, type: "message" }).ts,
    get calls() {
      return calls;
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: (channel) => store.topLevel(channel),
    replies: (channel, ts) => store.thread(channel, ts).slice(1),
    reactions: (channel, ts) => store.find(channel, ts)?.reactions?.map((r) => r.name) ?? [],
    react: (channel, ts, name, user) => store.react(channel, ts, name, user, true),
    postReply: (channel, threadTs, text, user) => store.post(channel, { type: "message", text, user, thread_ts: threadTs }).ts,
    faults,
    close: () => server.close(),
  };
}

type Bot = typeof DEFAULT_BOT;

function handle(method: string, p: Record<string, unknown>, store: SlackStore, bot: Bot): Record<string, unknown> {
  const channel = String(p.channel ?? "");
  switch (method) {
    case "auth.test":
      return { url: "https://sandbox.slack.com/", team: bot.team, user: "oncall-agent", team_id: bot.teamId, user_id: bot.userId, bot_id: bot.botId, is_enterprise_install: false };
    case "conversations.history":
      return withoutMetadataUnless(flag(p.include_all_metadata), store.history(channel, {
        oldest: str(p.oldest),
        latest: str(p.latest),
        inclusive: flag(p.inclusive),
        limit: num(p.limit, 100),
        cursor: str(p.cursor),
      }));
    case "conversations.replies":
      return withoutMetadataUnless(flag(p.include_all_metadata), store.replies(channel, String(p.ts ?? ""), num(p.limit, 1000), str(p.cursor)));
    case "chat.postMessage": {
      const blocks = typeof p.blocks === "string" ? parseJson(p.blocks) : p.blocks;
      const text = str(p.text);
      if (!text && !blocks) throw new SlackStoreError("no_text");
      if (text && text.length > 40_000) throw new SlackStoreError("msg_too_long");
      if (blocks !== undefined) checkBlocks(blocks);
      const metadata = typeof p.metadata === "string" ? parseJson(p.metadata) : p.metadata;
      if (metadata !== undefined) checkMetadata(metadata);
      const message = store.post(channel, {
        type: "message",
        text: text ?? "",
        user: bot.userId,
        bot_id: bot.botId,
        ...(blocks ? { blocks: blocks as Record<string, unknown>[] } : {}),
        ...(str(p.thread_ts) ? { thread_ts: str(p.thread_ts) } : {}),
        ...(metadata !== undefined ? { metadata: metadata as StoredMessage["metadata"] } : {}),
      });
      return { channel, ts: message.ts, message };
    }
    case "reactions.add":
      store.react(channel, String(p.timestamp ?? ""), String(p.name ?? ""), bot.userId, true);
      return {};
    case "reactions.remove":
      store.react(channel, String(p.timestamp ?? ""), String(p.name ?? ""), bot.userId, false);
      return {};
    case "reactions.get": {
      const message = store.find(channel, String(p.timestamp ?? ""));
      if (!message) throw new SlackStoreError("message_not_found");
      return { type: "message", channel, message };
    }
    case "chat.getPermalink":
      return { channel, permalink: store.permalink(channel, String(p.message_ts ?? "")) };
    case "conversations.open": {
      const users = String(p.users ?? "");
      if (!users) throw new SlackStoreError("users_list_not_supplied");
      return { channel: { id: store.openDirect(users) } };
    }
    default:
      throw new SlackStoreError("unknown_method");
  }
}

/** Like Slack: message metadata comes back only when include_all_metadata is set. */
function withoutMetadataUnless(include: boolean, page: Record<string, unknown>): Record<string, unknown> {
  if (include || !Array.isArray(page.messages)) return page;
  return { ...page, messages: (page.messages as StoredMessage[]).map(({ metadata: _metadata, ...m }) => m) };
}

/** Slack's shape for message metadata: an event_type and an object payload. */
function checkMetadata(metadata: unknown): void {
  const m = metadata as { event_type?: unknown; event_payload?: unknown } | null;
  if (typeof m !== "object" || m === null || typeof m.event_type !== "string" || !/^[a-z0-9_]{1,255}$/.test(m.event_type)) {
    throw new SlackStoreError("invalid_metadata_format");
  }
  if (typeof m.event_payload !== "object" || m.event_payload === null || Array.isArray(m.event_payload)) throw new SlackStoreError("invalid_metadata_format");
}

function flag(value: unknown): boolean {
  return value === true || value === "true" || value === "1";
}

function run(handler: () => Record<string, unknown>): Record<string, unknown> {
  try {
    return { ok: true, ...handler() };
  } catch (error) {
    if (!(error instanceof SlackStoreError)) throw error;
    return { ok: false, error: error.code };
  }
}

function readParams(req: IncomingMessage, body: string, url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) Object.assign(params, parseJson(body) ?? {});
  else Object.assign(params, Object.fromEntries(new URLSearchParams(body)));
  return params;
}

function checkAuth(req: IncomingMessage, params: Record<string, unknown>, token: string): string | null {
  const header = req.headers.authorization;
  const given = header?.startsWith("Bearer ") ? header.slice(7) : str(params.token);
  if (!given) return "not_authed";
  return given === token ? null : "invalid_auth";
}

function str(value: unknown): string | undefined {
  return value === undefined || value === null || value === "" ? undefined : String(value);
}

function num(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

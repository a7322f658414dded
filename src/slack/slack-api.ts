import { ErrorCode, LogLevel, WebAPIPlatformError, WebClient, WebClientEvent, type RetryOptions, type WebClientOptions } from "@slack/web-api";
import { z } from "zod";
import type { SlackMessageLike } from "../alerts/types.ts";
import { OncallError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { compareSlackTs } from "../state/compare-slack-ts.ts";
import { MAX_JSON_DEPTH, createBoundedFetch } from "./bounded-fetch.ts";

/** The Slack calls the bot makes, behind one small interface so the core never sees WebClient. */
export interface SlackApi {
  authTest(): Promise<{ userId: string; botId: string | null; team: string | null }>;
  /** Every message after `oldest` (exclusive), all pages, oldest first. */
  history(channel: string, oldest: string): Promise<SlackMessage[]>;
  /** The thread under `ts`, parent included, with every message's metadata. */
  replies(channel: string, ts: string): Promise<SlackMessage[]>;
  /**
   * Posts once: never retried on a timeout or 5xx, since Slack may have accepted it (the caller
   * checks the thread). Rate limits (429 and HTTP 200 `ratelimited`) are waited out: nothing was posted.
   */
  postMessage(message: { channel: string; threadTs?: string; text: string; blocks?: unknown[]; metadata?: MessageMetadata }): Promise<{ ts: string }>;
  addReaction(channel: string, ts: string, name: string): Promise<void>;
  removeReaction(channel: string, ts: string, name: string): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | null>;
  openDirectMessage(userId: string): Promise<string>;
}

/** Slack message metadata: what the bot attaches to each reply so that recovery can read it back. */
export interface MessageMetadata {
  event_type: string;
  event_payload: Record<string, string | number | boolean>;
}

export type SlackMessage = SlackMessageLike & {
  ts: string;
  metadata?: MessageMetadata;
  /** On a thread's parent in history: the first few users who replied, and how many did. */
  reply_users?: string[];
  reply_users_count?: number;
};

const messageSchema = z.looseObject({ ts: z.string(), text: z.string().optional() });
const historyPageSchema = z.looseObject({
  messages: z.array(z.unknown()).default([]),
  has_more: z.boolean().optional(),
  response_metadata: z.looseObject({ next_cursor: z.string().optional() }).optional(),
});

/** How long one call waits out HTTP 200 `ratelimited` answers in total before giving up (slack_ratelimited). */
export const MAX_RATE_LIMIT_WAIT_MS = 60_000;

/** Bounded retries for 5xx and network errors: a few tries within about a minute, not Slack's 30-minute default. Never for chat.postMessage. */
export const SLACK_RETRY_POLICY: RetryOptions = { retries: 4, factor: 2, minTimeout: 1000, maxTimeout: 15_000, randomize: true };
/** For tests: retries without the wait. */
export const FAST_SLACK_RETRY_POLICY: RetryOptions = { retries: 2, factor: 1, minTimeout: 0, maxTimeout: 1, randomize: false };

export interface SlackApiOptions {
  token: string;
  apiUrl: string;
  logger: Logger;
  timeoutMs?: number;
  retryPolicy?: RetryOptions;
  pageSize?: number;
  /** Waits out rate limits; tests pass a fast one. */
  sleep?: (ms: number) => Promise<void>;
}

export function createSlackApi(options: SlackApiOptions): SlackApi {
  const { logger } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clientOptions: WebClientOptions = {
    slackApiUrl: options.apiUrl,
    fetch: createBoundedFetch(({ url, cut }) => logger.warn({ method: url.split("/").pop(), cut }, `a Slack answer nested deeper than ${MAX_JSON_DEPTH} levels was cut there`)),
    timeout: options.timeoutMs ?? 15_000,
    retryConfig: options.retryPolicy ?? SLACK_RETRY_POLICY,
    // 429s with Retry-After are waited out by the client; we only log them.
    rejectRateLimitedCalls: false,
    logLevel: LogLevel.ERROR,
    logger: {
      debug: () => {},
      info: () => {},
      warn: (...m: unknown[]) => logger.warn({ slack: m.map(String).join(" ") }, "slack client warning"),
      error: (...m: unknown[]) => logger.warn({ slack: m.map(String).join(" ") }, "slack client error"),
      setLevel: () => {},
      getLevel: () => LogLevel.ERROR,
      setName: () => {},
    },
  };
  const client = new WebClient(options.token, clientOptions);
  // Posts are not idempotent: no blind retries; a 429 is thrown to `call`, which waits it out.
  const poster = new WebClient(options.token, { ...clientOptions, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
  client.on(WebClientEvent.RATE_LIMITED, (retryAfter: number, { url }: { url: string }) => {
    logger.warn({ retryAfterSeconds: retryAfter, method: url.split("/").pop() }, "slack rate limited; waiting");
  });
  const pageSize = options.pageSize ?? 200;

  // A rate limit means the call was not carried out, so repeating it is safe for every method.
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    let waited = 0;
    for (;;) {
      try {
        return await run();
      } catch (error) {
        const retryAfterMs = rateLimitWaitMs(error);
        if (retryAfterMs === null) throw toSlackError(method, error);
        if (waited + retryAfterMs > MAX_RATE_LIMIT_WAIT_MS) {
          throw new OncallError("slack_ratelimited", `Slack ${method} stayed rate limited for ${Math.round(waited / 1000)} s`, { cause: error });
        }
        logger.warn({ method, retryAfterMs }, "slack rate limited; waiting");
        await sleep(retryAfterMs);
        waited += retryAfterMs;
      }
    }
  };

  return {
    authTest: () =>
      call("auth.test", async () => {
        const r = await client.auth.test();
        if (!r.user_id) throw new Error("auth.test returned no user_id");
        return { userId: r.user_id, botId: r.bot_id ?? null, team: r.team ?? null };
      }),

    history: (channel, oldest) =>
      call("conversations.history", async () => {
        const messages: SlackMessage[] = [];
        let cursor: string | undefined;
        do {
          const page = historyPageSchema.parse(
            await client.conversations.history({ channel, oldest, limit: pageSize, inclusive: false, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
          );
          for (const raw of page.messages) {
            const parsed = messageSchema.safeParse(raw);
            if (parsed.success) messages.push(parsed.data as SlackMessage);
            else logger.warn({ channel }, "skipping a history item without a ts");
          }
          cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
        } while (cursor);
        return messages.sort((a, b) => compareSlackTs(a.ts, b.ts));
      }),

    replies: (channel, ts) =>
      call("conversations.replies", async () => {
        const all: SlackMessage[] = [];
        let cursor: string | undefined;
        do {
          const page = await client.conversations.replies({ channel, ts, limit: pageSize, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
          for (const raw of page.messages ?? []) {
            const parsed = messageSchema.safeParse(raw);
            if (parsed.success) all.push(parsed.data as SlackMessage);
          }
          cursor = page.has_more ? page.response_metadata?.next_cursor || undefined : undefined;
        } while (cursor);
        return all;
      }),

    postMessage: ({ channel, threadTs, text, blocks, metadata }) =>
      call("chat.postMessage", async () => {
        const r = await poster.chat.postMessage({
          channel,
          text,
          ...(threadTs ? { thread_ts: threadTs } : {}),
          ...(blocks ? { blocks: blocks as never } : {}),
          ...(metadata ? { metadata } : {}),
          unfurl_links: false,
          unfurl_media: false,
        });
        if (!r.ts) throw new Error("chat.postMessage returned no ts");
        return { ts: r.ts };
      }),

    addReaction: (channel, ts, name) =>
      call("reactions.add", async () => {
        await ignoringCodes(["already_reacted"], () => client.reactions.add({ channel, timestamp: ts, name }));
      }),

    removeReaction: (channel, ts, name) =>
      call("reactions.remove", async () => {
        await ignoringCodes(["no_reaction"], () => client.reactions.remove({ channel, timestamp: ts, name }));
      }),

    permalink: async (channel, ts) => {
      try {
        const r = await client.chat.getPermalink({ channel, message_ts: ts });
        return r.permalink ?? null;
      } catch (error) {
        logger.debug({ error: errorMessage(error) }, "no permalink");
        return null;
      }
    },

    openDirectMessage: (userId) =>
      call("conversations.open", async () => {
        const r = await client.conversations.open({ users: userId });
        const id = r.channel?.id;
        if (!id) throw new Error("conversations.open returned no channel id");
        return id;
      }),
  };
}

/** How long to wait before repeating a rate-limited call (429 or HTTP 200 `ratelimited`); null: not a rate limit. */
function rateLimitWaitMs(error: unknown): number | null {
  if (error instanceof Error && "code" in error && error.code === ErrorCode.RateLimitedError) {
    return Math.max(1, Number((error as { retryAfter?: number }).retryAfter ?? 1)) * 1000;
  }
  if (error instanceof WebAPIPlatformError && error.data.error === "ratelimited") {
    const retryAfter = Number((error.data.response_metadata as { retryAfter?: number } | undefined)?.retryAfter ?? 1);
    return Math.max(1, Number.isFinite(retryAfter) ? retryAfter : 1) * 1000;
  }
  return null;
}

async function ignoringCodes(codes: string[], run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (error instanceof WebAPIPlatformError && codes.includes(error.data.error)) return;
    throw error;
  }
}

/** Slack errors with a stable code, the method, and a hint for the usual set-up mistakes. */
export function toSlackError(method: string, error: unknown): OncallError {
  if (error instanceof OncallError) return error;
  if (error instanceof WebAPIPlatformError) {
    const code = error.data.error;
    const hint = SLACK_HINTS[code];
    return new OncallError(`slack_${code}`, `Slack ${method} failed: ${code}${hint ? ` (${hint})` : ""}`, { cause: error });
  }
  return new OncallError("slack_request", `Slack ${method} failed: ${errorMessage(error)}`, { cause: error });
}

const SLACK_HINTS: Record<string, string> = {
  invalid_auth: "SLACK_BOT_TOKEN is wrong or revoked",
  not_authed: "SLACK_BOT_TOKEN is missing",
  channel_not_found: "check SLACK_ALERT_CHANNELS holds channel ids the bot can see",
  not_in_channel: "invite the bot to the channel (/invite @oncall-agent)",
  missing_scope: "add the channels:history, chat:write and reactions:write scopes and reinstall the app",
};

/** A Slack-style ts for a moment in time, used as the watermark of a channel seen for the first time. */
export function tsFromMillis(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, "0")}`;
}

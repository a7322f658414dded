import { http, HttpResponse } from "msw";

/** Bodies arrive form-encoded (blocks JSON-encoded) or as JSON, like @slack/web-api sends them. */
async function readParams(request: Request): Promise<Record<string, string>> {
  const text = await request.text();
  if ((request.headers.get("content-type") ?? "").includes("application/json")) {
    return Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, unknown>).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export interface FakeMessage {
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  subtype?: string;
  blocks?: unknown[];
  metadata?: unknown;
}

export interface SlackCall {
  method: string;
  params: Record<string, string>;
}

/**
 * An in-memory Slack workspace behind msw handlers, for tests of the real Slack client.
 * History is newest-first with cursor pagination, like the real API.
 */
export function createFakeSlack(
  options: { apiUrl?: string; botUserId?: string; botId?: string; pageSize?: number; /** Sent as auth.test's x-oauth-scopes header. */ scopes?: string[] } = {},
) {
  const apiUrl = options.apiUrl ?? "https://slack.test/api/";
  const botUserId = options.botUserId ?? "UBOT";
  const botId = options.botId ?? "BBOT";
  const channels = new Map<string, FakeMessage[]>();
  const reactions = new Map<string, Set<string>>();
  const calls: SlackCall[] = [];
  /** Per-method faults: the next `count` calls answer with `respond()`. */
  /** `when`: only requests it accepts take the fault (e.g. posts to one channel); `respond` sees the request's parameters. */
  const faults = new Map<string, { count: number; respond: (body: Record<string, string>) => Response; when?: (body: Record<string, string>) => boolean }>();
  // Real Slack ts are wall-clock microseconds; keep them monotonic so ordering is well-defined.
  let lastMicros = 0;
  const nextTs = () => {
    lastMicros = Math.max(Date.now() * 1000 + 1, lastMicros + 100);
    const s = String(lastMicros);
    return `${s.slice(0, 10)}.${s.slice(10)}`;
  };
  const list = (channel: string) => {
    if (!channels.has(channel)) channels.set(channel, []);
    return channels.get(channel)!;
  };

  const handlers = [
    http.post(`${apiUrl}:method`, async ({ request, params }) => {
      const method = String(params.method);
      const body = await readParams(request);
      calls.push({ method, params: body });
      const fault = faults.get(method);
      if (fault && fault.count > 0 && (!fault.when || fault.when(body))) {
        fault.count -= 1;
        return fault.respond(body);
      }
      switch (method) {
        case "auth.test":
          return HttpResponse.json(
            { ok: true, user_id: botUserId, bot_id: botId, team: "T1" },
            options.scopes ? { headers: { "x-oauth-scopes": options.scopes.join(",") } } : {},
          );
        case "conversations.open":
          // One DM channel per user, named after it, like Slack's stable D... ids.
          return HttpResponse.json({ ok: true, channel: { id: `D${String(body.users ?? "").replace(/^[UW]/, "")}` } });
        case "conversations.history": {
          const oldest = body.oldest ?? "0";
          const limit = Number(body.limit ?? options.pageSize ?? 100);
          const visible = list(body.channel ?? "")
            .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
            .filter((m) => Number(m.ts) > Number(oldest))
            .sort((a, b) => Number(b.ts) - Number(a.ts));
          const start = Number(body.cursor ?? 0);
          const all = list(body.channel ?? "");
          // Like Slack, a parent carries the users who replied in its thread.
          const page = visible.slice(start, start + limit).map((m) => {
            const users = [...new Set(all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).map((r) => r.user ?? r.bot_id ?? ""))];
            return users.length > 0 ? { ...m, reply_users: users } : m;
          });
          const more = start + limit < visible.length;
          return HttpResponse.json({ ok: true, messages: page, has_more: more, response_metadata: { next_cursor: more ? String(start + limit) : "" } });
        }
        case "conversations.replies": {
          if (!list(body.channel ?? "").some((m) => m.ts === body.ts)) return HttpResponse.json({ ok: false, error: "thread_not_found" });
          const withMetadata = body.include_all_metadata === "true" || body.include_all_metadata === "1";
          const thread = list(body.channel ?? "")
            .filter((m) => m.ts === body.ts || m.thread_ts === body.ts)
            .map(({ metadata, ...m }) => (withMetadata && metadata !== undefined ? { ...m, metadata } : m));
          return HttpResponse.json({ ok: true, messages: thread.sort((a, b) => Number(a.ts) - Number(b.ts)), has_more: false });
        }
        case "chat.postMessage": {
          const message: FakeMessage = { ts: nextTs(), text: body.text ?? "", user: botUserId, bot_id: botId };
          if (body.thread_ts) message.thread_ts = body.thread_ts;
          if (body.blocks) message.blocks = JSON.parse(body.blocks) as unknown[];
          if (body.metadata) message.metadata = JSON.parse(body.metadata) as unknown;
          list(body.channel ?? "").push(message);
          return HttpResponse.json({ ok: true, ts: message.ts, channel: body.channel });
        }
        case "reactions.add":
        case "reactions.remove": {
          const key = `${body.channel}:${body.timestamp}`;
          const set = reactions.get(key) ?? new Set<string>();
          reactions.set(key, set);
          const name = body.name ?? "";
          if (method === "reactions.add") {
            if (set.has(name)) return HttpResponse.json({ ok: false, error: "already_reacted" });
            set.add(name);
          } else {
            if (!set.has(name)) return HttpResponse.json({ ok: false, error: "no_reaction" });
            set.delete(name);
          }
          return HttpResponse.json({ ok: true });
        }
        case "chat.getPermalink":
          return HttpResponse.json({ ok: true, permalink: `https://example.slack.com/archives/${body.channel}/p${String(body.message_ts).replace(".", "")}` });
        default:
          return HttpResponse.json({ ok: false, error: "unknown_method" });
      }
    }),
  ];

  return {
    apiUrl,
    botUserId,
    botId,
    handlers,
    calls,
    post(channel: string, message: Omit<FakeMessage, "ts"> & { ts?: string }): string {
      const ts = message.ts ?? nextTs();
      list(channel).push({ ...message, ts });
      return ts;
    },
    remove(channel: string, ts: string): void {
      channels.set(channel, list(channel).filter((m) => m.ts !== ts));
    },
    repliesTo(channel: string, ts: string): FakeMessage[] {
      return list(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
    },
    reactionsOn(channel: string, ts: string): string[] {
      return [...(reactions.get(`${channel}:${ts}`) ?? [])].sort();
    },
    failNext(method: string, count: number, respond: (body: Record<string, string>) => Response, when?: (body: Record<string, string>) => boolean) {
      faults.set(method, { count, respond, ...(when ? { when } : {}) });
    },
    callsOf(method: string): SlackCall[] {
      return calls.filter((c) => c.method === method);
    },
  };
}

export type FakeSlack = ReturnType<typeof createFakeSlack>;

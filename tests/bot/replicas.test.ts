import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import type { Report } from "../../src/report/schema.ts";
import type { StateHandle } from "../../src/state/operations.ts";
import { createNotifier } from "../../src/notify/notifier.ts";
import { createSlackApi, FAST_SLACK_RETRY_POLICY } from "../../src/slack/slack-api.ts";
import { migrate } from "../../src/state/postgres/migrations.ts";
import { pgStateHandle } from "../../src/state/postgres/pg-state-handle.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { createMswServer } from "../helpers/msw.ts";
import { policy } from "../notify/notify-fixtures.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";
import { createFakeSlack, type FakeSlack } from "../helpers/slack-msw.ts";
import { alertText, CHANNEL, fakeTriager, makeBot, report } from "./bot-fixtures.ts";

/**
 * Two bots in one process on one real PostgreSQL, each with its own holder: the bot's side of
 * sharing the work (poll lease, claims, takeover, fencing before a post). Subprocess replicas
 * through kill -9 are tests/e2e/replicas.test.ts.
 */
let slack: FakeSlack;
let server: PostgresServer;
const msw = createMswServer();
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  msw.listen({ onUnhandledRequest: "error" });
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  msw.close();
  await server?.stop();
});
beforeEach(() => {
  slack = createFakeSlack();
  msw.use(...slack.handlers);
});
afterEach(async () => {
  msw.resetHandlers();
  for (const close of closers.splice(0)) await close().catch(() => {});
});

const SINCE = "1700000000.000000";

async function replicas(n: number, leaseMs = 30_000): Promise<{ handles: StateHandle[]; pool: pg.Pool }> {
  const url = await server.createDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  await migrate(pool, silentLogger);
  closers.push(() => pool.end());
  const handles = [];
  for (let i = 0; i < n; i += 1) {
    const replicaPool = new pg.Pool({ connectionString: url, max: 3 });
    replicaPool.on("error", () => {});
    const store = new PgStateStore(replicaPool, { holder: `replica-${i}`, leaseMs }, { clock: systemClock, logger: silentLogger });
    closers.push(() => store.close());
    handles.push(pgStateHandle(store));
  }
  return { handles, pool };
}

describe("bots sharing one PostgreSQL state", () => {
  it("poll each channel from one replica only; the other makes no Slack call for it", async () => {
    const { handles } = await replicas(2);
    const [a, b] = handles.map((h) => makeBot(slack, h, fakeTriager().triager, { since: SINCE }));
    for (let cycle = 0; cycle < 3; cycle += 1) {
      await a!.pollOnce();
      await b!.pollOnce();
    }
    expect(slack.callsOf("conversations.history")).toHaveLength(3);
  });

  it("answers an alert taken over from a stalled replica once: the stalled one posts nothing when it comes back", async () => {
    const { handles, pool } = await replicas(2);
    const { text } = alertText();
    const ts = slack.post(CHANNEL, { text, bot_id: "BHEALTH" });
    let release!: (r: Report) => void;
    const stalled = fakeTriager(() => new Promise<Report>((resolve) => (release = resolve)));
    const a = makeBot(slack, handles[0]!, stalled.triager, { since: SINCE });
    const b = makeBot(slack, handles[1]!, fakeTriager().triager, { since: SINCE });
    await a.pollOnce();
    while (stalled.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    // Replica A stops renewing (a stalled process, a partition): its lease runs out.
    await pool.query("UPDATE oncall_alerts SET lease_until = clock_timestamp() - interval '1 second'");
    await b.pollOnce();
    await b.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    release(report({ likelyRootCause: "the stalled replica's answer" }));
    await a.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(JSON.stringify(slack.repliesTo(CHANNEL, ts))).not.toContain("the stalled replica's answer");
    const { rows } = await pool.query<{ status: string; crashes: number }>("SELECT status, (record->>'crashes')::int AS crashes FROM oncall_alerts");
    expect(rows).toEqual([{ status: "replied", crashes: 1 }]); // the cut attempt counts as a crash
  });

  it("does not post a prepared reply once another replica has taken the alert over and answered it", async () => {
    const { handles, pool } = await replicas(2);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    // Replica A stalls right after recording its reply as about to be posted.
    let prepared!: () => void;
    const reachedPost = new Promise<void>((resolve) => (prepared = resolve));
    let resume!: () => void;
    const gate = new Promise<void>((resolve) => (resume = resolve));
    const inner = handles[0]!;
    const stalling: StateHandle = {
      get state() {
        return inner.state;
      },
      shared: inner.shared!,
      async apply(ops) {
        await inner.apply(ops);
        if ((Array.isArray(ops) ? ops : [ops]).some((o) => o.op === "preparePost")) {
          prepared();
          await gate;
        }
      },
    };
    const a = makeBot(slack, stalling, fakeTriager().triager, { since: SINCE });
    const b = makeBot(slack, handles[1]!, fakeTriager().triager, { since: SINCE });
    await a.pollOnce();
    await reachedPost;
    await pool.query("UPDATE oncall_alerts SET lease_until = clock_timestamp() - interval '1 second'");
    await b.pollOnce(); // takes it over: the reply is not in the thread, so B posts it
    await b.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    resume();
    await a.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });

  it("hands work beyond a replica's room to the other through the queue", async () => {
    const { handles } = await replicas(2);
    for (let i = 0; i < 4; i += 1) slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const slow = () => new Promise<Report>((resolve) => setTimeout(() => resolve(report()), 300));
    const [ta, tb] = [fakeTriager(slow), fakeTriager(slow)];
    const a = makeBot(slack, handles[0]!, ta.triager, { since: SINCE, concurrency: 2 });
    const b = makeBot(slack, handles[1]!, tb.triager, { since: SINCE, concurrency: 2 });
    await a.pollOnce();
    await b.pollOnce();
    await Promise.all([a.drain(), b.drain()]);
    expect([ta.requests.length, tb.requests.length]).toEqual([2, 2]);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(4);
  });

  it("does not send a DM again that another replica sent and recorded as failed while this one was reserving it", async () => {
    const { handles } = await replicas(2);
    const [a, b] = [handles[0]!, handles[1]!];
    const alert = { channel: CHANNEL, ts: "1700000000.000100", executionId: "exec-dm", signature: "sig-dm" };
    await a.apply({ op: "adoptReply", alert, replyTs: "1700000000.000200", kind: "full", now: Date.now() });
    const dm = { channel: "dm" as const, reason: "severity CRITICAL", users: ["U0ONCALL1"], text: "Redis at 71%" };
    await a.shared!.outbox().put({ channel: alert.channel, ts: alert.ts, notifications: [dm] });
    // B reads the record (no attempt yet); meanwhile A's attempt lands in Slack, answers 500 and is recorded as failed.
    const racing: StateHandle = {
      get state() {
        return b.state;
      },
      apply: (ops) => b.apply(ops),
      shared: {
        ...b.shared!,
        beginNotification: async (id, channel, maxAttempts, now) => {
          slack.post("D0ONCALL1", { text: dm.text, user: slack.botUserId, bot_id: slack.botId, metadata: { event_type: "oncall_agent_notification", event_payload: { alert: `${alert.channel}:${alert.ts}` } } });
          await a.apply({ op: "recordNotification", id, channel, outcome: { status: "failed", reason: "Slack 500", now } });
          return b.shared!.beginNotification(id, channel, maxAttempts, now);
        },
      },
    };
    const api = createSlackApi({ token: "xoxb-test", apiUrl: slack.apiUrl, logger: silentLogger, retryPolicy: FAST_SLACK_RETRY_POLICY });
    const notifier = createNotifier(
      { policy: policy({ escalationUsers: ["U0ONCALL1"] }), maxAttempts: 3, backoffMs: [5] },
      { store: racing, slack: api, email: null, outbox: b.shared!.outbox(), clock: systemClock, logger: silentLogger },
    );
    expect(await notifier.retryPending()).toBe(1);
    await notifier.drain();
    expect(slack.callsOf("chat.postMessage")).toHaveLength(0); // found in the DM channel, not sent again
    await b.shared!.refresh({ alerts: [alert] });
    expect(b.state.alerts[`${alert.channel}:${alert.ts}`]?.notifications?.dm).toMatchObject({ status: "sent", attempts: 2, delivered: ["U0ONCALL1"] });
  });
});

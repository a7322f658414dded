import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import type { Report } from "../../src/report/schema.ts";
import type { StateHandle } from "../../src/state/operations.ts";
import { migrate } from "../../src/state/postgres/migrations.ts";
import { pgStateHandle } from "../../src/state/postgres/pg-state-handle.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { createMswServer } from "../helpers/msw.ts";
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
});

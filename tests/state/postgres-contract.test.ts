import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { wholeStateAlertStore, type AlertStore } from "../../src/state/alert-store.ts";
import {
  alertKey,
  claim,
  defaultPruneLimits,
  failAttempt,
  markReplied,
  preparePost,
  recordDiagnosis,
  recordNotification,
  recordStep,
  startAttempt,
  type AlertRef,
} from "../../src/state/index.ts";
import { migrate } from "../../src/state/postgres/migrations.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { openStateStore } from "../../src/state/state-store.ts";
import { tempStatePath } from "../bot/bot-fixtures.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";

/**
 * The AlertStore contract, run against both stores: the state file (wrapped) and PostgreSQL.
 * What the bot relies on must hold for each; what differs (leases between replicas) is tested
 * in postgres-store.test.ts.
 */
const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const C = "C0ALERTS";
const ref = (n: number): AlertRef => ({ channel: C, ts: `1700000000.${String(n).padStart(6, "0")}`, executionId: `exec-${n}`, signature: `sig-${n}` });
const scopeOf = (a: AlertRef) => ({ alerts: [a], executions: [a.executionId], signatures: [a.signature] });
const REPLY = { kind: "full" as const, text: "Redis full", blocks: [], summary: "backlog" };

let server: PostgresServer;
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterEach(async () => {
  for (const close of closers.splice(0)) await close().catch(() => {});
});
afterAll(async () => {
  await server?.stop();
});

const stores: Record<string, () => Promise<AlertStore>> = {
  "state file": async () => {
    const file = await openStateStore(tempStatePath(), { logger: silentLogger, clock: systemClock });
    closers.push(() => file.close());
    return wholeStateAlertStore(file);
  },
  PostgreSQL: async () => {
    const url = await server.createDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pool.on("error", () => {});
    await migrate(pool, silentLogger);
    const store = new PgStateStore(pool, { holder: "contract", leaseMs: 30_000 }, { clock: systemClock, logger: silentLogger });
    closers.push(() => store.close());
    return store;
  },
};

describe.each(Object.keys(stores))("the AlertStore contract on the %s", (name) => {
  const open = stores[name]!;

  it("applies transitions to the scope and returns the records after them", async () => {
    const store = await open();
    const a = ref(1);
    const after = await store.update(scopeOf(a), (s) => startAttempt(claim(s, a, NOW), a, NOW));
    expect(after.alerts[alertKey(a.channel, a.ts)]).toMatchObject({ status: "triaging", started: 1 });
    expect(after.executions[a.executionId]).toBe(alertKey(a.channel, a.ts));
    const read = await store.read(scopeOf(a));
    expect(read.alerts[alertKey(a.channel, a.ts)]).toEqual(after.alerts[alertKey(a.channel, a.ts)]);
  });

  it("leaves nothing behind when a change throws", async () => {
    const store = await open();
    const a = ref(2);
    await expect(
      store.update(scopeOf(a), (s) => {
        claim(s, a, NOW);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect((await store.read(scopeOf(a))).alerts).toEqual({});
  });

  it("hands out pending alerts once they are due, oldest first, skipping the excluded", async () => {
    const store = await open();
    const [a, b, c] = [ref(10), ref(11), ref(12)];
    await store.update({ alerts: [a, b, c] }, (s) => [a, b, c].reduce((next, x) => claim(next, x, NOW), s));
    await store.update(scopeOf(b), (s) => failAttempt(startAttempt(s, b, NOW), b, { error: "503", now: NOW, retryAt: NOW + 60_000 }));
    const keys = async (now: number, exclude: string[] = []) =>
      (await store.claimPending({ limit: 10, now, exclude })).map((r) => r.ts);
    expect(await keys(NOW)).toEqual([a.ts, c.ts]);
    expect(await keys(NOW, [alertKey(a.channel, a.ts)])).toEqual([c.ts]);
    expect(await keys(NOW + 60_000)).toEqual([a.ts, b.ts, c.ts]);
  });

  it("moves a watermark forward only (compare-and-set)", async () => {
    const store = await open();
    expect(await store.leaseChannel(C)).toEqual({ watermark: null });
    expect(await store.advanceWatermark(C, "1700000000.000500", NOW)).toBe(true);
    expect(await store.advanceWatermark(C, "1700000000.000400", NOW)).toBe(false);
    expect(await store.advanceWatermark(C, "1700000000.000500", NOW)).toBe(false);
    expect(await store.leaseChannel(C)).toEqual({ watermark: "1700000000.000500" });
  });

  it("grants a notification until it is sent or out of attempts", async () => {
    const store = await open();
    const a = ref(20);
    await store.update(scopeOf(a), (s) => markReplied(claim(s, a, NOW), a, { replyTs: "1700000001.000001", kind: "full", now: NOW }));
    expect(await store.beginNotification(a, "email", 2, NOW)).toEqual({ resumed: false });
    await store.update(scopeOf(a), (s) => recordNotification(s, a, "email", { status: "failed", reason: "SMTP down", now: NOW }));
    expect(await store.beginNotification(a, "email", 2, NOW)).not.toBeNull();
    await store.update(scopeOf(a), (s) => recordNotification(s, a, "email", { status: "failed", reason: "SMTP down", now: NOW }));
    expect(await store.beginNotification(a, "email", 2, NOW)).toBeNull();
    expect(await store.beginNotification(a, "dm", 2, NOW)).not.toBeNull();
    await store.update(scopeOf(a), (s) => recordNotification(s, a, "dm", { status: "sent", reason: "critical", now: NOW, delivered: ["U1"] }));
    expect(await store.beginNotification(a, "dm", 2, NOW)).toBeNull();
    const record = (await store.read(scopeOf(a))).alerts[alertKey(a.channel, a.ts)];
    expect(record?.notifications).toMatchObject({ email: { status: "failed", attempts: 2 }, dm: { status: "sent", attempts: 1, delivered: ["U1"] } });
  });

  it("lists replied alerts whose reaction swap is missing, and forgets them once recorded", async () => {
    const store = await open();
    const a = ref(30);
    await store.update(scopeOf(a), (s) =>
      markReplied(preparePost(startAttempt(claim(s, a, NOW), a, NOW), a, REPLY, NOW), a, { replyTs: "1700000001.000002", kind: "full", now: NOW }),
    );
    expect((await store.unfinishedReactions(NOW)).map((r) => r.ts)).toEqual([a.ts]);
    await store.update({ alerts: [a] }, (s) => recordStep(s, a, "reaction", NOW));
    expect(await store.unfinishedReactions(NOW)).toEqual([]);
  });

  it("prunes what the limits drop and keeps unfinished alerts", async () => {
    const store = await open();
    const [old, pending] = [ref(40), ref(41)];
    const longAgo = NOW - 30 * 86_400_000;
    await store.update(scopeOf(old), (s) => markReplied(claim(s, old, longAgo), old, { replyTs: "1700000001.000003", kind: "full", now: longAgo }));
    await store.update(scopeOf(old), (s) => recordDiagnosis(s, old.signature, { summary: "x", thread: { channel: C, ts: old.ts, permalink: null }, now: longAgo }));
    await store.update(scopeOf(pending), (s) => claim(s, pending, longAgo));
    await store.prune(NOW, defaultPruneLimits(3_600_000));
    const read = await store.read({ alerts: [old, pending], signatures: [old.signature] });
    expect(Object.keys(read.alerts)).toEqual([alertKey(pending.channel, pending.ts)]);
    expect(read.signatures).toEqual({});
  });
});

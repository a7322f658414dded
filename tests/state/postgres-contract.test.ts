import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { alertKey, defaultPruneLimits, unfinishedReactions, type AlertRef, type State } from "../../src/state/index.ts";
import type { Scope, StateHandle } from "../../src/state/operations.ts";
import { migrate } from "../../src/state/postgres/migrations.ts";
import { pgStateHandle } from "../../src/state/postgres/pg-state-handle.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { openStateStore } from "../../src/state/state-store.ts";
import { tempStatePath } from "../bot/bot-fixtures.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";

/**
 * The store contract the bot relies on (StateOp batches in, a State to read), run against both
 * stores: the state file and PostgreSQL. What differs (leases between replicas) is tested in
 * postgres-store.test.ts.
 */
const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const C = "C0ALERTS";
const ref = (n: number): AlertRef => ({ channel: C, ts: `1700000000.${String(n).padStart(6, "0")}`, executionId: `exec-${n}`, signature: `sig-${n}` });
const scopeOf = (a: AlertRef): Scope => ({ alerts: [a], executions: [a.executionId], signatures: [a.signature], debounce: a.debounceKeys ?? [] });
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

const stores: Record<string, () => Promise<StateHandle>> = {
  "state file": async () => {
    const file = await openStateStore(tempStatePath(), { logger: silentLogger, clock: systemClock });
    closers.push(() => file.close());
    return file;
  },
  PostgreSQL: async () => {
    const url = await server.createDatabase();
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pool.on("error", () => {});
    await migrate(pool, silentLogger);
    const store = new PgStateStore(pool, { holder: "contract", leaseMs: 30_000 }, { clock: systemClock, logger: silentLogger });
    closers.push(() => store.close());
    return pgStateHandle(store);
  },
};

/** The records as the store holds them now (a shared store's cache is read again first). */
async function read(handle: StateHandle, scope: Scope): Promise<State> {
  await handle.shared?.refresh(scope);
  return handle.state;
}

describe.each(Object.keys(stores))("the store contract on the %s", (name) => {
  const open = stores[name]!;

  it("applies a batch of operations and reads back the records after them", async () => {
    const handle = await open();
    const a = ref(1);
    await handle.apply([
      { op: "claim", alert: a, debounceWindowMs: 0, now: NOW },
      { op: "startAttempt", id: a, alone: false, now: NOW },
    ]);
    const state = await read(handle, scopeOf(a));
    expect(state.alerts[alertKey(a.channel, a.ts)]).toMatchObject({ status: "triaging", started: 1 });
    expect(state.executions[a.executionId]).toBe(alertKey(a.channel, a.ts));
  });

  it("leaves nothing behind when an operation of the batch throws", async () => {
    const handle = await open();
    const [a, unknown] = [ref(2), ref(3)];
    await expect(
      handle.apply([
        { op: "claim", alert: a, debounceWindowMs: 0, now: NOW },
        { op: "startAttempt", id: unknown, alone: false, now: NOW },
      ]),
    ).rejects.toThrow();
    expect((await read(handle, scopeOf(a))).alerts).toEqual({});
  });

  it("moves a watermark forward only", async () => {
    const handle = await open();
    await handle.shared?.leaseChannel(C);
    await handle.apply({ op: "setWatermark", channel: C, ts: "1700000000.000500", now: NOW });
    await handle.apply({ op: "setWatermark", channel: C, ts: "1700000000.000400", now: NOW });
    expect((await read(handle, { channels: [C] })).channels[C]?.watermark).toBe("1700000000.000500");
  });

  it("counts notification attempts per channel", async () => {
    const handle = await open();
    const a = ref(20);
    await handle.apply({ op: "adoptReply", alert: a, replyTs: "1700000001.000001", kind: "full", now: NOW });
    const failed = { status: "failed" as const, reason: "SMTP down", now: NOW };
    await handle.apply({ op: "recordNotification", id: a, channel: "email", outcome: failed });
    await handle.apply({ op: "recordNotification", id: a, channel: "email", outcome: failed });
    await handle.apply({ op: "recordNotification", id: a, channel: "dm", outcome: { status: "sent", reason: "critical", now: NOW, delivered: ["U1"] } });
    const record = (await read(handle, scopeOf(a))).alerts[alertKey(a.channel, a.ts)];
    expect(record?.notifications).toMatchObject({ email: { status: "failed", attempts: 2 }, dm: { status: "sent", attempts: 1, delivered: ["U1"] } });
  });

  it("points the debounce windows an alert opened at its diagnosis", async () => {
    const handle = await open();
    const a = { ...ref(25), debounceKeys: ["workflow:checkout"] };
    await handle.apply({ op: "claim", alert: a, debounceWindowMs: 600_000, now: NOW });
    await handle.apply({ op: "recordDiagnosis", signature: a.signature, summary: "Redis full", thread: { channel: C, ts: a.ts, permalink: "https://x/p" }, now: NOW });
    const state = await read(handle, scopeOf(a));
    expect(state.signatures[a.signature]).toMatchObject({ summary: "Redis full" });
    expect(state.debounce?.["workflow:checkout"]).toMatchObject({ summary: "Redis full", thread: { ts: a.ts, permalink: "https://x/p" } });
  });

  it("lists replied alerts whose reaction swap is missing, and forgets them once recorded", async () => {
    const handle = await open();
    const a = ref(30);
    await handle.apply([
      { op: "claim", alert: a, debounceWindowMs: 0, now: NOW },
      { op: "startAttempt", id: a, alone: false, now: NOW },
      { op: "preparePost", id: a, reply: REPLY, now: NOW },
      { op: "markReplied", id: a, replyTs: "1700000001.000002", kind: "full", now: NOW },
    ]);
    const unfinished = async () => (handle.shared ? await handle.shared.unfinishedReactions(NOW) : unfinishedReactions(handle.state)).map((r) => r.ts);
    expect(await unfinished()).toEqual([a.ts]);
    await handle.apply({ op: "recordStep", id: a, kind: "reaction", now: NOW });
    expect(await unfinished()).toEqual([]);
  });

  it("prunes what the limits drop and keeps unfinished alerts", async () => {
    const handle = await open();
    const [old, pending] = [ref(40), ref(41)];
    const longAgo = NOW - 30 * 86_400_000;
    await handle.apply([
      { op: "adoptReply", alert: old, replyTs: "1700000001.000003", kind: "full", now: longAgo },
      { op: "recordDiagnosis", signature: old.signature, summary: "x", thread: { channel: C, ts: old.ts, permalink: null }, now: longAgo },
      { op: "claim", alert: pending, debounceWindowMs: 0, now: longAgo },
    ]);
    await handle.apply({ op: "prune", limits: defaultPruneLimits(3_600_000), now: NOW });
    const state = await read(handle, { alerts: [old, pending], signatures: [old.signature] });
    expect(Object.keys(state.alerts)).toEqual([alertKey(pending.channel, pending.ts)]);
    expect(state.signatures).toEqual({});
  });
});

import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import {
  alertKey,
  claim,
  decideMessage,
  emptyState,
  markReplied,
  openDebounceWindows,
  preparePost,
  recordDiagnosis,
  recordNotification,
  startAttempt,
  type AlertRef,
  type State,
} from "../../src/state/index.ts";
import { checkReadiness, type ServiceStatus } from "../../src/ops/health.ts";
import { createMetrics } from "../../src/ops/metrics.ts";
import { observeState } from "../../src/ops/start-ops.ts";
import { migrate } from "../../src/state/postgres/migrations.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { pgStateHandle } from "../../src/state/postgres/pg-state-handle.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";
import { createSpyLogger } from "./spy-logger.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const CHANNEL = "C0ALERTS";
const ref = (n: number): AlertRef => ({ channel: CHANNEL, ts: `1700000000.${String(n).padStart(6, "0")}`, executionId: `exec-${n}`, signature: `sig-${n}` });
const REPLY = { kind: "full" as const, text: "Redis full", blocks: [], summary: "backlog (confidence high)" };

let server: PostgresServer;
const open: PgStateStore[] = [];
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => {})));
});
afterAll(async () => {
  await server?.stop();
});

/** A fresh database and `count` replicas' stores on it. */
async function replicas(count: number, leaseMs = 30_000): Promise<PgStateStore[]> {
  const url = await server.createDatabase();
  const { logger } = createSpyLogger();
  const stores = Array.from({ length: count }, (_, i) => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    pool.on("error", () => {});
    return new PgStateStore(pool, { holder: `replica-${i}`, leaseMs }, { clock: systemClock, logger });
  });
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  await migrate(admin, logger).finally(() => admin.end());
  open.push(...stores);
  return stores;
}

const scopeOf = (a: AlertRef) => ({ alerts: [a], executions: [a.executionId], signatures: [a.signature], debounce: a.debounceKeys ?? [] });

describe("the PostgreSQL store", () => {
  it("applies the pure transitions and reads back exactly what the file store would hold", async () => {
    const [store] = await replicas(1);
    const a = ref(1);
    const steps = [
      (s: State) => claim(s, a, NOW),
      (s: State) => startAttempt(s, a, NOW + 1),
      (s: State) => preparePost(s, a, REPLY, NOW + 2),
      (s: State) => markReplied(s, a, { replyTs: "1700000001.000001", kind: "full", now: NOW + 3 }),
      (s: State) => recordNotification(s, a, "email", { status: "failed", reason: "SMTP down", now: NOW + 4 }),
      (s: State) => recordNotification(s, a, "dm", { status: "sent", reason: "severity CRITICAL", now: NOW + 5, delivered: ["U1"] }),
      (s: State) => recordDiagnosis(s, a.signature, { summary: "Redis full", thread: { channel: CHANNEL, ts: a.ts, permalink: null }, now: NOW + 6 }),
    ];
    let expected = emptyState();
    for (const step of steps) {
      expected = step(expected);
      await store!.update(scopeOf(a), step);
    }
    const read = await store!.read(scopeOf(a));
    expect(read.alerts).toEqual(expected.alerts);
    expect(read.signatures).toEqual(expected.signatures);
    expect(read.executions).toEqual(expected.executions);
  });

  it("fences writes: an alert another replica holds cannot be changed, and nothing of the update lands", async () => {
    const [a, b] = await replicas(2);
    const alert = ref(2);
    await a!.update(scopeOf(alert), (s) => claim(s, alert, NOW));
    await expect(b!.update(scopeOf(alert), (s) => startAttempt(s, alert, NOW))).rejects.toMatchObject({ code: "state_lease_lost" });
    const read = await a!.read(scopeOf(alert));
    expect(read.alerts[alertKey(alert.channel, alert.ts)]).toMatchObject({ status: "claimed", started: 0 });
  });

  it("hands every queued alert to exactly one of three replicas claiming at once", async () => {
    const stores = await replicas(3);
    const alerts = Array.from({ length: 60 }, (_, i) => ref(100 + i));
    // Recorded by the poller, then given back to the queue (as a poller without room does).
    await stores[0]!.update({ alerts, executions: alerts.map((x) => x.executionId) }, (s) => alerts.reduce((next, x) => claim(next, x, NOW), s));
    for (const x of alerts) await stores[0]!.releaseLease(x);
    // A second message for an execution already recorded is refused, and nothing of that update lands.
    const repeat = { ...ref(999), executionId: alerts[0]!.executionId };
    await expect(stores[1]!.update({ alerts: [repeat] }, (s) => claim(s, repeat, NOW))).rejects.toMatchObject({ code: "state_transition" });
    const taken = new Map<string, string[]>();
    await Promise.all(
      stores.map(async (store) => {
        for (;;) {
          const batch = await store.claimPending({ limit: 4, now: NOW, exclude: [...(taken.get(store.holder) ?? [])] });
          if (batch.length === 0) return;
          taken.set(store.holder, [...(taken.get(store.holder) ?? []), ...batch.map((r) => alertKey(r.channel, r.ts))]);
        }
      }),
    );
    const all = [...taken.values()].flat();
    expect(all.length).toBe(60);
    expect(new Set(all).size).toBe(60);
    expect(taken.size).toBeGreaterThan(1); // the work is shared, not serialised on one replica
  });

  it("takes over a dead replica's alert after its lease runs out, counting the cut attempt as a crash", async () => {
    const [a, b] = await replicas(2, 400);
    const alert = ref(3);
    await a!.update(scopeOf(alert), (s) => startAttempt(claim(s, alert, NOW), alert, NOW));
    expect(await b!.claimPending({ limit: 10, now: NOW })).toEqual([]);
    const renewedUntilDeath = await a!.renewLeases([alertKey(alert.channel, alert.ts)]);
    expect(renewedUntilDeath).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    const [takenOver] = await b!.claimPending({ limit: 10, now: NOW });
    expect(takenOver).toMatchObject({ status: "claimed", crashes: 1, started: 1 });
    // The stalled replica comes back: its lease is gone and its writes are refused.
    expect(await a!.renewLeases([alertKey(alert.channel, alert.ts)])).toEqual([alertKey(alert.channel, alert.ts)]);
    await expect(a!.update(scopeOf(alert), (s) => preparePost(s, alert, REPLY, NOW))).rejects.toMatchObject({ code: "state_lease_lost" });
  });

  it("keeps a renewed lease: nobody takes an alert whose holder is alive", async () => {
    const [a, b] = await replicas(2, 300);
    const alert = ref(4);
    await a!.update(scopeOf(alert), (s) => claim(s, alert, NOW));
    for (let i = 0; i < 4; i += 1) {
      await new Promise((r) => setTimeout(r, 120));
      expect(await a!.renewLeases([alertKey(alert.channel, alert.ts)])).toEqual([]);
      expect(await b!.claimPending({ limit: 10, now: NOW })).toEqual([]);
    }
  });

  it("lets one replica poll a channel; the watermark moves forward only, and only for the poller", async () => {
    const [a, b] = await replicas(2, 300);
    expect(await a!.leaseChannel(CHANNEL)).toEqual({ watermark: null });
    expect(await b!.leaseChannel(CHANNEL)).toBeUndefined();
    expect(await a!.advanceWatermark(CHANNEL, "1700000000.000200", NOW)).toBe(true);
    expect(await a!.advanceWatermark(CHANNEL, "1700000000.000100", NOW)).toBe(false);
    expect(await a!.advanceWatermark(CHANNEL, "1700000000.000200", NOW)).toBe(false);
    expect(await b!.advanceWatermark(CHANNEL, "1700000009.000000", NOW)).toBe(false);
    expect(await a!.leaseChannel(CHANNEL)).toEqual({ watermark: "1700000000.000200" });
    await new Promise((r) => setTimeout(r, 400)); // a stops renewing
    expect(await b!.leaseChannel(CHANNEL)).toEqual({ watermark: "1700000000.000200" });
    expect(await a!.leaseChannel(CHANNEL)).toBeUndefined();
    // Watermarks compare as numbers, not strings.
    expect(await b!.advanceWatermark(CHANNEL, "1700000000.0003", NOW)).toBe(true);
    expect(await b!.advanceWatermark(CHANNEL, "999999999.9", NOW)).toBe(false);
  });

  it("opens one debounce window for two replicas racing on the same incident: the second gets the known-incident reply", async () => {
    const [a, b] = await replicas(2);
    const options = { now: NOW, maxAttempts: 3, cooldownMs: 3_600_000, debounceWindowMs: 600_000 };
    const decide = async (store: PgStateStore, alert: AlertRef) => {
      let decision: ReturnType<typeof decideMessage> | undefined;
      await store.update(scopeOf(alert), (s) => {
        decision = decideMessage(s, alert, options);
        return decision.action === "triage" ? openDebounceWindows(claim(s, alert, NOW), alert, 600_000) : claim(s, alert, NOW);
      });
      return decision!.action;
    };
    // Many incidents at once, so that the two replicas' updates really overlap.
    const incidents = Array.from({ length: 40 }, (_, i) => [`org/cluster-${i}/REDIS_DOWN`]);
    const results = await Promise.all(
      incidents.map((keys, i) =>
        Promise.all([decide(a!, { ...ref(1000 + 2 * i), debounceKeys: keys }), decide(b!, { ...ref(1001 + 2 * i), debounceKeys: keys })]),
      ),
    );
    for (const actions of results) expect(actions.sort()).toEqual(["known-incident", "triage"]);
  });

  it("reserves a notification for one replica of the fleet, and never again once sent", async () => {
    const [a, b] = await replicas(2);
    const alert = ref(7);
    await a!.update(scopeOf(alert), (s) => markReplied(claim(s, alert, NOW), alert, { replyTs: "1700000001.000002", kind: "full", now: NOW }));
    const reserved = await Promise.all([a!.beginNotification(alert, "email", 3, NOW), b!.beginNotification(alert, "email", 3, NOW)]);
    expect(reserved.filter(Boolean)).toEqual([{ resumed: false }]);
    const winner = reserved[0] ? a! : b!;
    await winner.update(scopeOf(alert), (s) => recordNotification(s, alert, "email", { status: "sent", reason: "severity MAJOR", now: NOW }));
    expect(await a!.beginNotification(alert, "email", 3, NOW)).toBeNull();
    expect(await b!.beginNotification(alert, "email", 3, NOW)).toBeNull();
    const read = await b!.read(scopeOf(alert));
    expect(read.alerts[alertKey(alert.channel, alert.ts)]?.notifications?.email).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("marks a reservation whose sender died without recording as resumed, also after an earlier failure", async () => {
    const [a, b] = await replicas(2);
    const alert = ref(12);
    await a!.update(scopeOf(alert), (s) => markReplied(claim(s, alert, NOW), alert, { replyTs: "1700000001.000004", kind: "full", now: NOW }));
    expect(await a!.beginNotification(alert, "dm", 3, NOW)).toEqual({ resumed: false });
    await a!.update(scopeOf(alert), (s) => recordNotification(s, alert, "dm", { status: "failed", reason: "Slack 500", now: NOW }));
    expect(await a!.beginNotification(alert, "dm", 3, NOW)).toEqual({ resumed: false }); // the failure was recorded
    await a!.close(); // "dies" mid-send: its reservation expires at once but stays marked
    open.splice(open.indexOf(a!), 1);
    expect(await b!.beginNotification(alert, "dm", 3, NOW)).toEqual({ resumed: true });
  });

  it("reports not healthy and claims nothing while PostgreSQL is down, and resumes when it is back", async () => {
    const [raw] = await replicas(1);
    const status: ServiceStatus = { startedAt: Date.now(), pollIntervalMs: 1000, lastPollAt: null, reachable: {} };
    const handle = observeState(pgStateHandle(raw!), { metrics: createMetrics(), status, clock: systemClock });
    const store = handle.shared!;
    const alert = ref(13);
    await handle.apply({ op: "claim", alert, debounceWindowMs: 0, now: NOW });
    await store.releaseLease(alert);
    await server.pause();
    try {
      await expect(store.claimPending({ limit: 5, now: NOW, exclude: [] })).rejects.toThrow();
      expect(store.isHealthy()).toMatchObject({ ok: false, detail: expect.stringMatching(/PostgreSQL unreachable/) });
      expect(checkReadiness(status)).toMatchObject({ ok: false, detail: expect.stringMatching(/state: PostgreSQL unreachable/) }); // /readyz
      expect(await store.claimPending({ limit: 5, now: NOW, exclude: [] })).toEqual([]); // stops claiming, without even asking
      expect(await store.leaseChannel(CHANNEL)).toBeUndefined();
    } finally {
      await server.resume();
    }
    const back = Date.now();
    while (!store.isHealthy().ok && Date.now() - back < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(store.isHealthy().ok).toBe(true);
    expect(await store.claimPending({ limit: 5, now: NOW, exclude: [] })).toHaveLength(1);
    status.reachable.slack = { ok: true, detail: "ok", at: Date.now() };
    expect(checkReadiness(status)).toMatchObject({ ok: true });
  }, 40_000);

  it("keeps the outbox as rows any replica can list", async () => {
    const [a, b] = await replicas(2);
    const entry = { channel: CHANNEL, ts: "1700000000.000008", notifications: [{ channel: "dm" as const, reason: "critical", users: ["U1"], text: "hi" }] };
    await a!.outbox().put(entry);
    expect(await b!.outbox().list()).toEqual([entry]);
    await b!.outbox().remove(entry);
    expect(await a!.outbox().list()).toEqual([]);
  });

  it("prunes old finished alerts and signatures, never unfinished ones", async () => {
    const [store] = await replicas(1);
    const old = ref(9);
    const pending = ref(10);
    const day = 86_400_000;
    await store!.update(scopeOf(old), (s) => markReplied(claim(s, old, NOW - 10 * day), old, { replyTs: "1700000001.000003", kind: "full", now: NOW - 10 * day }));
    await store!.update(scopeOf(pending), (s) => claim(s, pending, NOW - 10 * day));
    await store!.update(scopeOf(old), (s) => recordDiagnosis(s, old.signature, { summary: "x", thread: { channel: CHANNEL, ts: old.ts, permalink: null }, now: NOW - 2 * 3_600_000 }));
    await store!.prune(NOW, { alertMaxAgeMs: 7 * day, signatureMaxAgeMs: 3_600_000, maxAlerts: 10, maxSignatures: 10 });
    const read = await store!.read({ alerts: [old, pending], signatures: [old.signature] });
    expect(Object.keys(read.alerts)).toEqual([alertKey(pending.channel, pending.ts)]);
    expect(read.signatures).toEqual({});
  });

  it("releases its leases on close, so a graceful stop hands the work over at once", async () => {
    const [a, b] = await replicas(2);
    const alert = ref(11);
    await a!.update(scopeOf(alert), (s) => claim(s, alert, NOW));
    expect(await a!.leaseChannel(CHANNEL)).toBeDefined();
    await a!.close();
    open.splice(open.indexOf(a!), 1);
    expect(await b!.claimPending({ limit: 5, now: NOW })).toHaveLength(1);
    expect(await b!.leaseChannel(CHANNEL)).toBeDefined();
  });
});

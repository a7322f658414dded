import type pg from "pg";
import type { Clock } from "../../lib/clock.ts";
import { OncallError, errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Outbox, OutboxEntry } from "../../notify/outbox.ts";
import { isSlackTs } from "../compare-slack-ts.ts";
import { recoverInterrupted, unfinishedReactions } from "../alert-lifecycle.ts";
import type { Scope } from "../operations.ts";
import { compareSlackTs } from "../compare-slack-ts.ts";
import { emptyState } from "../decisions.ts";
import { mergeStates, type MergeReport } from "../merge-states.ts";
import type { MessageId } from "../record-helpers.ts";
import type { PruneLimits } from "../prune.ts";
import { STATE_VERSION, alertKey, type AlertRecord, type NotificationChannel, type State } from "../schema.ts";
import { ConnectionHealth, type HealthReport } from "./connection-health.ts";
import { ALERT_COLUMNS, ALERT_VALUE_COLUMNS, alertFromRow, alertValues, sameJson, type AlertRow } from "./rows.ts";

export interface PgStoreOptions {
  /** This replica's id in every lease. */
  holder: string;
  /** How long a lease on an alert holds without renewal. */
  leaseMs: number;
  /** How long the lease on polling a channel holds; renewed once per poll cycle, so longer than one (default leaseMs). */
  channelLeaseMs?: number;
}

const UNFINISHED = "('claimed', 'triaging', 'posting')";
/** A notification reservation outlasts one send (SMTP and Slack time out well within it). */
const NOTIFICATION_LEASE_MS = 60_000;
const LEASE = (param: string) => `clock_timestamp() + make_interval(secs => ${param}::double precision / 1000)`;

/**
 * The state in PostgreSQL, shared by replicas. Records keep the file store's shapes, so every
 * decision stays one of the pure transitions in alert-lifecycle.ts and decisions.ts; this class
 * only decides who may apply them:
 *
 * - an alert is owned through a lease (holder, lease_until on the database's clock). A new alert
 *   is inserted with INSERT … ON CONFLICT DO NOTHING (the first replica to record it owns it) and
 *   unfinished ones are taken with one UPDATE … FOR UPDATE SKIP LOCKED (`claimPending`); `update`
 *   changes only alerts that are free or this holder's (fencing: an alert taken over by another
 *   replica rejects the stale one's writes);
 * - `update` runs a pure change over the slice of records named by its scope, under advisory
 *   locks on those keys, so two replicas never interleave on one alert, signature or window;
 * - a channel's poll lease lets one replica poll it; its watermark only moves forward, and only
 *   for the lease holder (compare-and-set).
 */
export class PgStateStore {
  readonly holder: string;
  readonly leaseMs: number;
  readonly notificationLeaseMs: number;
  readonly channelLeaseMs: number;
  readonly health: ConnectionHealth;
  readonly #pool: pg.Pool;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(pool: pg.Pool, options: PgStoreOptions, deps: { clock: Clock; logger: Logger }) {
    this.#pool = pool;
    this.holder = options.holder;
    this.leaseMs = options.leaseMs;
    this.notificationLeaseMs = Math.max(options.leaseMs, NOTIFICATION_LEASE_MS);
    this.channelLeaseMs = options.channelLeaseMs ?? options.leaseMs;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.health = new ConnectionHealth(async () => void (await pool.query("SELECT 1")), deps);
  }

  isHealthy(): HealthReport {
    return this.health.report();
  }

  /** The records named by the scope, as a State holding only them. */
  read(scope: Scope): Promise<State> {
    return this.#run((client) => loadSlice(client, scope));
  }

  /**
   * Applies a pure change to the slice named by the scope, atomically: the keys are locked, the
   * slice loaded, changed and written back in one transaction. New alerts are inserted as this
   * holder's; an alert that another holder owns makes the whole update fail with
   * `state_lease_lost`, and nothing is written. Returns the slice after the change.
   */
  update(scope: Scope, change: (slice: State) => State): Promise<State> {
    return this.#transaction(async (client) => {
      await lockKeys(client, scope);
      const before = await loadSlice(client, scope);
      const after = change(before);
      if (after !== before) await this.#writeDiff(client, before, after);
      return after;
    });
  }

  /**
   * Takes up to `limit` unfinished alerts that are free, this holder's, or whose lease ran out
   * (a dead replica's), oldest first, skipping rows another replica is taking right now. An
   * attempt found `triaging` under an expired lease was cut short: it goes back to claimed and
   * counts as a crash. Nothing is claimed while the database is unreachable.
   */
  async claimPending(options: { limit: number; now: number; exclude?: readonly string[] }): Promise<AlertRecord[]> {
    if (options.limit <= 0 || !this.health.ok) return [];
    const at = new Date(options.now).toISOString();
    const { rows } = await this.#run((client) =>
      client.query<{ channel: string; ts: string }>(
        `WITH picked AS (
           SELECT channel, ts FROM oncall_alerts
           WHERE status IN ${UNFINISHED}
             AND (holder IS NULL OR holder = $1 OR lease_until < clock_timestamp())
             AND (next_attempt_at IS NULL OR next_attempt_at <= $3)
             AND NOT (channel || ':' || ts = ANY($5::text[]))
           ORDER BY ts::numeric, channel
           LIMIT $2
           FOR UPDATE SKIP LOCKED
         )
         UPDATE oncall_alerts t SET holder = $1, lease_until = ${LEASE("$4")}
         FROM picked WHERE t.channel = picked.channel AND t.ts = picked.ts
         RETURNING t.channel, t.ts`,
        [this.holder, options.limit, at, this.leaseMs, options.exclude ?? []],
      ),
    );
    if (rows.length === 0) return [];
    // Now ours: an attempt still `triaging` was cut short by its holder's death and counts as a crash.
    const slice = await this.update({ alerts: rows }, (s) => recoverInterrupted(s, options.now));
    return Object.values(slice.alerts).sort((a, b) => compareSlackTs(a.ts, b.ts) || a.channel.localeCompare(b.channel));
  }

  /** Extends this holder's leases on the given alerts; returns the keys it no longer holds (taken over or finished). */
  async renewLeases(keys: readonly string[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.#run((client) =>
      client.query<{ key: string }>(
        `UPDATE oncall_alerts SET lease_until = ${LEASE("$2")}
         WHERE holder = $1 AND status IN ${UNFINISHED} AND channel || ':' || ts = ANY($3::text[])
         RETURNING channel || ':' || ts AS key`,
        [this.holder, this.leaseMs, keys],
      ),
    );
    const held = new Set(rows.map((r) => r.key));
    return keys.filter((k) => !held.has(k));
  }

  /** Gives an alert back to the queue at once (a retry later, a shutdown) instead of letting its lease run out. */
  async releaseLease(id: MessageId): Promise<void> {
    await this.#run((client) =>
      client.query("UPDATE oncall_alerts SET holder = NULL, lease_until = NULL WHERE channel = $1 AND ts = $2 AND holder = $3", [
        id.channel,
        id.ts,
        this.holder,
      ]),
    );
  }

  /**
   * Takes or renews the lease on polling a channel. Returns the channel's watermark (null before
   * its first poll) while this replica holds it, or undefined when another replica polls it.
   */
  async leaseChannel(channel: string): Promise<{ watermark: string | null } | undefined> {
    if (!this.health.ok) return undefined;
    const { rows } = await this.#run((client) =>
      client.query<{ watermark: string | null }>(
        `INSERT INTO oncall_channels (channel, poll_holder, poll_lease_until) VALUES ($1, $2, ${LEASE("$3")})
         ON CONFLICT (channel) DO UPDATE SET poll_holder = EXCLUDED.poll_holder, poll_lease_until = EXCLUDED.poll_lease_until
         WHERE oncall_channels.poll_holder IS NULL OR oncall_channels.poll_holder = EXCLUDED.poll_holder
            OR oncall_channels.poll_lease_until < clock_timestamp()
         RETURNING watermark`,
        [channel, this.holder, this.channelLeaseMs],
      ),
    );
    return rows[0] ? { watermark: rows[0].watermark } : undefined;
  }

  /**
   * Compare-and-set on a channel's watermark: it moves only forward, and only for the replica
   * that holds the channel's poll lease (or when nobody does). Returns whether it moved.
   */
  async advanceWatermark(channel: string, ts: string, now: number): Promise<boolean> {
    if (!isSlackTs(ts)) throw new TypeError(`not a Slack ts: "${ts}"`);
    const result = await this.#run((client) =>
      client.query(
        `INSERT INTO oncall_channels (channel, watermark, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel) DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = EXCLUDED.updated_at
         WHERE (oncall_channels.watermark IS NULL OR oncall_channels.watermark::numeric < EXCLUDED.watermark::numeric)
           AND (oncall_channels.poll_holder IS NULL OR oncall_channels.poll_holder = $4
                OR oncall_channels.poll_lease_until < clock_timestamp())`,
        [channel, ts, new Date(now).toISOString(), this.holder],
      ),
    );
    return result.rowCount === 1;
  }

  /**
   * Reserves sending one notification for this replica: granted when nobody sent it, it has
   * attempts left, and no other live replica is sending it now; `resumed` when an earlier
   * reservation was never cleared by a recorded result (its sender died, perhaps after sending).
   * The reservation lasts long enough
   * for a slow SMTP server or Slack (NOTIFICATION_LEASE_MS at least); the result is recorded with
   * recordNotification (through update), which frees it.
   */
  async beginNotification(id: MessageId, channel: NotificationChannel, maxAttempts: number, now: number): Promise<{ resumed: boolean } | null> {
    const { rows } = await this.#run((client) =>
      client.query<{ resumed: boolean }>(
        `WITH prior AS (SELECT holder FROM oncall_notifications WHERE channel = $1 AND ts = $2 AND kind = $3)
         INSERT INTO oncall_notifications (channel, ts, kind, status, attempts, updated_at, holder, lease_until)
         VALUES ($1, $2, $3, 'sending', 0, $4, $5, ${LEASE("$6")})
         ON CONFLICT (channel, ts, kind) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
         WHERE oncall_notifications.status <> 'sent' AND oncall_notifications.attempts < $7
           AND (oncall_notifications.holder IS NULL OR oncall_notifications.holder = EXCLUDED.holder
                OR oncall_notifications.lease_until < clock_timestamp())
         RETURNING COALESCE((SELECT holder IS NOT NULL FROM prior), false) AS resumed`,
        [id.channel, id.ts, channel, new Date(now).toISOString(), this.holder, this.notificationLeaseMs, maxAttempts],
      ),
    );
    return rows[0] ? { resumed: rows[0].resumed } : null;
  }

  /** The notification outbox as rows, shared by the fleet. */
  outbox(): Outbox {
    return {
      put: async (entry: OutboxEntry) => {
        await this.#run((client) =>
          client.query(
            `INSERT INTO oncall_outbox (channel, ts, entry) VALUES ($1, $2, $3)
             ON CONFLICT (channel, ts) DO UPDATE SET entry = EXCLUDED.entry, updated_at = now()`,
            [entry.channel, entry.ts, JSON.stringify(entry)],
          ),
        );
      },
      list: async () => {
        const { rows } = await this.#run((client) => client.query<{ entry: OutboxEntry }>("SELECT entry FROM oncall_outbox ORDER BY updated_at"));
        return rows.map((r) => r.entry);
      },
      remove: async (id: MessageId) => {
        await this.#run((client) => client.query("DELETE FROM oncall_outbox WHERE channel = $1 AND ts = $2", [id.channel, id.ts]));
      },
    };
  }

  /** The debounce windows an alert opened (a diagnosis of it updates them). */
  async windowsOpenedBy(thread: MessageId): Promise<string[]> {
    const { rows } = await this.#run((client) =>
      client.query<{ key: string }>("SELECT key FROM oncall_debounce WHERE thread_channel = $1 AND thread_ts = $2", [thread.channel, thread.ts]),
    );
    return rows.map((r) => r.key);
  }

  /** Replied alerts of the last hour whose reaction swap is not recorded (whoever replied: its process may be gone). */
  async unfinishedReactions(now: number): Promise<AlertRecord[]> {
    const { rows } = await this.#run((client) =>
      client.query<AlertRow>(
        `SELECT ${ALERT_COLUMNS} FROM oncall_alerts a WHERE a.status = 'replied' AND a.updated_at > $1::timestamptz - interval '1 hour'
           AND NOT (a.record->'steps' ? ((a.record->>'started') || ':reaction'))`,
        [new Date(now).toISOString()],
      ),
    );
    const records = rows.map(alertFromRow);
    return unfinishedReactions({ ...emptyState(), alerts: Object.fromEntries(records.map((r) => [alertKey(r.channel, r.ts), r])) });
  }

  /**
   * The file store's prune as statements: finished alerts past the age or beyond the cap go
   * (their notification rows with them), old signatures and long-closed debounce windows too.
   * Unfinished alerts always stay.
   */
  async prune(now: number, limits: PruneLimits, debounceRetentionMs = 24 * 60 * 60_000): Promise<void> {
    const at = new Date(now);
    await this.#transaction(async (client) => {
      await client.query(
        `DELETE FROM oncall_alerts WHERE status IN ('replied', 'failed') AND updated_at < $1::timestamptz - make_interval(secs => $2::double precision / 1000)`,
        [at, limits.alertMaxAgeMs],
      );
      await client.query(
        `DELETE FROM oncall_alerts WHERE (channel, ts) IN (
           SELECT channel, ts FROM oncall_alerts WHERE status IN ('replied', 'failed')
           ORDER BY updated_at DESC OFFSET GREATEST(0, $1 - (SELECT count(*) FROM oncall_alerts WHERE status IN ${UNFINISHED})))`,
        [limits.maxAlerts],
      );
      await client.query(`DELETE FROM oncall_signatures WHERE diagnosed_at < $1::timestamptz - make_interval(secs => $2::double precision / 1000)`, [
        at,
        limits.signatureMaxAgeMs,
      ]);
      await client.query(`DELETE FROM oncall_signatures WHERE signature IN (SELECT signature FROM oncall_signatures ORDER BY diagnosed_at DESC OFFSET $1)`, [
        limits.maxSignatures,
      ]);
      await client.query(`DELETE FROM oncall_debounce WHERE opened_at < $1::timestamptz - make_interval(secs => $2::double precision / 1000)`, [
        at,
        debounceRetentionMs,
      ]);
    });
  }

  /** The whole state as one consistent snapshot, in the file store's shape (for `state export`). */
  snapshot(): Promise<State> {
    return this.#transaction(async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      const keys = await client.query<{ channel: string; ts: string }>("SELECT channel, ts FROM oncall_alerts");
      const signatures = await client.query<{ signature: string }>("SELECT signature FROM oncall_signatures");
      const windows = await client.query<{ key: string }>("SELECT key FROM oncall_debounce");
      const channels = await client.query<{ channel: string }>("SELECT channel FROM oncall_channels");
      return loadSlice(client, {
        alerts: keys.rows,
        signatures: signatures.rows.map((r) => r.signature),
        debounce: windows.rows.map((r) => r.key),
        channels: channels.rows.map((r) => r.channel),
      });
    });
  }

  /** Leases other holders still hold (alerts, channels): replicas that are running, or died less than a lease ago. */
  async liveLeases(): Promise<number> {
    const { rows } = await this.#run((client) =>
      client.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM oncall_alerts WHERE holder IS DISTINCT FROM $1 AND lease_until > clock_timestamp())
              + (SELECT count(*) FROM oncall_channels WHERE poll_holder IS DISTINCT FROM $1 AND poll_lease_until > clock_timestamp()) AS n`,
        [this.holder],
      ),
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Merges an exported state in (see mergeStates) in one transaction; imported unfinished alerts are left free for any replica. */
  async importState(incoming: State): Promise<Omit<MergeReport, "state">> {
    let report: Omit<MergeReport, "state"> = { added: 0, kept: 0 };
    const scope: Scope = {
      alerts: Object.values(incoming.alerts),
      executions: Object.values(incoming.alerts).map((r) => r.executionId),
      signatures: Object.keys(incoming.signatures),
      debounce: Object.keys(incoming.debounce ?? {}),
      channels: Object.keys(incoming.channels),
    };
    await this.update(scope, (slice) => {
      const { state, ...counts } = mergeStates(slice, incoming);
      report = counts;
      return state;
    });
    await this.releaseAll();
    return report;
  }

  /** Gives every lease of this replica back (alerts, channels, notifications), so a graceful stop hands work over at once. */
  async releaseAll(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query("UPDATE oncall_alerts SET holder = NULL, lease_until = NULL WHERE holder = $1", [this.holder]);
      await client.query("UPDATE oncall_channels SET poll_holder = NULL, poll_lease_until = NULL WHERE poll_holder = $1", [this.holder]);
      // Expired, not cleared: the holder stays as the mark that a send may have gone out unrecorded.
      await client.query("UPDATE oncall_notifications SET lease_until = clock_timestamp() WHERE holder = $1", [this.holder]);
    });
  }

  async close(): Promise<void> {
    if (this.health.ok) await this.releaseAll().catch((error: unknown) => this.#logger.warn({ error: errorMessage(error) }, "could not release the leases at shutdown; they expire"));
    this.health.close();
    await this.#pool.end();
  }

  async #run<T>(work: (client: pg.Pool | pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await work(this.#pool);
    } catch (error) {
      this.health.observe(error);
      throw error;
    }
  }

  async #transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      this.health.observe(error);
      throw error;
    }
    let broken = false;
    // A connection that dies while checked out emits 'error' on the client: observed, never an uncaught crash.
    const onError = (error: Error) => {
      broken = true;
      this.health.observe(error);
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      this.health.observe(error);
      broken = true;
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  async #writeDiff(client: pg.PoolClient, before: State, after: State): Promise<void> {
    for (const [key, record] of Object.entries(after.alerts)) {
      const old = before.alerts[key];
      if (!old) await this.#insertAlert(client, record);
      else if (!sameJson(withoutNotifications(old), withoutNotifications(record))) await this.#updateAlert(client, record);
      for (const kind of Object.keys(record.notifications ?? {}) as NotificationChannel[]) {
        const next = record.notifications?.[kind];
        if (next && !sameJson(old?.notifications?.[kind], next)) {
          await client.query(
            `INSERT INTO oncall_notifications (channel, ts, kind, status, attempts, reason, delivered, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (channel, ts, kind) DO UPDATE SET status = EXCLUDED.status, attempts = EXCLUDED.attempts,
               reason = EXCLUDED.reason, delivered = EXCLUDED.delivered, updated_at = EXCLUDED.updated_at, holder = NULL, lease_until = NULL`,
            [record.channel, record.ts, kind, next.status, next.attempts, next.reason, next.delivered ?? null, next.updatedAt],
          );
        }
      }
    }
    for (const [signature, record] of Object.entries(after.signatures)) {
      if (sameJson(before.signatures[signature], record)) continue;
      await client.query(
        `INSERT INTO oncall_signatures (signature, summary, thread_channel, thread_ts, thread_permalink, diagnosed_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (signature) DO UPDATE SET summary = EXCLUDED.summary, thread_channel = EXCLUDED.thread_channel,
           thread_ts = EXCLUDED.thread_ts, thread_permalink = EXCLUDED.thread_permalink, diagnosed_at = EXCLUDED.diagnosed_at`,
        [signature, record.summary, record.thread.channel, record.thread.ts, record.thread.permalink, record.diagnosedAt],
      );
    }
    const debounceBefore = before.debounce ?? {};
    const debounceAfter = after.debounce ?? {};
    for (const [key, record] of Object.entries(debounceAfter)) {
      if (sameJson(debounceBefore[key], record)) continue;
      await client.query(
        `INSERT INTO oncall_debounce (key, thread_channel, thread_ts, thread_permalink, opened_at, summary)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (key) DO UPDATE SET thread_channel = EXCLUDED.thread_channel, thread_ts = EXCLUDED.thread_ts,
           thread_permalink = EXCLUDED.thread_permalink, opened_at = EXCLUDED.opened_at, summary = EXCLUDED.summary`,
        [key, record.thread.channel, record.thread.ts, record.thread.permalink, record.openedAt, record.summary],
      );
    }
    const droppedWindows = Object.keys(debounceBefore).filter((key) => !Object.hasOwn(debounceAfter, key));
    if (droppedWindows.length > 0) await client.query("DELETE FROM oncall_debounce WHERE key = ANY($1::text[])", [droppedWindows]);
    for (const [channel, record] of Object.entries(after.channels)) {
      if (sameJson(before.channels[channel], record)) continue;
      await client.query(
        `INSERT INTO oncall_channels (channel, watermark, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (channel) DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = EXCLUDED.updated_at
         WHERE oncall_channels.watermark IS NULL OR oncall_channels.watermark::numeric < EXCLUDED.watermark::numeric`,
        [channel, record.watermark, record.updatedAt],
      );
    }
  }

  async #insertAlert(client: pg.PoolClient, record: AlertRecord): Promise<void> {
    const values = [record.channel, record.ts, ...alertValues(record)];
    const final = isFinal(record);
    const lease = final ? "NULL, NULL" : `$${values.length + 1}, ${LEASE(`$${values.length + 2}`)}`;
    try {
      const result = await client.query(
        `INSERT INTO oncall_alerts (channel, ts, ${ALERT_VALUE_COLUMNS.join(", ")}, holder, lease_until)
         VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")}, ${lease}) ON CONFLICT (channel, ts) DO NOTHING`,
        final ? values : [...values, this.holder, this.leaseMs],
      );
      if (result.rowCount !== 1) throw leaseLost(record, "another replica recorded it first");
    } catch (error) {
      if ((error as { code?: string }).code === "23505") {
        throw new OncallError("state_transition", `cannot claim ${alertKey(record.channel, record.ts)}: execution ${record.executionId} belongs to another message`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async #updateAlert(client: pg.PoolClient, record: AlertRecord): Promise<void> {
    const sets = ALERT_VALUE_COLUMNS.map((column, i) => `${column} = $${i + 3}`);
    const n = ALERT_VALUE_COLUMNS.length + 2;
    const lease = isFinal(record) ? "holder = NULL, lease_until = NULL" : `holder = $${n + 1}, lease_until = ${LEASE(`$${n + 2}`)}`;
    const result = await client.query(
      `UPDATE oncall_alerts SET ${sets.join(", ")}, ${lease}
       WHERE channel = $1 AND ts = $2 AND (holder IS NULL OR holder = $${n + 1})`,
      [record.channel, record.ts, ...alertValues(record), this.holder, ...(isFinal(record) ? [] : [this.leaseMs])],
    );
    if (result.rowCount !== 1) throw leaseLost(record, "another replica holds it now");
  }
}

function isFinal(record: AlertRecord): boolean {
  return record.status === "replied" || record.status === "failed";
}

function withoutNotifications(record: AlertRecord): Omit<AlertRecord, "notifications"> {
  const { notifications: _ignored, ...rest } = record;
  return rest;
}

function leaseLost(record: AlertRecord, why: string): OncallError {
  return new OncallError("state_lease_lost", `lost alert ${alertKey(record.channel, record.ts)}: ${why}; this replica stops working on it`);
}

/** Advisory locks on every key of the scope, in one order (hash order), so two updates can never deadlock. */
async function lockKeys(client: pg.PoolClient, scope: Scope): Promise<void> {
  const keys = [
    ...(scope.alerts ?? []).map((id) => `alert:${alertKey(id.channel, id.ts)}`),
    ...(scope.executions ?? []).map((id) => `execution:${id}`),
    ...(scope.signatures ?? []).map((s) => `signature:${s}`),
    ...(scope.debounce ?? []).map((k) => `debounce:${k}`),
    ...(scope.channels ?? []).map((c) => `channel:${c}`),
  ];
  if (keys.length === 0) return;
  await client.query(
    "SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) AS k ORDER BY 1) AS locks",
    [keys],
  );
}

/** The slice of the state the scope names, read inside the caller's transaction. */
async function loadSlice(client: pg.Pool | pg.PoolClient, scope: Scope): Promise<State> {
  const state: State = { version: STATE_VERSION, channels: {}, alerts: {}, executions: {}, signatures: {}, debounce: {} };
  const ids = scope.alerts ?? [];
  if (ids.length > 0) {
    const { rows } = await client.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM oncall_alerts a JOIN unnest($1::text[], $2::text[]) AS k(channel, ts) ON a.channel = k.channel AND a.ts = k.ts`,
      [ids.map((i) => i.channel), ids.map((i) => i.ts)],
    );
    for (const row of rows) {
      const record = alertFromRow(row);
      state.alerts[alertKey(record.channel, record.ts)] = record;
      state.executions[record.executionId] = alertKey(record.channel, record.ts);
    }
  }
  const executions = scope.executions ?? [];
  if (executions.length > 0) {
    const { rows } = await client.query<{ execution_id: string; channel: string; ts: string }>(
      "SELECT execution_id, channel, ts FROM oncall_alerts WHERE execution_id = ANY($1::text[])",
      [executions],
    );
    for (const row of rows) state.executions[row.execution_id] = alertKey(row.channel, row.ts);
  }
  const signatures = scope.signatures ?? [];
  if (signatures.length > 0) {
    const { rows } = await client.query<{ signature: string; summary: string; thread_channel: string; thread_ts: string; thread_permalink: string | null; diagnosed_at: Date }>(
      "SELECT * FROM oncall_signatures WHERE signature = ANY($1::text[])",
      [signatures],
    );
    for (const r of rows) {
      state.signatures[r.signature] = {
        summary: r.summary,
        thread: { channel: r.thread_channel, ts: r.thread_ts, permalink: r.thread_permalink },
        diagnosedAt: r.diagnosed_at.toISOString(),
      };
    }
  }
  const windows = scope.debounce ?? [];
  if (windows.length > 0) {
    const { rows } = await client.query<{ key: string; thread_channel: string; thread_ts: string; thread_permalink: string | null; opened_at: Date; summary: string | null }>(
      "SELECT * FROM oncall_debounce WHERE key = ANY($1::text[])",
      [windows],
    );
    const debounce = state.debounce ?? {};
    for (const r of rows) {
      debounce[r.key] = {
        thread: { channel: r.thread_channel, ts: r.thread_ts, permalink: r.thread_permalink },
        openedAt: r.opened_at.toISOString(),
        summary: r.summary,
      };
    }
  }
  const channels = scope.channels ?? [];
  if (channels.length > 0) {
    const { rows } = await client.query<{ channel: string; watermark: string | null; updated_at: Date | null }>(
      "SELECT channel, watermark, updated_at FROM oncall_channels WHERE channel = ANY($1::text[]) AND watermark IS NOT NULL",
      [channels],
    );
    for (const r of rows) state.channels[r.channel] = { watermark: r.watermark ?? "0", updatedAt: (r.updated_at ?? new Date(0)).toISOString() };
  }
  return state;
}

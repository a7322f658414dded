import type pg from "pg";
import { EXIT, OncallError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";

/**
 * The state schema as versioned migrations, applied in order by the bot at start. A migration is
 * never edited once released: a change is a new version. Each runs in the same transaction as
 * its row in oncall_schema_migrations, so a crash leaves the database at a whole version.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "alerts, channels, signatures, debounce windows, notifications",
    sql: `
      CREATE TABLE oncall_channels (
        channel     text PRIMARY KEY,
        watermark   text NOT NULL CHECK (watermark ~ '^[0-9]+(\\.[0-9]+)?$'),
        updated_at  timestamptz NOT NULL
      );
      CREATE TABLE oncall_alerts (
        channel       text NOT NULL,
        ts            text NOT NULL CHECK (ts ~ '^[0-9]+(\\.[0-9]+)?$'),
        execution_id  text NOT NULL UNIQUE,
        signature     text NOT NULL,
        status        text NOT NULL CHECK (status IN ('claimed', 'replied', 'failed')),
        attempts      integer NOT NULL DEFAULT 0,
        reply_ts      text,
        reply_kind    text,
        claimed_at    timestamptz NOT NULL,
        replied_at    timestamptz,
        updated_at    timestamptz NOT NULL,
        last_error    text,
        holder        text,
        lease_until   timestamptz,
        PRIMARY KEY (channel, ts)
      );
      CREATE TABLE oncall_signatures (
        signature         text PRIMARY KEY,
        summary           text NOT NULL,
        thread_channel    text NOT NULL,
        thread_ts         text NOT NULL,
        thread_permalink  text,
        diagnosed_at      timestamptz NOT NULL
      );
      CREATE TABLE oncall_debounce (
        key               text PRIMARY KEY,
        thread_channel    text NOT NULL,
        thread_ts         text NOT NULL,
        thread_permalink  text,
        opened_at         timestamptz NOT NULL,
        summary           text
      );
      CREATE TABLE oncall_notifications (
        channel      text NOT NULL,
        ts           text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('email', 'dm', 'escalation-email')),
        status       text NOT NULL CHECK (status IN ('sent', 'failed')),
        attempts     integer NOT NULL DEFAULT 0,
        reason       text,
        delivered    text[],
        updated_at   timestamptz NOT NULL,
        PRIMARY KEY (channel, ts, kind),
        FOREIGN KEY (channel, ts) REFERENCES oncall_alerts (channel, ts) ON DELETE CASCADE
      );
    `,
  },
  {
    version: 2,
    name: "alert lifecycle as a jsonb record; leases on channels and notifications; notification outbox",
    // The alert's lifecycle fields (attempts, crashes, steps, the pending reply, …) move into one
    // jsonb record in the file store's shape, so new fields need no migration; the columns that
    // queries filter on stay columns, written from the record.
    sql: `
      ALTER TABLE oncall_alerts DROP CONSTRAINT oncall_alerts_status_check;
      ALTER TABLE oncall_alerts ADD CONSTRAINT oncall_alerts_status_check
        CHECK (status IN ('claimed', 'triaging', 'posting', 'replied', 'failed'));
      ALTER TABLE oncall_alerts
        ADD COLUMN record           jsonb,
        ADD COLUMN next_attempt_at  timestamptz;
      UPDATE oncall_alerts SET record = jsonb_build_object(
        'channel', channel, 'ts', ts, 'executionId', execution_id, 'signature', signature, 'status', status,
        'attempts', attempts, 'replyTs', reply_ts, 'replyKind', reply_kind,
        'claimedAt', to_char(claimed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'repliedAt', to_char(replied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'lastError', last_error);
      ALTER TABLE oncall_alerts
        ALTER COLUMN record SET NOT NULL,
        DROP COLUMN attempts, DROP COLUMN reply_ts, DROP COLUMN reply_kind, DROP COLUMN claimed_at,
        DROP COLUMN replied_at, DROP COLUMN last_error;
      CREATE INDEX oncall_alerts_unfinished ON oncall_alerts (ts)
        WHERE status IN ('claimed', 'triaging', 'posting');
      ALTER TABLE oncall_channels
        ALTER COLUMN watermark DROP NOT NULL,
        ALTER COLUMN updated_at DROP NOT NULL,
        ADD COLUMN poll_holder       text,
        ADD COLUMN poll_lease_until  timestamptz;
      ALTER TABLE oncall_notifications DROP CONSTRAINT oncall_notifications_status_check;
      ALTER TABLE oncall_notifications ADD CONSTRAINT oncall_notifications_status_check
        CHECK (status IN ('sending', 'sent', 'failed'));
      ALTER TABLE oncall_notifications
        ADD COLUMN holder       text,
        ADD COLUMN lease_until  timestamptz;
      CREATE TABLE oncall_outbox (
        channel     text NOT NULL,
        ts          text NOT NULL,
        entry       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (channel, ts)
      );
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** One constant advisory lock key for "migrating the oncall-agent schema" (any bigint; this spells "oncall"). */
const MIGRATION_LOCK_KEY = 0x6f6e63616c6c;

export interface MigrationResult {
  from: number;
  to: number;
  applied: number[];
}

/**
 * Brings the database to `upTo` (default: this build's latest). Runs in one transaction under a
 * transaction-scoped advisory lock, so replicas starting together migrate one at a time and the
 * later ones find nothing to do; a database migrated by a newer build is refused, never touched.
 */
export async function migrate(
  pool: pg.Pool,
  logger: Logger,
  options: { upTo?: number; migrations?: readonly Migration[] } = {},
): Promise<MigrationResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.upTo ?? migrations.at(-1)?.version ?? 0;
  const client = await pool.connect();
  const onError = () => {}; // the query in flight fails with the same error; this only keeps it from being uncaught
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    await client.query("SET LOCAL statement_timeout = '120s'");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [MIGRATION_LOCK_KEY]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS oncall_schema_migrations (
        version     integer PRIMARY KEY,
        name        text NOT NULL,
        applied_at  timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM oncall_schema_migrations");
    const from = rows[0]?.version ?? 0;
    const known = migrations.at(-1)?.version ?? 0;
    if (from > known) {
      throw new OncallError(
        "state_newer",
        `the PostgreSQL state is at schema version ${from}, newer than this build knows (${known}): ` +
          "run the newer oncall-agent, or restore a backup; nothing was changed",
        { exitCode: EXIT.usage },
      );
    }
    const pending = migrations.filter((m) => m.version > from && m.version <= target);
    for (const migration of pending) {
      await client.query(migration.sql);
      await client.query("INSERT INTO oncall_schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
    }
    await client.query("COMMIT");
    const applied = pending.map((m) => m.version);
    if (applied.length > 0) logger.info({ from, to: applied.at(-1), applied }, "migrated the PostgreSQL state schema");
    return { from, to: applied.at(-1) ?? from, applied };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.off("error", onError);
    client.release(true);
  }
}

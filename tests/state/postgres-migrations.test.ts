import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS, SCHEMA_VERSION, migrate } from "../../src/state/postgres/migrations.ts";
import { alertFromRow } from "../../src/state/postgres/rows.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";
import { createSpyLogger } from "./spy-logger.ts";

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function withPool<T>(url: string, run: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => {}); // the server stopping under an idle connection at the end of the file
  try {
    return await run(pool);
  } finally {
    await pool.end();
  }
}

async function columns(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY column_name",
    [table],
  );
  return rows.map((r) => r.column_name);
}

describe("PostgreSQL state migrations", () => {
  it("create every table from an empty database, and a second run changes nothing", async () => {
    const url = await server.createDatabase();
    await withPool(url, async (pool) => {
      const { logger } = createSpyLogger();
      const first = await migrate(pool, logger);
      expect(first).toEqual({ from: 0, to: SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.version) });
      const tables = await pool.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual([
        "oncall_alerts",
        "oncall_channels",
        "oncall_debounce",
        "oncall_notifications",
        "oncall_outbox",
        "oncall_schema_migrations",
        "oncall_signatures",
      ]);
      expect(await migrate(pool, logger)).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    });
  });

  it("upgrade a database at the previous version and keep its rows", async () => {
    const url = await server.createDatabase();
    await withPool(url, async (pool) => {
      const { logger } = createSpyLogger();
      await migrate(pool, logger, { upTo: SCHEMA_VERSION - 1 });
      await pool.query(
        `INSERT INTO oncall_alerts (channel, ts, execution_id, signature, status, attempts, claimed_at, updated_at)
         VALUES ('C1', '1700000000.000100', 'exec-1', 'sig', 'claimed', 1, now(), now())`,
      );
      expect(await columns(pool, "oncall_alerts")).not.toContain("record");

      expect(await migrate(pool, logger)).toEqual({ from: SCHEMA_VERSION - 1, to: SCHEMA_VERSION, applied: [SCHEMA_VERSION] });
      expect(await columns(pool, "oncall_alerts")).toEqual(expect.arrayContaining(["record", "holder", "lease_until", "next_attempt_at"]));
      // The v1 row is now a record of the current shape, with the lifecycle fields' defaults.
      const { rows } = await pool.query("SELECT record FROM oncall_alerts");
      expect(rows).toHaveLength(1);
      expect(alertFromRow({ record: rows[0].record, notifications: null })).toMatchObject({
        executionId: "exec-1",
        status: "claimed",
        attempts: 1,
        started: 0,
        crashes: 0,
        steps: {},
        pendingReply: null,
        repliedAt: null,
      });
      // The new statuses are accepted only after the upgrade.
      await pool.query("UPDATE oncall_alerts SET status = 'posting'");
    });
  });

  it("let two replicas migrate at once: one applies, the other finds nothing to do", async () => {
    const url = await server.createDatabase();
    const { logger } = createSpyLogger();
    const results = await Promise.all([0, 1, 2].map(() => withPool(url, (pool) => migrate(pool, logger))));
    const applied = results.map((r) => r.applied.length).sort();
    expect(applied).toEqual([0, 0, MIGRATIONS.length]);
    await withPool(url, async (pool) => {
      const { rows } = await pool.query("SELECT version FROM oncall_schema_migrations ORDER BY version");
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    });
  });

  it("refuse a database migrated by a newer build, and change nothing", async () => {
    const url = await server.createDatabase();
    await withPool(url, async (pool) => {
      const { logger } = createSpyLogger();
      await migrate(pool, logger);
      await pool.query("INSERT INTO oncall_schema_migrations (version, name) VALUES ($1, 'from the future')", [SCHEMA_VERSION + 1]);
      await expect(migrate(pool, logger)).rejects.toMatchObject({ code: "state_newer", exitCode: 2 });
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM oncall_schema_migrations");
      expect(rows[0].n).toBe(MIGRATIONS.length + 1);
    });
  });

  it("roll back a migration that fails halfway, leaving the previous version whole", async () => {
    const url = await server.createDatabase();
    await withPool(url, async (pool) => {
      const { logger } = createSpyLogger();
      const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, name: "broken", sql: "CREATE TABLE oncall_x (a int); SELECT no_such_function();" }];
      await expect(migrate(pool, logger, { migrations: broken })).rejects.toThrow(/no_such_function/);
      const tables = await pool.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'oncall_%'");
      expect(tables.rows[0].n).toBe(0); // one transaction: none of the versions landed
      expect(await migrate(pool, logger)).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    });
  });
});

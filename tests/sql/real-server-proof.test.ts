import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPgCatalogFacts } from "../../scripts/lib/pg-catalog-queries.ts";
import { startPostgres, type RunningPostgres } from "../../scripts/lib/start-postgres.ts";
import { checkSql } from "../../src/tools/sql/index.ts";
import { PG_CATALOG } from "../../src/tools/sql/pg-catalog.generated.ts";
import { assessDatabaseRole, ROLE_CHECK_QUERY } from "../../src/verify/database-role.ts";
import { BENIGN_CASES, HOSTILE_CASES } from "./cases.ts";
import { EXTENSIONS, fingerprint, SCHEMA_SQL, WATCHED_CHANNELS } from "./real-server-schema.ts";

/**
 * Hostile cases that really do harm when run unguarded as the privileged role, with the part of
 * the fingerprint each must change: the proof below is only as good as the fingerprint's eye.
 */
const HARMFUL: readonly (readonly [sql: string, changes: readonly string[]])[] = [
  ["SELECT 1 FROM task t WHERE t = t", ['rows "public"."audit_log"', "functionCalls"]],
  ["SELECT heap_force_kill('workflow'::regclass, ARRAY['(0,1)']::tid[])", ['rows "public"."workflow"']],
  ["SELECT set_limit(0.1)", ["settings"]],
  ["SELECT cleanup()", ['rows "public"."workflow"', "advisoryLocks", "functionCalls", 'sequence "public"."audit_log_seq"']],
  ["SELECT definer_cleanup()", ['rows "public"."task"', "functionCalls"]],
  ["SELECT run_sql(E'DELETE FROM task')", ['rows "public"."task"']],
  ["SELECT w.purge FROM workflow w", ['rows "public"."workflow"', 'rows "public"."audit_log"']],
  ["SELECT 1 |+| 2", ['rows "public"."audit_log"', "functionCalls"]],
  ["SELECT 42::ticket", ['rows "public"."audit_log"']],
  ["SELECT 5::audited_int", ['rows "public"."audit_log"']],
  ["SELECT audit_sum(a) FROM t", ['rows "public"."audit_log"']],
  ["EXPLAIN SELECT 1 |+| 2", ['rows "public"."audit_log"']],
  ["select nextval('audit_id_seq')", ['sequence "public"."audit_id_seq"']],
  ["SELECT txid_current()", ["nextXid"]],
  ["SELECT set_config('statement_timeout', '0', false)", ["settings"]],
  ["select pg_advisory_lock(1)", ["advisoryLocks"]],
  ["SELECT lo_creat(-1)", ["largeObjects"]],
  ["PREPARE p AS DELETE FROM workflow", ["prepared"]],
  ["LISTEN alerts", ["channels"]],
];

let server: RunningPostgres;
let runner: pg.Client;
let listener: pg.Client;
const notifications: string[] = [];

beforeAll(async () => {
  server = await startPostgres({ track_functions: "all", autovacuum: "off", shared_preload_libraries: "pg_stat_statements" });
  const admin = await server.connect();
  for (const extension of EXTENSIONS) await admin.query(`CREATE EXTENSION ${extension}`);
  await admin.query(SCHEMA_SQL);
  await admin.end();
  runner = await server.connect();
  // Not the default, so a query that resets it shows in the session's settings.
  await runner.query("SET statement_timeout = '5min'");
  listener = await server.connect();
  listener.on("notification", (message) => notifications.push(`${message.channel}: ${message.payload ?? ""}`));
  for (const channel of WATCHED_CHANNELS) await listener.query(`LISTEN ${channel}`);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([runner?.end(), listener?.end()]);
  await server?.stop();
});

describe("the SQL guard on a real PostgreSQL server", () => {
  it("the committed catalog lists are what this server says (drift test)", async () => {
    const admin = await server.connect();
    try {
      expect(await readPgCatalogFacts(admin), "run `npx tsx scripts/generate-pg-catalog.ts` and review the diff").toEqual(PG_CATALOG);
    } finally {
      await admin.end();
    }
  });

  it("every query of the table the guard accepts runs as sent and changes nothing, as a superuser", async () => {
    const all = [...BENIGN_CASES, ...HOSTILE_CASES.map((c) => c.sql)];
    const sent: string[] = [];
    for (const sql of all) {
      const verdict = await checkSql(sql);
      if (verdict.allowed) sent.push(verdict.sql);
    }
    // The proof covers every benign case, and no hostile case is accepted.
    expect(sent).toHaveLength(BENIGN_CASES.length);
    const before = await fingerprint(runner);
    const failures: string[] = [];
    for (const sql of sent) await runner.query(sql).catch((error: unknown) => failures.push(`${sql}: ${String(error)}`));
    expect(failures).toEqual([]);
    expect(await fingerprint(runner)).toEqual(before);
    await runner.query("SELECT 1");
    expect(notifications).toEqual([]);
  });

  it("pg_settings as sent holds no command, connection string or custom setting", async () => {
    const run = async (sql: string) => {
      const verdict = await checkSql(sql);
      if (!verdict.allowed) throw new Error(verdict.reason);
      return (await runner.query(verdict.sql)).rows;
    };
    await runner.query("SET app.jwt_secret = 'canary-jwt'");
    try {
      expect(await run("SELECT name FROM pg_settings WHERE name LIKE '%command' OR name = 'primary_conninfo' OR name LIKE 'app.%'")).toEqual([]);
      expect((await run("SELECT s.name FROM pg_catalog.pg_settings s WHERE s.name = 'work_mem'")).length).toBe(1);
      const [{ n }] = (await run("SELECT count(*)::int AS n FROM pg_settings")) as [{ n: number }];
      expect(n).toBeGreaterThan(300);
    } finally {
      await runner.query("RESET app.jwt_secret");
    }
  });

  it("a built-in's name overloaded by a user function reaches only the built-in (calls are sent pg_catalog-qualified)", async () => {
    const query = "SELECT lower(w) FROM workflow w LIMIT 1";
    const verdict = await checkSql(query);
    if (!verdict.allowed) throw new Error(verdict.reason);
    expect(verdict.sql).toContain("pg_catalog.lower(w)");
    const before = await fingerprint(runner);
    await expect(runner.query(verdict.sql)).rejects.toThrow(/function pg_catalog\.lower\(workflow\) does not exist/);
    expect(await fingerprint(runner)).toEqual(before);
    // Sent as written, the user's overload would have run.
    await runner.query(query);
    expect(await fingerprint(runner)).not.toEqual(before);
  });

  it("self-check: each harmful query is rejected by the guard and, run unguarded, changes what the fingerprint says it does", async () => {
    const hostile = new Set(HOSTILE_CASES.map((c) => c.sql));
    let before = await fingerprint(runner);
    for (const [sql, changes] of HARMFUL) {
      expect(hostile.has(sql), sql).toBe(true);
      expect((await checkSql(sql)).allowed, sql).toBe(false);
      await runner.query(sql);
      const after = await fingerprint(runner);
      expect(after, sql).not.toEqual(before);
      for (const key of changes) expect(after[key], `${sql} changes ${key}`).not.toEqual(before[key]);
      before = after;
    }
    await runner.query("SELECT 1");
    expect(notifications).toContain("ch: cleanup");
  });
});

describe("the database role check (verify conductor) on a real server", () => {
  const assessAs = async (user: string) => {
    const client = new pg.Client({ host: "127.0.0.1", port: server.port, user, password: "agent-pw", database: "postgres" });
    await client.connect();
    try {
      return assessDatabaseRole((await client.query(ROLE_CHECK_QUERY)).rows);
    } finally {
      await client.end();
    }
  };

  it("is a query the guard accepts", async () => {
    expect((await checkSql(ROLE_CHECK_QUERY)).allowed).toBe(true);
  });

  it("warns about a superuser", async () => {
    const assessment = assessDatabaseRole((await runner.query(ROLE_CHECK_QUERY)).rows);
    expect(assessment.role).toBe("postgres");
    expect(assessment.warnings.join("\n")).toMatch(/role postgres is a superuser/);
  });

  it("names the exact statements that make a writable role without limits safe, and running them clears every warning", async () => {
    const admin = await server.connect();
    try {
      await admin.query(
        "CREATE ROLE agent_role LOGIN PASSWORD 'agent-pw' CREATEDB; GRANT SELECT, INSERT, DELETE ON workflow, task TO agent_role; ALTER ROLE agent_role SET search_path = public, pg_catalog",
      );
      const before = await assessAs("agent_role");
      expect(before.warnings.map((w) => w.split(":")[0])).toEqual([
        "role agent_role has createdb",
        "role agent_role can write 2 tables",
        "default_transaction_read_only is off",
        "statement_timeout is 0",
        "lock_timeout is 0",
        "idle_in_transaction_session_timeout is 0",
        "temp_file_limit is -1",
        "search_path puts public before pg_catalog, so a user's operator can shadow a built-in",
        "role agent_role is not in pg_monitor, so other sessions' activity is hidden",
      ]);
      const statements = before.warnings.flatMap((w) => [...w.matchAll(/((?:ALTER ROLE|REVOKE|GRANT) [^;]+;)/g)].map((m) => m[1]!));
      for (const statement of statements) await admin.query(statement);
      const after = await assessAs("agent_role");
      expect(after.warnings).toEqual([]);
      expect(after.summary).toBe("database role agent_role: read-only, timeouts set, on the primary");
      // The role layer holds where the guard cannot see: even with a write grant, a write through a function fails.
      await admin.query("GRANT DELETE ON t TO agent_role");
      const agent = new pg.Client({ host: "127.0.0.1", port: server.port, user: "agent_role", password: "agent-pw", database: "postgres" });
      await agent.connect();
      await expect(agent.query("SELECT run_sql('DELETE FROM t')")).rejects.toThrow(/cannot execute DELETE in a read-only transaction/);
      await agent.end();
    } finally {
      await admin.end();
    }
  });
});

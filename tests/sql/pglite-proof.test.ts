import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSql } from "../../src/tools/sql/index.ts";
import { BENIGN_CASES, HOSTILE_CASES } from "./cases.ts";
import { fingerprintDatabase, SEED_SQL } from "./pglite-db.ts";

/**
 * Hostile cases that really change the database when run unguarded, in an order where each one
 * has something to change. They show the fingerprint notices every kind of change the proof
 * relies on (rows, sequences, relations, columns, settings, locks, statements, channels).
 */
const MUTATING_CASES = [
  "EXPLAIN ANALYZE DELETE FROM t",
  "INSERT INTO t VALUES (1, 2)",
  "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
  "UPDATE workflow SET status = 'FAILED'",
  "select nextval('audit_id_seq')",
  "SELECT setval('audit_id_seq', 1)",
  "CREATE TABLE x (a int)",
  "SELECT 1; DROP TABLE x",
  "SELECT * INTO TEMP copy_of_workflow FROM workflow",
  "ALTER TABLE workflow ADD COLUMN x int",
  "SHOW ALL; SET work_mem = '1GB'",
  "select pg_advisory_lock(1)",
  "PREPARE p AS DELETE FROM workflow",
  "LISTEN alerts",
];

let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create();
  await db.exec(SEED_SQL);
}, 60_000);

afterAll(async () => {
  await db?.close();
});

describe("every query the guard accepts leaves a real Postgres unchanged", () => {
  it("runs all accepted queries from the case table without changing the fingerprint", async () => {
    const all = [...BENIGN_CASES, ...HOSTILE_CASES.map((c) => c.sql)];
    const accepted: string[] = [];
    for (const sql of all) if ((await checkSql(sql)).allowed) accepted.push(sql);
    const before = await fingerprintDatabase(db);
    const failures: string[] = [];
    for (const sql of accepted) {
      // exec uses the simple query protocol, which would also run a second statement.
      await db.exec(sql).catch((error: unknown) => failures.push(`${sql}: ${String(error)}`));
    }
    expect(await fingerprintDatabase(db)).toEqual(before);
    // The proof means something only if it covered every benign case (all of which ran cleanly).
    expect(failures).toEqual([]);
    expect(accepted).toEqual([...BENIGN_CASES]);
  });

  it("self-check: the fingerprint changes when a query the guard rejects is run unguarded", async () => {
    const hostile = new Set(HOSTILE_CASES.map((c) => c.sql));
    for (const sql of MUTATING_CASES) {
      expect(hostile.has(sql), sql).toBe(true);
      const before = await fingerprintDatabase(db);
      await db.exec(sql);
      expect(await fingerprintDatabase(db), sql).not.toEqual(before);
    }
  });
});

import { describe, expect, it } from "vitest";
import { checkSql, COVERED_SERVER_VERSIONS, MAX_SQL_LENGTH, type SqlVerdict } from "../../src/tools/sql/index.ts";

const sent = (verdict: SqlVerdict): string => (verdict.allowed ? verdict.sql : `rejected: ${verdict.reason}`);

describe("checkSql", () => {
  it("answers concurrent first calls (the parser loads once)", async () => {
    const verdicts = await Promise.all(["SELECT 1", "DELETE FROM t", "SELECT 2"].map((sql) => checkSql(sql)));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false, true]);
  });

  it("accepts a query exactly at the length limit and rejects one character more", async () => {
    const atLimit = `SELECT 1 --${"x".repeat(MAX_SQL_LENGTH - 11)}`;
    expect(atLimit).toHaveLength(MAX_SQL_LENGTH);
    expect((await checkSql(atLimit)).allowed).toBe(true);
    expect(await checkSql(`${atLimit}x`)).toEqual({ allowed: false, reason: "query is 10,001 characters; the limit is 10,000" });
  });

  it("reports parse error positions as line and column, counting characters", async () => {
    const verdict = await checkSql("select 'é😀',\n  1 frm t");
    expect(verdict).toEqual({ allowed: false, reason: 'the SQL parser rejected the query: syntax error at or near "t" (line 2, column 9)' });
  });

  it("refuses only a backslash that can move where a '...' string ends", async () => {
    for (const sql of ["SELECT E'a\\\\b', $$c\\d$$, \"e\\f\" FROM (SELECT 1 AS \"e\\f\") s", "SELECT 'c:\\temp'", "SELECT '\\\\'", "SELECT regexp_replace('a  b', '\\s+', ' ')"]) {
      expect((await checkSql(sql)).allowed, sql).toBe(true);
    }
    for (const sql of ["SELECT 'a\\'", "SELECT '\\\\\\'", "SELECT 'x\\''''"]) expect((await checkSql(sql)).allowed, sql).toBe(false);
  });

  it("rejects EXPLAIN ANALYZE even when ANALYZE is switched off (one rule, no value parsing)", async () => {
    expect(await checkSql("EXPLAIN (ANALYZE false) SELECT 1")).toEqual({ allowed: false, reason: "EXPLAIN ANALYZE executes the query" });
  });

  it("sends a SELECT wrapped in a LIMIT, newlines keeping a trailing comment and the semicolon out", async () => {
    expect(sent(await checkSql("SELECT 1 -- note", { rowLimit: 7 }))).toBe("SELECT * FROM (\nSELECT 1 -- note\n) q LIMIT 7");
    expect(sent(await checkSql("  SELECT 'é' ; ", { rowLimit: 7 }))).toBe("SELECT * FROM (\nSELECT 'é'\n) q LIMIT 7");
    expect(sent(await checkSql("-- lead\nVALUES (1)"))).toBe("SELECT * FROM (\nVALUES (1)\n) q LIMIT 1000");
  });

  it("sends every built-in call pg_catalog-qualified, whatever its spelling", async () => {
    expect(sent(await checkSql(`SELECT count(*), "lower"('A'), pg_catalog.upper('b'), COUNT(1) FROM generate_series(1, 2) g`, { rowLimit: 5 }))).toBe(
      `SELECT * FROM (\nSELECT pg_catalog.count(*), pg_catalog."lower"('A'), pg_catalog.upper('b'), pg_catalog.COUNT(1) FROM pg_catalog.generate_series(1, 2) g\n) q LIMIT 5`,
    );
    expect(sent(await checkSql("SELECT substring('abc' FROM 2), extract(epoch FROM now())", { rowLimit: 5 }))).toBe(
      "SELECT * FROM (\nSELECT substring('abc' FROM 2), extract(epoch FROM pg_catalog.now())\n) q LIMIT 5",
    );
  });

  it("sends SHOW and EXPLAIN as written (their output is one value or a plan)", async () => {
    expect(sent(await checkSql("SHOW work_mem;"))).toBe("SHOW work_mem");
    expect(sent(await checkSql("EXPLAIN SELECT 1"))).toBe("EXPLAIN SELECT 1");
  });

  it("replaces pg_settings with its filtered form, keeping the alias or the name", async () => {
    const aliased = sent(await checkSql("SELECT s.name FROM pg_catalog.pg_settings s WHERE s.name = 'é'"));
    expect(aliased).toMatch(/^SELECT \* FROM \(\nSELECT s\.name FROM \(SELECT \* FROM pg_catalog\.pg_settings WHERE .*'_command'.*\) s WHERE s\.name = 'é'\n\) q LIMIT 1000$/);
    expect(sent(await checkSql("SELECT pg_settings.name FROM pg_settings"))).toContain(") AS pg_settings\n) q");
    expect(sent(await checkSql("SELECT name FROM myschema.pg_settings"))).not.toContain("pg_catalog.pg_settings");
  });

  it("flags queries over other sessions' SQL text so their literals get masked", async () => {
    const flag = async (sql: string) => {
      const verdict = await checkSql(sql);
      return verdict.allowed ? verdict.masksLiterals : null;
    };
    expect(await flag("SELECT query FROM pg_stat_activity")).toBe(true);
    expect(await flag("SELECT x.q FROM (SELECT query AS q FROM pg_catalog.pg_stat_activity) x")).toBe(true);
    expect(await flag("SELECT * FROM pg_stat_get_activity(NULL)")).toBe(true);
    expect(await flag("SELECT count(*) FROM workflow")).toBe(false);
  });

  it("covers PostgreSQL 13 to 18: a function volatile on an older version counts as volatile", () => {
    expect(COVERED_SERVER_VERSIONS.map((v) => v.split(".")[0])).toEqual(["13", "14", "15", "16", "17", "18"]);
  });

  it("says what is not built in", async () => {
    expect(await checkSql("SELECT purge_all()")).toEqual({ allowed: false, reason: "function purge_all is not allowed: not a built-in read-only function" });
  });
});

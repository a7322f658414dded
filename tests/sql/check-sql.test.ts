import { describe, expect, it } from "vitest";
import { checkSql, FORBIDDEN_FUNCTION_FAMILIES, findForbiddenFunction, MAX_SQL_LENGTH } from "../../src/tools/sql/index.ts";

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
    expect(verdict.reason).toBe('the SQL parser rejected the query: syntax error at or near "t" (line 2, column 9)');
  });

  it("allows backslashes where every server setting reads them the same way", async () => {
    expect((await checkSql("SELECT E'a\\\\b', $$c\\d$$, \"e\\f\" FROM (SELECT 1 AS \"e\\f\") s")).allowed).toBe(true);
    expect((await checkSql("SELECT 'c:\\temp'")).allowed).toBe(false);
  });

  it("rejects EXPLAIN ANALYZE even when ANALYZE is switched off (one rule, no value parsing)", async () => {
    expect((await checkSql("EXPLAIN (ANALYZE false) SELECT 1")).reason).toBe("EXPLAIN ANALYZE executes the query");
  });
});

describe("findForbiddenFunction", () => {
  it("keeps the list as lower-case data with a reason for every family", () => {
    for (const family of FORBIDDEN_FUNCTION_FAMILIES) {
      expect(family.why).not.toBe("");
      for (const name of [...(family.names ?? []), ...(family.prefixes ?? [])]) expect(name).toBe(name.toLowerCase());
    }
  });

  it("matches names and prefixes case-insensitively and leaves read-only functions alone", () => {
    expect(findForbiddenFunction("PG_SLEEP_UNTIL")).toBe("sleeps");
    expect(findForbiddenFunction("pg_try_advisory_lock_shared")).toBe("takes advisory locks");
    for (const name of ["currval", "lastval", "now", "count", "pg_size_pretty", "pg_database_size", "current_setting", "pg_stat_get_activity", "lower"]) {
      expect(findForbiddenFunction(name)).toBeNull();
    }
  });
});

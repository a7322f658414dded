import { describe, expect, it } from "vitest";
import { checkSql } from "../../src/tools/sql/index.ts";
import { BENIGN_CASES, HOSTILE_CASES } from "./cases.ts";

const label = (sql: string): string => JSON.stringify(sql.length > 90 ? `${sql.slice(0, 90)}…` : sql);

describe("checkSql case table", () => {
  it("covers enough ground", () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(300);
    expect(BENIGN_CASES.length).toBeGreaterThanOrEqual(100);
    expect(new Set(HOSTILE_CASES.map((c) => c.sql)).size).toBe(HOSTILE_CASES.length);
    expect(new Set(BENIGN_CASES).size).toBe(BENIGN_CASES.length);
  });

  it.each(HOSTILE_CASES.map((c) => [label(c.sql), c] as const))("rejects %s", async (_name, { sql, reason }) => {
    const verdict = await checkSql(sql);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? null : verdict.reason).toContain(reason);
  });

  it.each(BENIGN_CASES.map((sql) => [label(sql), sql] as const))("allows %s", async (_name, sql) => {
    expect((await checkSql(sql)).allowed).toBe(true);
  });
});

import { describe, expect, it } from "vitest";
import { limitSqlRows } from "../../src/tools/sql/index.ts";

const roomy = { maxRows: 50, maxChars: 10_000 };

describe("limitSqlRows", () => {
  it("renders object rows as a header plus tab-separated lines, nothing cut", () => {
    const rows = [
      { status: "RUNNING", n: 12, since: null },
      { status: "FAILED", n: 3n, extra: { a: 1n } },
    ];
    expect(limitSqlRows(rows, roomy)).toEqual({
      text: "status\tn\tsince\textra\nRUNNING\t12\tNULL\tNULL\nFAILED\t3\tNULL\t{\"a\":\"1\"}",
      rowCount: 2,
      shownRows: 2,
      truncated: false,
    });
  });

  it("cuts by row count and says how many rows were hidden", () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => ({ id: i }));
    const result = limitSqlRows(rows, { maxRows: 20, maxChars: 10_000 });
    expect(result).toMatchObject({ rowCount: 5_000, shownRows: 20, truncated: true });
    const lines = result.text.split("\n");
    expect(lines).toHaveLength(22);
    expect(lines.at(-1)).toBe("… 4,980 more rows not shown");
  });

  it("cuts by characters, stays within the limit, and names the limit", () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, "x".repeat(30)]);
    const result = limitSqlRows(rows, { maxRows: 100, maxChars: 300 });
    expect(result.text.length).toBeLessThanOrEqual(300);
    expect(result.shownRows).toBeGreaterThan(0);
    expect(result.text.split("\n").at(-1)).toBe(`… ${100 - result.shownRows} more rows not shown (output limit 300 chars)`);
  });

  it("escapes tabs and newlines so one row stays one line, and shortens huge cells", () => {
    const result = limitSqlRows([{ msg: "a\tb\nc", blob: "y".repeat(5_000) }], { maxRows: 10, maxChars: 400 });
    const [, row] = result.text.split("\n");
    expect(row?.startsWith("a\\tb\\nc\t")).toBe(true);
    expect(row?.endsWith("…")).toBe(true);
    expect(result.truncated).toBe(false);
  });

  it("finds rows in a wrapper object, a columns+rows shape, or a JSON string", () => {
    expect(limitSqlRows({ result: [{ a: 1 }] }, roomy).text).toBe("a\n1");
    expect(limitSqlRows({ columns: [{ name: "a" }, "b"], rows: [[1, true]] }, roomy).text).toBe("a\tb\n1\ttrue");
    expect(limitSqlRows('[{"a":1},{"a":2}]', roomy)).toMatchObject({ text: "a\n1\n2", rowCount: 2 });
  });

  it("passes plain text through, cut to the character limit with a marker", () => {
    expect(limitSqlRows("ERROR: relation missing", roomy)).toEqual({ text: "ERROR: relation missing", rowCount: null, shownRows: 0, truncated: false });
    const cut = limitSqlRows("z".repeat(1_000), { maxRows: 10, maxChars: 200 });
    expect(cut.text.length).toBeLessThanOrEqual(200);
    expect(cut.text).toMatch(/… 864 more characters not shown$/);
  });

  it("says when there were no rows or no output at all", () => {
    expect(limitSqlRows([], roomy)).toEqual({ text: "(0 rows)", rowCount: 0, shownRows: 0, truncated: false });
    expect(limitSqlRows(null, roomy)).toMatchObject({ text: "(no output)", rowCount: null });
  });
});

import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { formatCount } from "./format-output.ts";
import { checkSql } from "./sql/check-sql.ts";
import { limitSqlRows } from "./sql/limit-rows.ts";
import { maskLiteralsDeep } from "./sql/mask-literals.ts";
import { executionIdSchema } from "./tool-schemas.ts";

export const MAX_SQL_ROWS = 50;
/** The server stops a SELECT at this many rows (the guard wraps it in a LIMIT); twice what is shown, so a cut is visible. */
export const SENT_ROW_LIMIT = MAX_SQL_ROWS * 2;
/** Room for the row-count line above the rows. */
const HEADER_RESERVE = 60;

export const runSqlSelectTool = defineCommandTool({
  name: "run_sql_select",
  description:
    "Runs ONE read-only SELECT (or SHOW, or EXPLAIN without ANALYZE) against the cluster's Conductor Postgres database " +
    "(non-transactional). Only built-in PostgreSQL functions, operators and types may be used — no user-defined or " +
    "extension functions, no password or config-file catalogs, no WITH RECURSIVE; generate_series, repeat, lpad and " +
    "array_fill need small literal arguments. Anything else is refused before it is sent. Always add a LIMIT; at most " +
    `${MAX_SQL_ROWS} rows are shown. Use it to count running workflows by type or find a runaway workflow behind a ` +
    "Redis or queue backlog.",
  command: "SQL_CONDUCTOR",
  inputSchema: z
    .object({
      executionId: executionIdSchema,
      query: z.string().min(1).max(10_000).describe("A single SELECT statement, with a LIMIT"),
    })
    .strict(),
  toParameters: ({ query }) => ({ query, transactional: false, expectedRowCount: null }),
  async prepare(input) {
    const verdict = await checkSql(input.query, { rowLimit: SENT_ROW_LIMIT });
    if (!verdict.allowed) return { refusal: `SQL refused by the read-only guard, nothing was run: ${verdict.reason}` };
    return { input: { ...input, query: verdict.sql }, ...(verdict.masksLiterals ? { clean: maskLiteralsDeep } : {}) };
  },
  present(data, budget) {
    const limited = limitSqlRows(data, { maxRows: MAX_SQL_ROWS, maxChars: Math.max(0, budget - HEADER_RESERVE) });
    const header =
      limited.rowCount === null
        ? "SQL result:"
        : `${limited.rowCount >= SENT_ROW_LIMIT ? "at least " : ""}${formatCount(limited.rowCount)} ${limited.rowCount === 1 ? "row" : "rows"}` +
          (limited.truncated ? `, showing ${formatCount(limited.shownRows)}:` : ":");
    const text = `${header}\n${limited.text}`;
    if (!limited.truncated) return { text };
    const whole = limitSqlRows(data, { maxRows: Number.MAX_SAFE_INTEGER, maxChars: Number.MAX_SAFE_INTEGER });
    return { text, truncated: { keptChars: text.length, totalChars: whole.text.length } };
  },
  describeEmpty: () => "SQL_CONDUCTOR completed: the query returned no rows.",
});

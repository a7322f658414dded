import { describe, expect, it } from "vitest";
import { createTools } from "../../src/tools/create-tools.ts";
import { MAX_SQL_ROWS, SENT_ROW_LIMIT } from "../../src/tools/run-sql-select.ts";
import type { Tool } from "../../src/tools/types.ts";
import { EXECUTION_ID, createFakeDeps, createFakeRunner } from "./fake-deps.ts";
import { SQL_ROWS } from "./fixtures.ts";

function setUp(output: unknown = SQL_ROWS, outputBudget = 6000) {
  const fake = createFakeRunner(() => ({ output }));
  const tools = createTools(createFakeDeps(fake.runner, { outputBudget }).deps);
  const tool = tools.find((t) => t.name === "run_sql_select") as Tool;
  const run = (query: string) => tool.execute(tool.inputSchema.parse({ executionId: EXECUTION_ID, query }), { executionId: EXECUTION_ID });
  return { run, runs: fake.runs };
}

const BENIGN = "SELECT workflow_type, count(*) AS running FROM workflow WHERE status = 'RUNNING' GROUP BY 1 ORDER BY 2 DESC LIMIT 20";

describe("run_sql_select", () => {
  it.each([
    ["DELETE FROM workflow WHERE status = 'RUNNING'", /DELETE/],
    ["SELECT 1; DROP TABLE workflow", /2 statements/],
    ["UPDATE task SET status = 'COMPLETED'", /UPDATE/],
    ["SELECT pg_terminate_backend(pid) FROM pg_stat_activity", /pg_terminate_backend/],
    ["WITH gone AS (DELETE FROM workflow RETURNING *) SELECT count(*) FROM gone", /DELETE/],
  ])("refuses %j with the guard's reason and dispatches nothing", async (query, reason) => {
    const { run, runs } = setUp();
    const result = await run(query);
    expect(result.status).toBe("error");
    expect(result.output).toMatch(/^SQL refused by the read-only guard, nothing was run: /);
    expect(result.output).toMatch(reason);
    expect(result.command).toBeUndefined();
    expect(runs).toHaveLength(0);
  });

  it("dispatches a benign SELECT as SQL_CONDUCTOR with exactly query, transactional false and expectedRowCount null", async () => {
    const { run, runs } = setUp();
    const result = await run(BENIGN);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.command).toBe("SQL_CONDUCTOR");
    expect(runs[0]?.parameters).toStrictEqual({ query: `SELECT * FROM (\n${BENIGN.replace("count(*)", "pg_catalog.count(*)")}\n) q LIMIT ${SENT_ROW_LIMIT}`, transactional: false, expectedRowCount: null });
    expect(result).toMatchObject({ status: "ok", command: "SQL_CONDUCTOR", data: SQL_ROWS });
    expect(result.output).toBe("3 rows:\nworkflow_type\trunning\norder_flow\t41877\nrefund_flow\t5120\nnightly_export\t1216");
  });

  it("bounds many rows and says how many were shown", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ workflow_id: `4c1d${String(i).padStart(4, "0")}-aaaa-bbbb`, status: "RUNNING" }));
    const { run } = setUp(JSON.stringify({ rows }));
    const result = await run("SELECT workflow_id, status FROM workflow LIMIT 500");
    expect(result.output).toMatch(new RegExp(`^at least 500 rows, showing ${MAX_SQL_ROWS}:\\n`));
    expect(result.output).toContain("450 more rows not shown");
    expect(result.output).not.toContain("4c1d0050");
    expect(result.truncated?.totalChars).toBeGreaterThan(result.output.length);
    expect((result.data as { rows: unknown[] }).rows).toHaveLength(500);
  });

  it("stays within a small output budget", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ workflow_id: `wf-${i}`, input: "x".repeat(100) }));
    const { run } = setUp(rows, 800);
    const result = await run("SELECT workflow_id, input FROM workflow LIMIT 40");
    expect(result.output.length).toBeLessThanOrEqual(800);
    expect(result.output).toMatch(/^40 rows, showing \d+:/);
  });

  it("masks the string literals of other sessions' queries in the output and in the data", async () => {
    const rows = [{ pid: 7, query: "ALTER ROLE app PASSWORD 'hunter2-canary'", state: "active" }];
    const { run } = setUp(rows);
    const result = await run("SELECT pid, left(query, 200) AS q, state FROM pg_stat_activity");
    expect(result.output).toContain("ALTER ROLE app PASSWORD '…'");
    expect(JSON.stringify(result.data)).not.toContain("hunter2");
    expect(result.data).toEqual([{ pid: 7, query: "ALTER ROLE app PASSWORD '…'", state: "active" }]);
  });

  it("leaves literals in rows of other queries alone", async () => {
    const rows = [{ name: "it's 'quoted'" }];
    const { run } = setUp(rows);
    expect((await run("SELECT name FROM workflow_def LIMIT 1")).data).toEqual(rows);
  });

  it("no rows is no_data", async () => {
    const { run } = setUp([]);
    const result = await run(BENIGN);
    expect(result).toMatchObject({ status: "no_data", command: "SQL_CONDUCTOR" });
    expect(result.output).toContain("no rows");
  });

  it("a failed query is an error result with the database's reason", async () => {
    const fake = createFakeRunner(() => ({ status: "FAILED", reason: 'ERROR: relation "workflows" does not exist' }));
    const tool = createTools(createFakeDeps(fake.runner).deps).find((t) => t.name === "run_sql_select") as Tool;
    const result = await tool.execute({ executionId: EXECUTION_ID, query: "SELECT * FROM workflows LIMIT 1" }, { executionId: EXECUTION_ID });
    expect(result.status).toBe("error");
    expect(result.output).toMatch(/SQL_CONDUCTOR ended with status FAILED .*relation "workflows" does not exist/);
  });
});

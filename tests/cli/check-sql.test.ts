import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { checkSqlCommand } from "../../src/cli/commands/check-sql.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { UsageError } from "../../src/lib/errors.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

function createFakeIo(stdinText: string | null): { io: CliIo; stdout: () => string } {
  const stdin: PassThrough & { isTTY?: boolean } = new PassThrough();
  if (stdinText === null) stdin.isTTY = true;
  else stdin.end(stdinText);
  const stdout = new PassThrough();
  let written = "";
  stdout.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
  return { io: { stdin, stdout, stderr: new PassThrough(), env: {}, cwd: REPO_ROOT }, stdout: () => written };
}

describe("check-sql", () => {
  it("prints allowed and returns 0 for a read-only query", async () => {
    const { io, stdout } = createFakeIo(null);
    expect(await checkSqlCommand({ query: "SELECT count(*) FROM workflow", batch: false }, io)).toBe(0);
    expect(stdout()).toBe("allowed\n");
  });

  it("prints the reason and returns 1 for a rejected query", async () => {
    const { io, stdout } = createFakeIo(null);
    expect(await checkSqlCommand({ query: "select pg_sleep(10)", batch: false }, io)).toBe(1);
    expect(stdout()).toBe("rejected: function pg_sleep is not allowed: not a built-in read-only function (volatile, and not a reviewed read-only diagnostic)\n");
  });

  it("reads the query from stdin when no argument is given", async () => {
    const { io, stdout } = createFakeIo("EXPLAIN ANALYZE\nSELECT 1\n");
    expect(await checkSqlCommand({ query: undefined, batch: false }, io)).toBe(1);
    expect(stdout()).toBe("rejected: EXPLAIN ANALYZE executes the query\n");
  });

  it("asks for a query when there is neither an argument nor piped stdin", async () => {
    const { io } = createFakeIo(null);
    await expect(checkSqlCommand({ query: undefined, batch: false }, io)).rejects.toThrow(UsageError);
  });

  it("is wired into the command table", async () => {
    const { io, stdout } = createFakeIo(null);
    expect(await main(["node", "oncall-agent", "check-sql", "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"], io)).toBe(1);
    expect(stdout()).toBe("rejected: data-modifying CTE (DELETE) is not allowed\n");
  });
});

describe("check-sql --batch", () => {
  const run = async (lines: string[]): Promise<{ code: number; out: unknown[] }> => {
    const { io, stdout } = createFakeIo(lines.join("\n"));
    const code = await checkSqlCommand({ query: undefined, batch: true }, io);
    return { code, out: stdout().trimEnd().split("\n").map((line) => JSON.parse(line) as unknown) };
  };

  it("returns 0 when every query is allowed", async () => {
    expect(await run([JSON.stringify("SELECT 1"), JSON.stringify("SHOW work_mem")])).toEqual({
      code: 0,
      out: [{ allowed: true, reason: null }, { allowed: true, reason: null }],
    });
  });

  it("answers in order, returns 1 when any is rejected, and keeps multi-line queries intact", async () => {
    const { code, out } = await run([JSON.stringify("SELECT 1;\nDROP TABLE x"), JSON.stringify("-- note\nSELECT 1")]);
    expect(code).toBe(1);
    expect(out).toEqual([{ allowed: false, reason: "2 statements; only one is allowed" }, { allowed: true, reason: null }]);
  });

  // Blank lines are skipped (no output line); error line numbers count every input line.
  it("skips blank lines, reports lines that are not JSON strings, keeps going, and returns 2", async () => {
    const { code, out } = await run([JSON.stringify("SELECT 1"), "", "42", "not json", "   ", JSON.stringify("DELETE FROM t")]);
    expect(code).toBe(2);
    expect(out).toEqual([
      { allowed: true, reason: null },
      { allowed: false, reason: null, error: "line 3 is not a JSON string: got number" },
      { allowed: false, reason: null, error: expect.stringMatching(/^line 4 is not a JSON string: .*JSON/) },
      { allowed: false, reason: "only SELECT, WITH, SHOW or EXPLAIN are allowed (got DeleteStmt / DELETE)" },
    ]);
  });

  it("refuses a query argument together with --batch", async () => {
    const { io } = createFakeIo("");
    await expect(checkSqlCommand({ query: "SELECT 1", batch: true }, io)).rejects.toThrow(/pass no query argument/);
  });
});

describe("check-sql as a real process", () => {
  it("exits 1 and prints the reason for two statements", () => {
    const result = spawnSync(process.execPath, ["bin/oncall-agent.js", "check-sql", "SELECT 1; DROP TABLE x"], { cwd: REPO_ROOT, encoding: "utf8", env: { PATH: process.env.PATH } });
    expect(result.stdout).toBe("rejected: 2 statements; only one is allowed\n");
    expect(result.status).toBe(1);
  });

  it("runs --batch from stdin with no configuration", () => {
    const input = `${JSON.stringify("select 'drop table x' as s")}\n${JSON.stringify("VACUUM")}\n`;
    const result = spawnSync(process.execPath, ["bin/oncall-agent.js", "check-sql", "--batch"], { cwd: REPO_ROOT, encoding: "utf8", input, env: { PATH: process.env.PATH } });
    expect(result.stdout).toBe('{"allowed":true,"reason":null}\n{"allowed":false,"reason":"only SELECT, WITH, SHOW or EXPLAIN are allowed (got VacuumStmt / VACUUM)"}\n');
    expect(result.status).toBe(1);
  });
});

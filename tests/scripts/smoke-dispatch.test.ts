import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { smokeCommand } from "../../src/cli/commands/smoke.ts";
import { UsageError } from "../../src/lib/errors.ts";
import { ROLE_CHECK_QUERY } from "../../src/verify/database-role.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, CONTEXT, createFakeClock, createFakeConductor, type CommandScript } from "../conductor/fake-conductor.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const EMPTY_DIR = mkdtempSync(join(tmpdir(), "smoke-test-"));
const ENV = { CONDUCTOR_SERVER_URL: BASE, CONDUCTOR_AUTH_KEY: AUTH_KEY, CONDUCTOR_AUTH_SECRET: AUTH_SECRET, CONDUCTOR_COMMAND_TIMEOUT: "30s" };

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function capture() {
  let text = "";
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, text: () => text };
}

async function smoke(execution: string | undefined, scripts: Record<string, CommandScript> = {}, env: Record<string, string> = ENV) {
  const fake = createFakeConductor(scripts);
  server.use(...fake.handlers);
  const stdout = capture();
  const stderr = capture();
  const io = { stdout: stdout.stream, stderr: stderr.stream, env, cwd: EMPTY_DIR };
  const code = await smokeCommand({ execution }, io, { clock: createFakeClock(), logger: silentLogger });
  return { code, out: stdout.text(), fake };
}

describe("smokeCommand", () => {
  it("reads the context, dispatches the three commands and passes", async () => {
    const { code, out, fake } = await smoke(`<https://cp.example.com/execution/${CONTEXT.executionId}|open>`, {
      get_pods_data: { status: "COMPLETED", runningPolls: 2 },
    });
    expect(code).toBe(0);
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^PASS read execution ${CONTEXT.executionId}  \\d+ ms$`));
    expect(lines[1]).toContain(`domain ${CONTEXT.taskDomain}`);
    expect(lines[2]).toMatch(/^PASS GET_PODS_DATA  \d+(\.\d)? m?s  workflow cmd-\d$/);
    expect(lines[3]).toMatch(/^PASS GET_CLUSTER_METRICS  /);
    expect(lines[4]).toMatch(/^PASS SQL_CONDUCTOR  /);
    expect(lines[5]).toBe("WARN database role not checked: the role check returned no row");
    expect(lines[6]).toMatch(/^PASS: 3\/3 commands completed in /);
    expect(fake.starts.map((s) => s.name).sort()).toEqual(["get_cluster_metrics", "get_pods_data", "sql_conductor"]);
    const sql = fake.starts.find((s) => s.name === "sql_conductor");
    expect(sql?.input.agentHandlerRequest).toEqual({
      clusterName: "viz-stage",
      command: "SQL_CONDUCTOR",
      parameters: { query: ROLE_CHECK_QUERY, transactional: false, expectedRowCount: null },
    });
  });

  it("reads the database role through SQL_CONDUCTOR and prints the exact ALTER ROLE for a role without limits", async () => {
    const row = {
      role: "conductor", default_transaction_read_only: "off", statement_timeout: "0", lock_timeout: "5s", idle_in_transaction_session_timeout: "1min",
      temp_file_limit: "1GB", in_recovery: false, superuser: false, createrole: false, createdb: false, bypassrls: false, replication: false,
      reads_all_data: false, writes_all_data: false, monitor: true, writable_tables: 0,
    };
    const { code, out } = await smoke(CONTEXT.executionId, { sql_conductor: { status: "COMPLETED", output: { result: { rows: [row] } } } });
    expect(code).toBe(0);
    expect(out).toContain("     database role conductor on the primary: 2 to fix\n");
    expect(out).toContain("WARN default_transaction_read_only is off: ALTER ROLE conductor SET default_transaction_read_only = 'on';\n");
    expect(out).toContain("WARN statement_timeout is 0: ALTER ROLE conductor SET statement_timeout = '30s';\n");
  });

  it("fails (exit 1) when a command does not complete, saying which and why", async () => {
    const { code, out } = await smoke(CONTEXT.executionId, {
      get_cluster_metrics: { status: "FAILED", reasonForIncompletion: "metrics-server unavailable" },
    });
    expect(code).toBe(1);
    expect(out).toMatch(/^FAIL GET_CLUSTER_METRICS  .*FAILED: metrics-server unavailable  workflow cmd-\d$/m);
    expect(out).toMatch(/^PASS GET_PODS_DATA/m);
    expect(out).toMatch(/^FAIL: 2\/3 commands completed/m);
  });

  it("fails (exit 1) without dispatching when the execution cannot be read", async () => {
    const { code, out, fake } = await smoke("00000000-0000-0000-0000-000000000000");
    expect(code).toBe(1);
    expect(out).toContain("FAIL read execution 00000000-0000-0000-0000-000000000000");
    expect(out).toContain("HTTP 404");
    expect(fake.starts).toEqual([]);
  });

  it("needs an execution id: a usage error (exit 2)", async () => {
    await expect(smoke(undefined)).rejects.toSatisfy((e) => e instanceof UsageError && e.exitCode === 2 && /execution id/.test(e.message));
  });

  it("missing configuration is a usage error listing what to set", async () => {
    await expect(smoke("x", {}, {})).rejects.toSatisfy((e) => e instanceof UsageError && /CONDUCTOR_SERVER_URL is not set/.test(e.message));
  });
});

describe("scripts/smoke-dispatch.ts", () => {
  it("exits 2 with the configuration message and no stack trace when configuration is missing", async () => {
    const run = promisify(execFile);
    const error = await run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "scripts/smoke-dispatch.ts"), CONTEXT.executionId], {
      cwd: EMPTY_DIR,
      env: { PATH: process.env.PATH ?? "" },
    }).catch((e: unknown) => e as { code: number; stdout: string; stderr: string });
    expect(error).toMatchObject({ code: 2, stdout: "" });
    const { stderr } = error as { stderr: string };
    expect(stderr).toContain("CONDUCTOR_SERVER_URL is not set");
    expect(stderr).toContain("CONDUCTOR_AUTH_SECRET is not set");
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});

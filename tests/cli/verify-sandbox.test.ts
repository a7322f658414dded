import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import { runCliInProcess } from "../helpers/run-cli.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ scenarios: await loadScenarios("scenarios") });
});
afterAll(async () => {
  await sandbox?.close();
});

async function verify(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const { code, stdout } = await runCliInProcess(["verify"], env, "/nonexistent");
  return { code, out: stdout };
}

describe("verify against the sandbox over real HTTP", () => {
  it("passes Slack, Conductor and Anthropic, skips unconfigured SMTP, and exits 0", async () => {
    const { code, out } = await verify(sandbox.env);
    expect(out).toMatch(/^slack\s+PASS/m);
    expect(out).toMatch(/^conductor\s+PASS\s+token OK; search read \d+ health_check executions at [^;]+; database role oncall_agent: read-only, timeouts set, on the primary \(cluster [\w-]+\)$/m);
    expect(out).toMatch(/^anthropic\s+PASS/m);
    expect(out).toMatch(/^smtp\s+SKIP/m);
    expect(code).toBe(0);
    expect(out).not.toContain(sandbox.env.CONDUCTOR_AUTH_SECRET);
  });

  it("warns (exit 0) with the exact ALTER ROLE when the cluster's database role can write and has no timeout", async () => {
    const scenario = structuredClone((await loadScenarios("scenarios"))[0]!);
    const role = { role: "conductor", default_transaction_read_only: "off", statement_timeout: "0", lock_timeout: "5s", idle_in_transaction_session_timeout: "60s", temp_file_limit: "1GB",
      in_recovery: false, superuser: false, createrole: false, createdb: false, bypassrls: false, replication: false, reads_all_data: false, writes_all_data: false, monitor: true, writable_tables: 12 };
    scenario.commands.SQL_CONDUCTOR = [{ match: "rolname = current_user", status: "COMPLETED", output: { rows: [role] } }];
    const risky = await startSandbox({ scenarios: [scenario] });
    try {
      const { code, out } = await verify({ ...risky.env, ANTHROPIC_API_KEY: "" });
      expect(out).toMatch(/^conductor\s+WARN\s+token OK; .*database role conductor on the primary: 3 to fix/m);
      expect(out).toContain("role conductor can write 12 tables: REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM conductor;");
      // One warning a line, under the DETAIL column.
      expect(out).toMatch(/^ {10,}WARN default_transaction_read_only is off: ALTER ROLE conductor SET default_transaction_read_only = 'on';$/m);
      expect(out).toContain("statement_timeout is 0: ALTER ROLE conductor SET statement_timeout = '30s';");
      expect(code).toBe(0);
    } finally {
      await risky.close();
    }
  });

  it("fails the Anthropic check with a wrong key", async () => {
    const { code, out } = await verify({ ...sandbox.env, ANTHROPIC_API_KEY: "sk-ant-wrong-key" });
    expect(out).toMatch(/^anthropic\s+FAIL/m);
    expect(out).not.toContain("sk-ant-wrong-key");
    expect(code).toBe(1);
  });
});

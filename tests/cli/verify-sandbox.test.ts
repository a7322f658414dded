import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { loadScenarios, startSandbox, type Sandbox } from "../../src/sandbox/index.ts";

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ scenarios: await loadScenarios("scenarios") });
});
afterAll(async () => {
  await sandbox?.close();
});

async function verify(env: Record<string, string>): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(["node", "oncall-agent", "verify"], { stdout, stderr: new PassThrough(), stdin, env, cwd: "/nonexistent" });
  return { code, out };
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

  it("fails the Anthropic check with a wrong key", async () => {
    const { code, out } = await verify({ ...sandbox.env, ANTHROPIC_API_KEY: "sk-ant-wrong-key" });
    expect(out).toMatch(/^anthropic\s+FAIL/m);
    expect(out).not.toContain("sk-ant-wrong-key");
    expect(code).toBe(1);
  });
});

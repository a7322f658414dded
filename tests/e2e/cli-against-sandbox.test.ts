import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { botEnv } from "../../scripts/lib/cli-soak.ts";

const BIN = join(import.meta.dirname, "../../bin/oncall-agent.js");
let sandbox: Sandbox;
let scenarios: Scenario[];

beforeAll(async () => {
  scenarios = await loadScenarios("scenarios");
  sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: 30 } });
});
afterAll(async () => {
  await sandbox?.close();
});


interface Running {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
}

function startCli(args: string[], env: Record<string, string>): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: mkdtempSync(join(tmpdir(), "oncall-e2e-cwd-")), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { done, kill: (signal) => child.kill(signal), stderr: () => stderr };
}

const runCli = (args: string[], env: Record<string, string>) => startCli(args, env).done;

async function waitFor(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const replies = (ts: string) => sandbox.slack.replies(sandbox.alertChannel, ts);
const post = (id: string) => sandbox.slack.postAlert(sandbox.alertChannel, scenarios.find((s) => s.id.startsWith(id))!.alert.message);

describe("the CLI against the sandbox", () => {
  it("answers each alert once in one cycle, and not again after a restart", async () => {
    const state = join(mkdtempSync(join(tmpdir(), "oncall-e2e-")), "state.json");
    const alerts = ["07_", "10_", "12_"].map(post);
    const first = await runCli(["run", "--since", "10m"], botEnv(sandbox, state));
    expect(first.code, first.stderr).toBe(0);
    for (const ts of alerts) {
      expect(replies(ts)).toHaveLength(1);
      expect(sandbox.slack.reactions(sandbox.alertChannel, ts)).toEqual(["white_check_mark"]);
    }
    const posts = sandbox.slack.callsTo("chat.postMessage").length;
    const second = await runCli(["run", "--since", "10m"], botEnv(sandbox, state));
    expect(second.code, second.stderr).toBe(0);
    expect(sandbox.slack.callsTo("chat.postMessage").length).toBe(posts);
    for (const ts of alerts) expect(replies(ts)).toHaveLength(1);
  });

  it("--dry-run investigates and prints the replies but posts and reacts nothing", async () => {
    const state = join(mkdtempSync(join(tmpdir(), "oncall-e2e-")), "state.json");
    const ts = post("08_");
    const before = { posts: sandbox.slack.callsTo("chat.postMessage").length, reactions: sandbox.slack.callsTo("reactions.add").length };
    const result = await runCli(["run", "--dry-run", "--since", "10m"], botEnv(sandbox, state));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dry run, not posted/);
    expect(result.stdout).toMatch(/ImagePullBackOff/);
    expect(sandbox.slack.callsTo("chat.postMessage").length).toBe(before.posts);
    expect(sandbox.slack.callsTo("reactions.add").length).toBe(before.reactions);
    expect(replies(ts)).toHaveLength(0);
  });

  it("--loop answers alerts that arrive while it runs, refuses a second process on its state file, and exits 0 on SIGTERM", { timeout: 60_000 }, async () => {
    const state = join(mkdtempSync(join(tmpdir(), "oncall-e2e-")), "state.json");
    const env = botEnv(sandbox, state);
    const bot = startCli(["run", "--loop", "--interval", "0.2"], env);
    // The channel holds replies from the tests above: a new state file there reads as a lost state, rebuilt from the window.
    await waitFor(() => /first poll of this channel|rebuilding from the last/.test(bot.stderr()));
    const late = ["21_", "16_"].map(post);
    await waitFor(() => late.every((ts) => replies(ts).length === 1)).catch((e: unknown) => {
      bot.kill("SIGKILL");
      throw new Error(`${String(e)}\n${bot.stderr()}`);
    });

    const second = await runCli(["run"], env);
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/already running/);

    bot.kill("SIGTERM");
    const exit = await bot.done;
    expect(exit.code, exit.stderr).toBe(0);
    for (const ts of late) expect(replies(ts)).toHaveLength(1);
  });
});

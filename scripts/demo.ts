/**
 * `npm run demo`: starts the sandbox (fake Slack, Conductor and model on 127.0.0.1), posts a
 * handful of scenario alerts, runs the real bot (`oncall-agent run`, one cycle) against it, and
 * prints each alert with its thread reply. No credentials, no network.
 *
 *   npm run demo                      # 5 scenarios, rules engine (or claude when ANTHROPIC_API_KEY is set)
 *   npm run demo -- --all             # every scenario
 *   npm run demo -- --engine claude   # the Claude tool loop; without a key, the sandbox's scripted model
 *   npm run build && npm run demo -- --built   # the compiled bot (node dist/cli/entry.js) as a subprocess
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { parseArgs } from "node:util";
import { main } from "../src/cli/main.ts";
import { loadScenarios, startSandbox } from "../src/sandbox/index.ts";
import { blocksToText } from "../src/slack/blocks-to-text.ts";

const DEFAULT_PICK = ["01_", "08_", "13_", "16_", "21_"];

const { values } = parseArgs({
  options: {
    all: { type: "boolean", default: false },
    built: { type: "boolean", default: false },
    engine: { type: "string" },
    scenarios: { type: "string", default: "scenarios" },
    "command-delay-ms": { type: "string", default: "150" },
  },
});

const started = Date.now();
const all = await loadScenarios(values.scenarios);
const picked = values.all ? all : all.filter((s) => DEFAULT_PICK.some((prefix) => s.id.startsWith(prefix)));
const sandbox = await startSandbox({ scenarios: all, latency: { conductorCommandMs: Number(values["command-delay-ms"]) } });
const dir = mkdtempSync(join(tmpdir(), "oncall-demo-"));
try {
  sandbox.slack.postAlert(sandbox.alertChannel, { text: "morning all, is anyone looking at the EU clusters?", user: "U0HUMAN001" });
  const posted = picked.map((s) => ({ scenario: s, ts: sandbox.slack.postAlert(sandbox.alertChannel, s.alert.message) }));

  // A real key in the caller's environment means a real model; otherwise the scripted one.
  const userKey = process.env.ANTHROPIC_API_KEY;
  const engine = values.engine ?? (userKey ? "claude" : "rules");
  const modelEnv = userKey
    ? { ANTHROPIC_API_KEY: userKey, ...(process.env.ANTHROPIC_BASE_URL ? { ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL } : {}) }
    : engine === "claude"
      ? { ANTHROPIC_API_KEY: sandbox.env.ANTHROPIC_API_KEY!, ANTHROPIC_BASE_URL: sandbox.env.ANTHROPIC_BASE_URL! }
      : {};
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    SLACK_API_URL: sandbox.env.SLACK_API_URL,
    SLACK_BOT_TOKEN: sandbox.env.SLACK_BOT_TOKEN,
    SLACK_ALERT_CHANNELS: sandbox.env.SLACK_ALERT_CHANNELS,
    CONDUCTOR_SERVER_URL: sandbox.env.CONDUCTOR_SERVER_URL,
    CONDUCTOR_AUTH_KEY: sandbox.env.CONDUCTOR_AUTH_KEY,
    CONDUCTOR_AUTH_SECRET: sandbox.env.CONDUCTOR_AUTH_SECRET,
    ONCALL_STATE_FILE: join(dir, "state.json"),
    ONCALL_ENGINE: engine,
    ONCALL_CONCURRENCY: "6",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    ...modelEnv,
  };
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const stdin = new PassThrough();
  stdin.end();

  console.log(`oncall-agent demo — ${picked.length} alerts, engine ${engine}${engine === "claude" && !userKey ? " (scripted sandbox model)" : ""}`);
  console.log(`sandbox: Slack ${sandbox.env.SLACK_API_URL}  Conductor ${sandbox.env.CONDUCTOR_SERVER_URL}\n`);
  const args = ["run", "--since", "10m"];
  const code = values.built ? await runBuilt(args, env, dir) : await main(["node", "oncall-agent", ...args], { stdout: out, stderr: process.stderr, stdin, env, cwd: dir });

  for (const { scenario, ts } of posted) {
    const replies = sandbox.slack.replies(sandbox.alertChannel, ts);
    const reactions = sandbox.slack.reactions(sandbox.alertChannel, ts);
    console.log("═".repeat(100));
    console.log(`ALERT  ${scenario.title}`);
    console.log(scenario.alert.message.text.split("\n").map((l) => `  │ ${l}`).join("\n"));
    console.log(`REPLY  (${replies.length} in thread; reactions: ${reactions.join(" ") || "none"})`);
    for (const reply of replies) console.log(blocksToText(reply).map((l) => `  ┃ ${l}`).join("\n"));
    console.log(`TRUTH  ${scenario.truth.rootCause}\n`);
  }
  const replied = posted.filter(({ ts }) => sandbox.slack.replies(sandbox.alertChannel, ts).length === 1).length;
  const violations = sandbox.conductor.violations();
  console.log("═".repeat(100));
  console.log(
    `${replied}/${posted.length} alerts answered exactly once · ${sandbox.conductor.commands.length} read-only commands dispatched · ` +
      `${violations.length} routing/allow-list violations · bot exit code ${code} · ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.exitCode = code === 0 && replied === posted.length && violations.length === 0 ? 0 : 1;
} finally {
  await sandbox.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The production build, as the container runs it: plain Node on dist/, no TypeScript runtime (a subprocess, so the sandbox keeps answering). */
function runBuilt(args: string[], env: Record<string, string | undefined>, cwd: string): Promise<number> {
  const entry = join(import.meta.dirname, "../dist/cli/entry.js");
  if (!existsSync(entry)) throw new Error("no dist/cli/entry.js: run `npm run build` first");
  const child = spawn(process.execPath, [entry, ...args], { env, cwd, stdio: ["ignore", "ignore", "inherit"] });
  return new Promise((resolve) => child.on("close", (code) => resolve(code ?? 1)));
}

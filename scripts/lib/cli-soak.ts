/**
 * The CLI as a subprocess against the sandbox, for the crash, shutdown and outage soaks
 * (scripts/soak-kill.ts and tests/e2e/*). Counts what matters from Slack's side: per alert, the
 * bot's replies and what their metadata says they are.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReplyMetadata } from "../../src/bot/reply-metadata.ts";
import { cloneScenario } from "../../src/sandbox/clone-scenario.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";

export const BIN = join(import.meta.dirname, "../../bin/oncall-agent.js");

export interface RunningCli {
  readonly pid: number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
}

export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: mkdtempSync(join(tmpdir(), "oncall-soak-cwd-")), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
    if (stderr.length > 4_000_000) stderr = stderr.slice(-2_000_000);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { pid: child.pid ?? 0, done, stderr: () => stderr, kill: (signal) => child.kill(signal) };
}

/** A sandbox with `count` distinct alerts (fresh execution ids and clusters), none posted yet. */
export async function startSoakSandbox(count: number, latency: { conductorCommandMs?: number; slackMs?: number } = {}) {
  const base = await loadScenarios("scenarios");
  // Scenarios whose alert parses and whose cluster is distinct; cloned so every alert is a new execution.
  const scenarios: Scenario[] = Array.from({ length: count }, (_, i) => cloneScenario(base[i % base.length]!, `s${i}`));
  const sandbox = await startSandbox({ scenarios, latency });
  return { sandbox, scenarios };
}

export function botEnv(sandbox: Sandbox, stateFile: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    ...Object.fromEntries(Object.entries(sandbox.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))),
    ONCALL_STATE_FILE: stateFile,
    ONCALL_ENGINE: "rules",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
    ...extra,
  };
}

export function tempState(): string {
  return join(mkdtempSync(join(tmpdir(), "oncall-soak-")), "state.json");
}

export interface ThreadTally {
  ts: string;
  /** The texts of the bot's failure notes, if any (why the bot gave up). */
  notes: string[];
  /** Replies of the bot in the thread. */
  replies: number;
  kinds: string[];
  reactions: string[];
}

/** Per alert: how many replies the bot posted and of which kind (from the reply metadata). */
export function tallyThreads(sandbox: Sandbox, alertTs: readonly string[]): ThreadTally[] {
  return alertTs.map((ts) => {
    const own = sandbox.slack.replies(sandbox.alertChannel, ts).filter((m) => m.bot_id === "B0SBXBOT01");
    return {
      ts,
      notes: own.filter((m) => readReplyMetadata(m as never)?.kind === "failure-note").map((m) => m.text ?? ""),
      replies: own.length,
      kinds: own.map((m) => readReplyMetadata(m as never)?.kind ?? "no-metadata"),
      reactions: sandbox.slack.reactions(sandbox.alertChannel, ts),
    };
  });
}

export interface SoakFigures {
  alerts: number;
  answeredOnce: number;
  lost: number;
  duplicates: number;
  failureNotes: number;
  byKind: Record<string, number>;
  stuckEyes: number;
}

export function summarise(tally: readonly ThreadTally[]): SoakFigures {
  const byKind: Record<string, number> = {};
  for (const t of tally) for (const k of t.kinds) byKind[k] = (byKind[k] ?? 0) + 1;
  return {
    alerts: tally.length,
    answeredOnce: tally.filter((t) => t.replies === 1).length,
    lost: tally.filter((t) => t.replies === 0).length,
    duplicates: tally.reduce((n, t) => n + Math.max(0, t.replies - 1), 0),
    failureNotes: byKind["failure-note"] ?? 0,
    byKind,
    stuckEyes: tally.filter((t) => t.reactions.includes("eyes")).length,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) return false;
    await sleep(100);
  }
  return true;
}

export interface KillSoakOptions {
  alerts: number;
  kills: number;
  /** Each process lives a random time in this range (ms) after it is up before its SIGKILL. */
  lifeMs: [number, number];
  /** Light faults: Slack 500s and a slow post now and then. */
  faults: boolean;
  log?: (line: string) => void;
  random?: () => number;
}

export interface KillSoakResult extends SoakFigures {
  kills: number;
  refusedRestarts: number;
  restarts: number;
  seconds: number;
  /** Alerts that are not answered exactly once, for diagnosis. */
  bad: ThreadTally[];
}

/**
 * Posts `alerts` alerts, runs `run --loop` and SIGKILLs it `kills` times at random moments, each
 * time restarting at once, then lets the last process finish and stops it with SIGTERM.
 */
export async function runKillSoak(options: KillSoakOptions): Promise<KillSoakResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const { sandbox, scenarios } = await startSoakSandbox(options.alerts, { conductorCommandMs: 150 });
  try {
    const state = tempState();
    const env = botEnv(sandbox, state, { ONCALL_RETRY_BACKOFF: "1s", ONCALL_CONCURRENCY: "6", ONCALL_SHUTDOWN_GRACE: "5s" });
    const alertTs = scenarios.map((s) => sandbox.slack.postAlert(sandbox.alertChannel, s.alert.message));
    const args = ["run", "--loop", "--interval", "0.3", "--since", "1h"];
    let refused = 0;
    let restarts = 0;
    const answered = () => tallyThreads(sandbox, alertTs).filter((t) => t.replies > 0).length;
    for (let kill = 0; kill < options.kills; kill += 1) {
      if (options.faults) injectLightFaults(sandbox, random);
      const cli = startCli(args, env);
      restarts += 1;
      const up = await waitFor(() => cli.stderr().includes("oncall-agent started"), 20_000);
      const exited = await Promise.race([cli.done.then(() => true), sleep(0).then(() => false)]);
      if (!up || exited) {
        const result = await Promise.race([cli.done, sleep(2000).then(() => null)]);
        if (result?.code === 3) refused += 1;
        log(`start ${restarts}: did not come up (exit ${result?.code ?? "?"}): ${cli.stderr().slice(-500)}`);
        cli.kill("SIGKILL");
        continue;
      }
      const life = options.lifeMs[0] + random() * (options.lifeMs[1] - options.lifeMs[0]);
      await sleep(life);
      cli.kill("SIGKILL");
      await cli.done;
      log(`kill ${kill + 1}/${options.kills} after ${Math.round(life)} ms: ${answered()}/${alertTs.length} answered`);
    }
    sandbox.slack.faults.clear();
    const last = startCli(args, env);
    restarts += 1;
    await waitFor(() => answered() === alertTs.length && tallyThreads(sandbox, alertTs).every((t) => !t.reactions.includes("eyes")), 240_000);
    await sleep(1500); // anything still to come (a duplicate) would land now
    last.kill("SIGTERM");
    const exit = await last.done;
    if (exit.code === 3) refused += 1;
    const tally = tallyThreads(sandbox, alertTs);
    return {
      ...summarise(tally),
      kills: options.kills,
      refusedRestarts: refused,
      restarts,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      bad: tally.filter((t) => t.replies !== 1 || t.notes.length > 0),
    };
  } finally {
    await sandbox.close();
  }
}

/** A few transient Slack failures per process life: a 500 on a post, on a thread read, on a reaction, and a slow post. */
function injectLightFaults(sandbox: Sandbox, random: () => number): void {
  const { faults } = sandbox.slack;
  faults.clear();
  if (random() < 0.5) faults.add("chat.postMessage", { kind: "status", status: 500 });
  if (random() < 0.5) faults.add("conversations.replies", { kind: "status", status: 500 });
  if (random() < 0.5) faults.add("reactions.add", { kind: "status", status: 500 });
  if (random() < 0.3) faults.add("chat.postMessage", { kind: "late", ms: 800 });
}

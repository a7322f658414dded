/**
 * `npm run bench [-- --burst 100 --out bench-results --only overhead,deadline]`
 * Measures the real bot against the sandbox with injected latencies and prints a table:
 * alert→👀 and alert→reply latency in --loop, triage overhead against the critical path of the
 * injected latencies (claude with the scripted model, and rules) and Conductor requests per
 * command, with synchronous execution and with start + poll (a server answering 404), how long a
 * triage takes with a 1 s deadline and 1.5 s commands, a burst of alerts against its lower bound
 * (concurrency and Slack's one message a second per channel), Slack calls per idle poll, model
 * input tokens per triage, and peak RSS. Writes bench-results/bench.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseAlert } from "../src/alerts/index.ts";
import { createBot } from "../src/bot/bot.ts";
import { createSlackSink } from "../src/bot/reply-sink.ts";
import { runLoop } from "../src/bot/run-loop.ts";
import { buildBotOptions, buildInvestigation } from "../src/cli/compose.ts";
import { loadConfig } from "../src/config/index.ts";
import { systemClock } from "../src/lib/clock.ts";
import { limitConcurrency } from "../src/lib/limit-concurrency.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { cloneScenario } from "../src/sandbox/clone-scenario.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../src/sandbox/index.ts";
import { createSlackApi } from "../src/slack/slack-api.ts";
import { openStateStore } from "../src/state/index.ts";

const { values } = parseArgs({
  options: {
    burst: { type: "string", default: "100" },
    out: { type: "string", default: "bench-results" },
    /** Comma-separated sections to run: loop, overhead, deadline, burst (default: all). */
    only: { type: "string", default: "loop,overhead,deadline,burst" },
  },
});
const sections = new Set(values.only.split(",").map((x) => x.trim()));

const LATENCY = { slackMs: 15, conductorCommandMs: 1500, modelMs: 1000 };
const base = await loadScenarios("scenarios");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

type Dispatch = "synchronous" | "start+poll";

function configFor(sandbox: Sandbox, engine: "claude" | "rules", extra: Record<string, string> = {}) {
  return loadConfig(
    { ...sandbox.env, ONCALL_ENGINE: engine, ONCALL_STATE_FILE: join(mkdtempSync(join(tmpdir(), "oncall-bench-")), "state.json"), ...extra },
    ["slack", "conductor"],
  );
}

/** Starts the real bot (`run --loop` minus the CLI) against the sandbox. */
async function startBot(sandbox: Sandbox, engine: "claude" | "rules", intervalMs: number) {
  const config = configFor(sandbox, engine);
  const investigation = buildInvestigation(config, { logger: silentLogger, engine });
  const store = await openStateStore(config.oncall.stateFile, { logger: silentLogger, clock: systemClock });
  const slack = createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger: silentLogger });
  const bot = createBot(
    buildBotOptions(config, { since: null, rebuildFromHistory: false }),
    { slack, store, triager: investigation.triager, sink: createSlackSink(slack, silentLogger, { clock: systemClock }), clock: systemClock, logger: silentLogger },
  );
  await bot.pollOnce(); // first poll: the channel starts from now
  const stop = new AbortController();
  const loop = runLoop(bot, { intervalMs, shutdownGraceMs: 120_000, stop: stop.signal }, { clock: systemClock, logger: silentLogger });
  return {
    bot,
    concurrency: config.oncall.concurrency,
    async stop() {
      stop.abort();
      await loop;
      await store.close();
      await investigation.close();
    },
  };
}

function replyTimes(sandbox: Sandbox, ts: string) {
  const calls = sandbox.slack.calls;
  const eyes = calls.find((c) => c.method === "reactions.add" && c.params.timestamp === ts && c.params.name === "eyes");
  const reply = calls.find((c) => c.method === "chat.postMessage" && c.params.thread_ts === ts);
  return { eyesAt: eyes?.at, replyAt: reply?.at };
}

/** 1. Alert→👀 and alert→reply in --loop, alerts arriving one at a time. */
async function measureLoopLatency(engine: "claude" | "rules") {
  const scenarios = base.map((s, i) => cloneScenario(s, `l${engine[0]}${i}`));
  const sandbox = await startSandbox({ scenarios, latency: LATENCY });
  const intervalMs = 2000;
  const running = await startBot(sandbox, engine, intervalMs);
  const posted: { ts: string; at: number }[] = [];
  for (const scenario of scenarios.slice(0, 12)) {
    posted.push({ ts: sandbox.slack.postAlert(sandbox.alertChannel, scenario.alert.message), at: Date.now() });
    await sleep(700);
  }
  const until = Date.now() + 60_000;
  while (posted.some((p) => !replyTimes(sandbox, p.ts).replyAt) && Date.now() < until) await sleep(50);
  await running.stop();
  const eyes = posted.map((p) => (replyTimes(sandbox, p.ts).eyesAt ?? Number.NaN) - p.at);
  const reply = posted.map((p) => (replyTimes(sandbox, p.ts).replyAt ?? Number.NaN) - p.at);
  await sandbox.close();
  return { engine, pollIntervalMs: intervalMs, alerts: posted.length, eyesP50: percentile(eyes, 50), eyesP95: percentile(eyes, 95), replyP50: percentile(reply, 50), replyP95: percentile(reply, 95) };
}

/** 2. Triage time ÷ the critical path of the injected latencies, per scenario, and Conductor requests per command. */
async function measureOverhead(engine: "claude" | "rules", dispatch: Dispatch) {
  const sandbox = await startSandbox({ scenarios: base, latency: LATENCY, synchronousExecution: dispatch === "synchronous" ? "supported" : 404 });
  const config = configFor(sandbox, engine);
  const investigation = buildInvestigation(config, { logger: silentLogger, engine });
  const rows: { scenario: string; ms: number; criticalMs: number; ratio: number; inputTokens: number }[] = [];
  // Triages run 6 at a time to keep the bench short; each is measured against its own critical path.
  const limit = limitConcurrency(6);
  await Promise.all(
    base.map((scenario) =>
      limit(async () => {
        const parsed = parseAlert(scenario.alert.message);
        if (!parsed.isAlert) return;
        const started = Date.now();
        const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert });
        const ms = Date.now() - started;
        const commands = sandbox.conductor.commands.filter((c) => c.scenarioId === scenario.id && c.at >= started);
        const turns = sandbox.anthropic.requests.filter((r) => r.scenarioId === scenario.id && r.at >= started).length;
        const criticalMs = turns * LATENCY.modelMs + countWaves(commands.map((c) => c.at)) * LATENCY.conductorCommandMs;
        const inputTokens = report.stats.inputTokens + report.stats.cacheReadTokens + report.stats.cacheWriteTokens;
        rows.push({ scenario: scenario.id, ms, criticalMs, ratio: criticalMs > 0 ? ms / criticalMs : Number.NaN, inputTokens });
      }),
    ),
  );
  await investigation.close();
  const counts = sandbox.conductor.requestCounts;
  // Every request but the token and each triage's one read of its execution serves a command.
  const commandRequests = counts.startWorkflow + counts.executeWorkflow + counts.search + counts.getWorkflow - rows.length;
  const commands = sandbox.conductor.commands.length;
  await sandbox.close();
  const measured = rows.filter((r) => r.criticalMs > 0);
  const total = measured.reduce((a, r) => a + r.ms, 0) / measured.reduce((a, r) => a + r.criticalMs, 0);
  return {
    engine,
    dispatch,
    scenarios: rows.length,
    overall: total,
    p50: percentile(measured.map((r) => r.ratio), 50),
    max: Math.max(...measured.map((r) => r.ratio)),
    meanTriageMs: mean(rows.map((r) => r.ms)),
    meanInputTokens: mean(rows.map((r) => r.inputTokens)),
    commands,
    requestsPerCommand: commands > 0 ? commandRequests / commands : Number.NaN,
    worst: measured.sort((a, b) => b.ratio - a.ratio)[0]?.scenario ?? null,
  };
}

/** 3. A 1 s triage deadline against 1.5 s commands: how long a triage really takes, and whether it answers. */
async function measureDeadline(engine: "claude" | "rules") {
  const sandbox = await startSandbox({ scenarios: base, latency: LATENCY });
  const investigation = buildInvestigation(configFor(sandbox, engine, { ONCALL_TRIAGE_DEADLINE: "1s" }), { logger: silentLogger, engine });
  const times: number[] = [];
  let reports = 0;
  for (const scenario of base.slice(0, 8)) {
    const parsed = parseAlert(scenario.alert.message);
    if (!parsed.isAlert) continue;
    const started = Date.now();
    const report = await investigation.triager.triage({ executionId: parsed.alert.executionId, alert: parsed.alert }).catch(() => null);
    times.push(Date.now() - started);
    if (report) reports += 1;
  }
  await investigation.close();
  await sandbox.close();
  return { engine, deadlineMs: 1000, commandMs: LATENCY.conductorCommandMs, triages: times.length, reports, meanMs: mean(times), maxMs: Math.max(...times) };
}

/** Commands started within half a command latency of a wave's first belong to that wave. */
function countWaves(starts: number[]): number {
  let waves = 0;
  let waveStart = Number.NEGATIVE_INFINITY;
  for (const at of [...starts].sort((a, b) => a - b)) {
    if (at - waveStart > LATENCY.conductorCommandMs / 2) {
      waves += 1;
      waveStart = at;
    }
  }
  return waves;
}

/** 4. A burst of distinct alerts at once; 5. Slack calls of an idle poll afterwards. */
async function measureBurst(size: number) {
  const scenarios: Scenario[] = Array.from({ length: size }, (_, i) => cloneScenario(base[i % base.length]!, `b${i}`));
  const sandbox = await startSandbox({ scenarios, latency: LATENCY });
  const running = await startBot(sandbox, "claude", 1000);
  const started = Date.now();
  const posted = scenarios.map((s) => sandbox.slack.postAlert(sandbox.alertChannel, s.alert.message));
  const until = Date.now() + 10 * 60_000;
  while (posted.some((ts) => sandbox.slack.replies(sandbox.alertChannel, ts).length === 0) && Date.now() < until) await sleep(100);
  const totalMs = Date.now() - started;
  await sleep(2500); // let a late duplicate show itself
  const replies = posted.map((ts) => sandbox.slack.replies(sandbox.alertChannel, ts).length);
  const callsBefore = sandbox.slack.calls.length;
  await running.bot.pollOnce();
  const idleCalls = sandbox.slack.calls.slice(callsBefore).map((c) => c.method);
  await running.stop();
  await sandbox.close();
  // One triage takes ~3 model turns and ~2 command waves here; replies leave at 1/s per channel.
  const triageMs = 3 * LATENCY.modelMs + 2 * LATENCY.conductorCommandMs;
  const lowerBoundMs = Math.max(size * 1000, Math.ceil(size / running.concurrency) * triageMs);
  return {
    alerts: size,
    totalMs,
    lowerBoundMs,
    ratio: totalMs / lowerBoundMs,
    lost: replies.filter((n) => n === 0).length,
    duplicated: replies.filter((n) => n > 1).length,
    idleSlackCalls: idleCalls.length,
    idleMethods: idleCalls,
  };
}

const results = {
  date: new Date().toISOString(),
  node: process.version,
  latency: LATENCY,
  loop: sections.has("loop") ? [await measureLoopLatency("rules"), await measureLoopLatency("claude")] : [],
  overhead: sections.has("overhead")
    ? [await measureOverhead("claude", "synchronous"), await measureOverhead("rules", "synchronous"), await measureOverhead("claude", "start+poll"), await measureOverhead("rules", "start+poll")]
    : [],
  deadline: sections.has("deadline") ? [await measureDeadline("rules"), await measureDeadline("claude")] : [],
  burst: sections.has("burst") ? await measureBurst(Number(values.burst)) : null,
  peakRssMb: 0,
};
results.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const burst = results.burst;
const claude = results.overhead.find((o) => o.engine === "claude" && o.dispatch === "synchronous");
const rules = results.overhead.find((o) => o.engine === "rules" && o.dispatch === "synchronous");
const lines = [
  `oncall-agent bench — injected latency: Slack ${LATENCY.slackMs} ms/call, command ${LATENCY.conductorCommandMs} ms, model ${LATENCY.modelMs} ms/turn`,
  "",
  "metric                                           | value",
  "-------------------------------------------------|------------------------------------------",
  ...results.loop.map(
    (l) => `alert→👀 / alert→reply, --loop ${s(l.pollIntervalMs)} poll (${l.engine}) | p50 ${s(l.eyesP50)} / ${s(l.replyP50)} · p95 ${s(l.eyesP95)} / ${s(l.replyP95)}`,
  ),
  ...results.overhead.map(
    (o) =>
      `triage overhead vs critical path (${o.engine}, ${o.dispatch.padEnd(11)}) | ${o.overall.toFixed(3)} overall · p50 ${o.p50.toFixed(3)} · max ${o.max.toFixed(3)} (${o.worst}) · ${o.requestsPerCommand.toFixed(1)} Conductor requests per command (${o.commands} commands)`,
  ),
  ...results.deadline.map(
    (d) => `1 s deadline, 1.5 s commands (${d.engine.padEnd(6)})          | mean ${s(d.meanMs)} · max ${s(d.maxMs)} · ${d.reports}/${d.triages} answered`,
  ),
  ...(burst
    ? [
        `burst of ${burst.alerts} alerts                             | ${s(burst.totalMs)} vs lower bound ${s(burst.lowerBoundMs)} (×${burst.ratio.toFixed(3)}) · lost ${burst.lost} · duplicated ${burst.duplicated}`,
        `Slack calls per idle poll cycle                  | ${burst.idleSlackCalls} (${burst.idleMethods.join(", ")})`,
      ]
    : []),
  ...(claude && rules
    ? [
        `model input tokens per triage (scripted model)   | ${Math.round(claude.meanInputTokens)} (cache reads included)`,
        `mean triage time (claude / rules)                | ${s(claude.meanTriageMs)} / ${s(rules.meanTriageMs)}`,
      ]
    : []),
  `peak RSS                                         | ${results.peakRssMb} MB`,
];
console.log(lines.join("\n"));
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, "bench.json"), `${JSON.stringify(results, null, 2)}\n`);

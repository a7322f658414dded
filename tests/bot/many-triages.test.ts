import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/bot.ts";
import { createSlackSink } from "../../src/bot/reply-sink.ts";
import { createMemoryStateHandle } from "../../src/bot/state-handle.ts";
import { buildInvestigation } from "../../src/cli/compose.ts";
import { loadConfig } from "../../src/config/index.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { cloneScenario } from "../../src/sandbox/clone-scenario.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { createSlackApi } from "../../src/slack/slack-api.ts";
import { emptyState } from "../../src/state/index.ts";

let sandbox: Sandbox;
let scenarios: Scenario[];
beforeAll(async () => {
  const base = await loadScenarios("scenarios");
  scenarios = Array.from({ length: 16 }, (_, i) => cloneScenario(base[i % base.length]!, `m${i}`));
  // Enough latency that every triage is waiting (on the model or a command) at the same time.
  sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: 300, modelMs: 200 } });
});
afterAll(async () => {
  await sandbox?.close();
});

describe("many concurrent triages with the real tools", () => {
  it("answers every alert once without piling listeners onto one abort signal", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on("warning", onWarning);
    const config = loadConfig({ ...sandbox.env, ONCALL_ENGINE: "claude" }, ["slack", "conductor", "anthropic"]);
    const investigation = buildInvestigation(config, { logger: silentLogger });
    const slack = createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger: silentLogger });
    const bot = createBot(
      { channels: config.slack.channels, maxAttempts: 3, cooldownMs: 3_600_000, concurrency: 16, since: "1700000000.000000", rebuildFromHistory: false },
      {
        slack,
        store: createMemoryStateHandle(emptyState()),
        triager: investigation.triager,
        sink: createSlackSink(slack, silentLogger, { clock: systemClock, intervalMs: 0 }),
        clock: systemClock,
        logger: silentLogger,
      },
    );
    const posted = scenarios.map((s) => sandbox.slack.postAlert(sandbox.alertChannel, s.alert.message));
    await bot.pollOnce();
    await bot.drain();
    await investigation.close();
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(posted.map((ts) => sandbox.slack.replies(sandbox.alertChannel, ts).length)).toEqual(posted.map(() => 1));
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });
});

import { loadConfig, readEnvironment } from "../../config/index.ts";
import { createBot, type Bot } from "../../bot/bot.ts";
import { createPrintingSink, createSlackSink } from "../../bot/reply-sink.ts";
import { runLoop } from "../../bot/run-loop.ts";
import { createMemoryStateHandle } from "../../bot/state-handle.ts";
import { systemClock } from "../../lib/clock.ts";
import { parseDuration } from "../../lib/duration.ts";
import { EXIT, UsageError } from "../../lib/errors.ts";
import { buildNotifier, type Notifier } from "../../notify/index.ts";
import { createSlackApi, tsFromMillis } from "../../slack/slack-api.ts";
import { openStateStore } from "../../state/index.ts";
import { buildBotOptions, buildInvestigation, buildLogger } from "../compose.ts";
import type { CliIo } from "../io.ts";

export interface RunCommandOptions {
  loop: boolean;
  intervalSeconds?: number;
  dryRun: boolean;
  since?: string;
  engine?: "claude" | "rules";
}

/** Resolves `--since 2h` or `--since 1763900000.000100` into a Slack ts. */
export function resolveSince(since: string | undefined, now: number): string | null {
  if (since === undefined) return null;
  if (/^\d{9,}(\.\d+)?$/.test(since)) return since;
  const ms = parseDuration(since);
  if (ms === undefined) throw new UsageError(`--since "${since}" is neither a duration (2h, 30m) nor a Slack ts (1763900000.000100)`);
  return tsFromMillis(now - ms);
}

/**
 * `run`: one poll cycle, wait for its triages, exit. `run --loop`: poll forever; SIGINT/SIGTERM
 * stop polling and give in-flight triages the grace period. `run` exits 1 when a channel could not be read.
 */
export async function runCommand(options: RunCommandOptions, io: CliIo, signals: { stop: AbortSignal }): Promise<number> {
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), ["slack", "conductor"]);
  const clock = systemClock;
  const since = resolveSince(options.since, clock.now());
  const logger = buildLogger(config, io);
  const investigation = buildInvestigation(config, { logger, clock, ...(options.engine ? { engine: options.engine } : {}) });
  const store = await openStateStore(config.oncall.stateFile, { logger, clock });
  const slack = createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger });
  // A dry run posts nothing, so it notifies no one either.
  const notify = options.dryRun ? null : buildNotifier(config, { store, slack, clock, logger });
  try {
    const bot = createBot(
      buildBotOptions(config, { since, rebuildFromHistory: store.recoveredFromCorruption }),
      {
        slack,
        store: options.dryRun ? createMemoryStateHandle(store.state) : store,
        triager: investigation.triager,
        sink: options.dryRun ? createPrintingSink(io.stdout) : createSlackSink(slack, logger, { clock }),
        clock,
        logger,
        ...(notify ? { afterReply: notify.notifier.afterReply } : {}),
      },
    );
    // Notifications a crash or shutdown interrupted are retried from the outbox now and after every cycle.
    if (notify) void notify.notifier.retryPending();
    logger.info({ channels: config.slack.channels, engine: investigation.engine, dryRun: options.dryRun, loop: options.loop }, "oncall-agent started");
    if (options.loop) {
      const intervalMs = options.intervalSeconds !== undefined ? options.intervalSeconds * 1000 : config.oncall.pollIntervalMs;
      let stoppedAt = clock.now();
      signals.stop.addEventListener("abort", () => (stoppedAt = clock.now()), { once: true });
      await runLoop(withNotificationRetries(bot, notify?.notifier), { intervalMs, shutdownGraceMs: config.oncall.shutdownGraceMs, stop: signals.stop }, { clock, logger });
      // One grace period for the whole shutdown, so it fits Kubernetes' terminationGracePeriodSeconds;
      // notifications cut off here stay in the outbox and are retried on the next start.
      await notify?.notifier.drain(Math.max(0, config.oncall.shutdownGraceMs - (clock.now() - stoppedAt)));
      return EXIT.ok;
    }
    const summary = await bot.pollOnce();
    await bot.drain();
    await notify?.notifier.drain(config.oncall.shutdownGraceMs);
    logger.info({ ...summary, outcomes: bot.outcomeCounts }, "cycle done");
    return summary.errors.length > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    notify?.close();
    await store.close();
    await investigation.close();
  }
}

/** The bot, retrying the notification outbox after each poll cycle. */
function withNotificationRetries(bot: Bot, notifier: Notifier | undefined): Bot {
  if (!notifier) return bot;
  return {
    async pollOnce() {
      const summary = await bot.pollOnce();
      void notifier.retryPending();
      return summary;
    },
    drain: (graceMs) => bot.drain(graceMs),
    get inFlightCount() {
      return bot.inFlightCount;
    },
    get outcomes() {
      return bot.outcomes;
    },
    get outcomeCounts() {
      return bot.outcomeCounts;
    },
  };
}

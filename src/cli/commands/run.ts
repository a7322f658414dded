import { loadConfig, readEnvironment } from "../../config/index.ts";
import { createBot, type Bot } from "../../bot/bot.ts";
import { createBotFeedback, feedbackFileFor, openFeedbackStore, type BotFeedback } from "../../feedback/index.ts";
import { createPrintingSink, createSlackSink } from "../../bot/reply-sink.ts";
import { decorateBot } from "../../bot/decorate-bot.ts";
import { runLoop } from "../../bot/run-loop.ts";
import { createMemoryStateHandle } from "../../bot/state-handle.ts";
import { systemClock } from "../../lib/clock.ts";
import { parseDuration } from "../../lib/duration.ts";
import { EXIT, UsageError } from "../../lib/errors.ts";
import { buildNotifier, type Notifier } from "../../notify/index.ts";
import { createEmailSender } from "../../notify/email.ts";
import { observeDirectMessages, observeEmail, observeSlack } from "../../ops/instrument.ts";
import { observeBot, observeState, startOps } from "../../ops/start-ops.ts";
import { createSlackApi, tsFromMillis } from "../../slack/slack-api.ts";
import { openConfiguredStore } from "../../state/open-store.ts";
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
  const intervalMs = options.intervalSeconds !== undefined ? options.intervalSeconds * 1000 : config.oncall.pollIntervalMs;
  const ops = await startOps(config.ops, intervalMs, { clock, logger });
  const observe = ops?.observation;
  const investigation = buildInvestigation(config, { logger, clock, ...(options.engine ? { engine: options.engine } : {}), ...(observe ? { observe } : {}) });
  const opened = await openConfiguredStore(config, { logger, clock, stop: signals.stop, pollIntervalMs: intervalMs });
  const store = opened.handle;
  const slackApi = createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger });
  const slack = observe ? observeSlack(slackApi, observe) : slackApi;
  // A dry run posts nothing, so it notifies no one either.
  const email = !options.dryRun && observe && config.smtp ? observeEmail(createEmailSender(config.smtp), observe) : undefined;
  const notifySlack = observe ? observeDirectMessages(slack, observe) : slack;
  const notify = options.dryRun ? null : buildNotifier(config, { store, slack: notifySlack, clock, logger, ...(email ? { email } : {}) });
  const feedbackStore = await openFeedbackStore(feedbackFileFor(config.oncall.stateFile), logger, { readOnly: options.dryRun });
  const feedback = createBotFeedback({ store: feedbackStore, slack, clock, logger }, config.feedback);
  // The notifier learns whether the incident recurs (from the answers before this one), then the answer is
  // remembered; a dry run remembers nothing.
  const afterReply = options.dryRun
    ? undefined
    : async (event: Parameters<typeof feedback.afterReply>[0]) => {
        const recurrence = event.kind === "full" || event.kind === "fallback" ? await feedback.recurrence(event.job).catch(() => undefined) : undefined;
        await feedback.afterReply(event).catch((error: unknown) => logger.warn({ error: String(error) }, "could not record the answer for feedback"));
        await notify?.notifier.afterReply({ ...event, ...(recurrence ? { recurrence } : {}) });
      };
  try {
    const handle = options.dryRun ? createMemoryStateHandle(await opened.snapshot()) : store;
    const created = createBot(
      buildBotOptions(config, { since, rebuildFromHistory: opened.recoveredFromCorruption }),
      {
        slack,
        store: observe ? observeState(handle, observe) : handle,
        triager: investigation.triager,
        sink: options.dryRun ? createPrintingSink(io.stdout) : createSlackSink(slack, logger, { clock }),
        clock,
        logger,
        recurrence: feedback.recurrence,
        ...(afterReply ? { afterReply } : {}),
      },
    );
    const observed = observe ? observeBot(created, observe) : created;
    const bot = options.dryRun ? observed : withVerdictReading(observed, feedback, logger);
    // Notifications a crash or shutdown interrupted are retried from the outbox now and after every cycle.
    if (notify) void notify.notifier.retryPending();
    logger.info({ channels: config.slack.channels, engine: investigation.engine, dryRun: options.dryRun, loop: options.loop }, "oncall-agent started");
    if (options.loop) {
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
    await ops?.close();
    notify?.close();
    await opened.close();
    await investigation.close();
  }
}

/**
 * The bot, reading a bounded number of threads for verdicts after each poll cycle, in the
 * background so that a slow or rate-limited Slack never delays alerts; one read at a time.
 */
function withVerdictReading(bot: Bot, feedback: BotFeedback, logger: { warn(o: object, m: string): void }): Bot {
  let reading: Promise<void> | null = null;
  return decorateBot(bot, {
    async pollOnce() {
      const summary = await bot.pollOnce();
      reading ??= feedback
        .collectOnce()
        .then(() => undefined, (error: unknown) => logger.warn({ error: String(error) }, "reading verdicts failed; will retry next cycle"))
        .finally(() => {
          reading = null;
        });
      return summary;
    },
    drain: async (graceMs) => {
      const done = await bot.drain(graceMs);
      // A single cycle finishes its read; a shutdown does not wait on Slack for it (the next start reads again).
      if (graceMs === undefined) await reading;
      return done;
    },
  });
}

/** The bot, retrying the notification outbox after each poll cycle. */
function withNotificationRetries(bot: Bot, notifier: Notifier | undefined): Bot {
  if (!notifier) return bot;
  return decorateBot(bot, {
    async pollOnce() {
      const summary = await bot.pollOnce();
      void notifier.retryPending();
      return summary;
    },
  });
}

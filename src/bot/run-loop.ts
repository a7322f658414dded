import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { Bot } from "./bot.ts";

export interface LoopOptions {
  intervalMs: number;
  shutdownGraceMs: number;
  /** Aborted on SIGINT/SIGTERM: stop polling, let in-flight triages finish within the grace period. */
  stop: AbortSignal;
}

/**
 * Polls forever while triages run in the background. A failing cycle is logged and the loop goes
 * on; a stop request ends polling at once and gives in-flight work the grace period.
 */
export async function runLoop(bot: Bot, options: LoopOptions, deps: { clock: Clock; logger: Logger }): Promise<{ drained: boolean }> {
  const { clock, logger } = deps;
  let consecutiveFailures = 0;
  while (!options.stop.aborted) {
    const started = clock.now();
    try {
      const summary = await bot.pollOnce();
      consecutiveFailures = 0;
      if (summary.scheduled > 0 || summary.errors.length > 0) {
        logger.info({ ...summary, inFlight: bot.inFlightCount }, "poll cycle");
      } else {
        logger.debug({ scanned: summary.scanned }, "poll cycle: nothing new");
      }
    } catch (error) {
      consecutiveFailures += 1;
      logger.error({ error: errorMessage(error), consecutiveFailures }, "poll cycle failed; retrying next interval");
    }
    // Back off on repeated failures (Slack down, bad token), up to 5 intervals.
    const wait = options.intervalMs * Math.min(5, 2 ** Math.max(0, consecutiveFailures - 1)) - (clock.now() - started);
    await clock.sleep(Math.max(0, wait), options.stop).catch(() => {});
  }
  logger.info({ inFlight: bot.inFlightCount, graceMs: options.shutdownGraceMs }, "stopping: no new polls; waiting for in-flight triages");
  const drained = await bot.drain(options.shutdownGraceMs);
  if (!drained) logger.warn("grace period over; unfinished alerts stay claimed and are retried on the next start");
  return { drained };
}

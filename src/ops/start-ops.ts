import type { Bot } from "../bot/bot.ts";
import { decorateBot } from "../bot/decorate-bot.ts";
import type { StateHandle } from "../bot/state-handle.ts";
import type { OpsConfig } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { ServiceStatus } from "./health.ts";
import { startOpsServer, type OpsServer } from "./http-server.ts";
import type { Observation } from "./instrument.ts";
import { createMetrics } from "./metrics.ts";

export interface Ops {
  observation: Observation;
  server: OpsServer;
  close(): Promise<void>;
}

/** Starts the operators' endpoint when a port is configured; null otherwise (nothing is observed). */
export async function startOps(config: OpsConfig, pollIntervalMs: number, deps: { clock: Clock; logger: Logger }): Promise<Ops | null> {
  if (config.httpPort === undefined) return null;
  const status: ServiceStatus = { startedAt: deps.clock.now(), pollIntervalMs, lastPollAt: null, reachable: {} };
  const observation: Observation = { metrics: createMetrics(), status, clock: deps.clock };
  const server = await startOpsServer(
    { port: config.httpPort, host: config.httpAddress },
    { status: () => status, metrics: observation.metrics, clock: deps.clock, logger: deps.logger },
  );
  return { observation, server, close: () => server.close() };
}

/** Poll cycles: when the last one finished and how it went, and how many alerts it found. */
export function observeBot(bot: Bot, { metrics, status, clock }: Observation): Bot {
  return decorateBot(bot, {
    async pollOnce() {
      try {
        const summary = await bot.pollOnce();
        metrics.pollCycles.inc({ result: summary.errors.length > 0 ? "channel_error" : "ok" });
        metrics.alertsSeen.inc(summary.alerts);
        return summary;
      } catch (error) {
        metrics.pollCycles.inc({ result: "error" });
        throw error;
      } finally {
        status.lastPollAt = clock.now();
        metrics.lastPoll.set(status.lastPollAt / 1000);
      }
    },
  });
}

/** State writes: their latency, and whether the last one succeeded (readiness). */
export function observeState(store: StateHandle, { metrics, status, clock }: Observation): StateHandle {
  return {
    get state() {
      return store.state;
    },
    ...(store.probe ? { probe: () => store.probe!() } : {}),
    async apply(ops) {
      const started = clock.now();
      try {
        await store.apply(ops);
        status.reachable.state = { ok: true, detail: "written", at: clock.now() };
      } catch (error) {
        status.reachable.state = { ok: false, detail: `write failed: ${errorMessage(error)}`, at: clock.now() };
        throw error;
      } finally {
        metrics.stateOps.observe({ operation: "apply" }, (clock.now() - started) / 1000);
      }
    },
  };
}

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

/**
 * State operations: their latency, and whether the store is usable (readiness): the last
 * operation's result, or, for a shared store, its own health (PostgreSQL unreachable).
 */
export function observeState(store: StateHandle, { metrics, status, clock }: Observation): StateHandle {
  const timed =
    <A extends unknown[], R>(operation: string, run: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = clock.now();
      try {
        const result = await run(...args);
        const health = store.shared?.isHealthy() ?? { ok: true, detail: "written" };
        status.reachable.state = { ok: health.ok, detail: health.ok ? "written" : health.detail, at: clock.now() };
        return result;
      } catch (error) {
        const health = store.shared?.isHealthy() ?? { ok: true, detail: "" };
        status.reachable.state = { ok: false, detail: health.ok ? `write failed: ${errorMessage(error)}` : health.detail, at: clock.now() };
        throw error;
      } finally {
        metrics.stateOps.observe({ operation }, (clock.now() - started) / 1000);
      }
    };
  const shared = store.shared;
  return {
    get state() {
      return store.state;
    },
    ...(store.probe ? { probe: () => store.probe!() } : {}),
    apply: timed("apply", (ops: Parameters<StateHandle["apply"]>[0]) => store.apply(ops)),
    ...(shared
      ? {
          shared: {
            ...shared,
            holder: shared.holder,
            leaseMs: shared.leaseMs,
            refresh: timed("read", (scope) => shared.refresh(scope)),
            claimPending: timed("claim", (options) => shared.claimPending(options)),
            renewLeases: timed("renew", (keys) => shared.renewLeases(keys)),
            releaseLease: timed("release", (id) => shared.releaseLease(id)),
            leaseChannel: timed("lease_channel", (channel) => shared.leaseChannel(channel)),
            beginNotification: timed("notification", (id, channel, maxAttempts, now) => shared.beginNotification(id, channel, maxAttempts, now)),
            unfinishedReactions: timed("read", (now) => shared.unfinishedReactions(now)),
            isHealthy: () => shared.isHealthy(),
            outbox: () => shared.outbox(),
          },
        }
      : {}),
  };
}

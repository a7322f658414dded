import Anthropic from "@anthropic-ai/sdk";
import type { BotOptions } from "../bot/bot.ts";
import type { Config, ConductorConfig, SlackConfig } from "../config/index.ts";
import { createCommandRunner, createConductorClient, createExecutionReader, type ReadExecution } from "../conductor/index.ts";
import { systemClock, type Clock } from "../lib/clock.ts";
import { UsageError } from "../lib/errors.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { createTools } from "../tools/index.ts";
import { createTriager, type Triager } from "../triage/index.ts";
import type { CliIo } from "./io.ts";

/** The one place where real clients are built from configuration; commands take what they need. */
export function buildLogger(config: Config, io: CliIo): Logger {
  return createLogger({ format: config.log.format, level: config.log.level, destination: io.stderr });
}

export interface Investigation {
  triager: Triager;
  readExecution: ReadExecution;
  engine: "claude" | "rules";
  close(): Promise<void>;
}

export function buildInvestigation(
  config: Config & { conductor: ConductorConfig },
  deps: { logger: Logger; clock?: Clock; engine?: "claude" | "rules" },
): Investigation {
  const clock = deps.clock ?? systemClock;
  const engine = deps.engine ?? config.oncall.engine;
  if (engine === "claude" && !config.anthropic) {
    throw new UsageError("the claude engine needs ANTHROPIC_API_KEY (or use --engine rules / ONCALL_ENGINE=rules)");
  }
  const client = createConductorClient({
    serverUrl: config.conductor.serverUrl,
    authKey: config.conductor.authKey,
    authSecret: config.conductor.authSecret,
    requestTimeoutMs: config.conductor.requestTimeoutMs,
    clock,
    logger: deps.logger,
  });
  const readExecution = createExecutionReader(client);
  const runner = createCommandRunner({ client, clock, logger: deps.logger, commandTimeoutMs: config.conductor.commandTimeoutMs });
  const tools = createTools({
    runner,
    readExecution,
    outputBudget: config.oncall.toolOutputBudget,
    commandTimeoutMs: config.conductor.commandTimeoutMs,
  });
  const model =
    engine === "claude" && config.anthropic
      ? {
          client: new Anthropic({
            apiKey: config.anthropic.apiKey,
            ...(config.anthropic.baseUrl ? { baseURL: config.anthropic.baseUrl } : {}),
            maxRetries: 2,
            timeout: config.anthropic.timeoutMs,
          }).messages,
          name: config.anthropic.model,
          requestTimeoutMs: config.anthropic.timeoutMs,
        }
      : undefined;
  const triager = createTriager(
    { ...config.oncall, engine },
    { tools, now: () => clock.now(), logger: deps.logger, ...(model ? { model } : {}) },
  );
  return { triager, readExecution, engine, close: () => client.close() };
}

/** The bot's options from configuration; `since` and `rebuildFromHistory` depend on the run. */
export function buildBotOptions(config: Config & { slack: SlackConfig }, run: { since: string | null; rebuildFromHistory: boolean }): BotOptions {
  return {
    channels: config.slack.channels,
    maxAttempts: config.oncall.maxAttempts,
    retryBackoffMs: config.oncall.retryBackoffMs,
    cooldownMs: config.oncall.knownIncidentCooldownMs,
    concurrency: config.oncall.concurrency,
    since: run.since,
    rebuildFromHistory: run.rebuildFromHistory,
    recoveryWindowMs: config.oncall.recoveryWindowMs,
    debounce: { windowMs: config.notify.debounceWindowMs, bypassCritical: config.notify.debounceBypassCritical },
  };
}

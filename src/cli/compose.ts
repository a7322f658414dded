import Anthropic from "@anthropic-ai/sdk";
import type { BotOptions } from "../bot/bot.ts";
import type { Config, ConductorConfig, SlackConfig } from "../config/index.ts";
import {
  createCommandRunner,
  createConductorClient,
  createExecutionReader,
  type CommandRunner,
  type ReadExecution,
  type Workflow,
} from "../conductor/index.ts";
import { systemClock, type Clock } from "../lib/clock.ts";
import { UsageError } from "../lib/errors.ts";
import { createIdentifierMask } from "../lib/identifier-mask.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { observeRunner, observeTriager, type Observation } from "../ops/instrument.ts";
import { protectMessagesClient } from "../agent/protect-client.ts";
import { createTools } from "../tools/index.ts";
import { createTriager, type Triager } from "../triage/index.ts";
import type { CliIo } from "./io.ts";

/** The one place where real clients are built from configuration; commands take what they need. */
export function buildLogger(config: Config, io: CliIo): Logger {
  return createLogger({ format: config.log.format, level: config.log.level, destination: io.stderr, secrets: configuredSecrets(config) });
}

/** The configured secret values, scrubbed from tool results, model requests and logs wherever they appear. */
export function configuredSecrets(config: Config): string[] {
  return [config.slack?.botToken, config.conductor?.authSecret, config.anthropic?.apiKey, config.smtp?.auth?.password].filter(
    (secret): secret is string => !!secret,
  );
}

export interface Investigation {
  triager: Triager;
  readExecution: ReadExecution;
  /** The execution as Conductor returns it, tasks included (for `capture`). */
  readWorkflow(executionId: string): Promise<Workflow>;
  engine: "claude" | "rules";
  close(): Promise<void>;
}

export function buildInvestigation(
  config: Config & { conductor: ConductorConfig },
  deps: {
    logger: Logger;
    clock?: Clock;
    engine?: "claude" | "rules";
    observe?: Observation;
    /** A decorator around the command runner (capture records every call with it). */
    wrapRunner?: (runner: CommandRunner) => CommandRunner;
  },
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
  const commandRunner = createCommandRunner({ client, clock, logger: deps.logger, commandTimeoutMs: config.conductor.commandTimeoutMs });
  const observed = deps.observe ? observeRunner(commandRunner, deps.observe) : commandRunner;
  const runner = deps.wrapRunner ? deps.wrapRunner(observed) : observed;
  const tools = createTools({
    runner,
    readExecution,
    outputBudget: config.oncall.toolOutputBudget,
    commandTimeoutMs: config.conductor.commandTimeoutMs,
  });
  const model =
    engine === "claude" && config.anthropic
      ? {
          client: protectMessagesClient(
            new Anthropic({
              apiKey: config.anthropic.apiKey,
              ...(config.anthropic.baseUrl ? { baseURL: config.anthropic.baseUrl } : {}),
              maxRetries: 2,
              timeout: config.anthropic.timeoutMs,
            }).messages,
            { secrets: configuredSecrets(config), ...(config.anthropic.mask.length > 0 ? { mask: createIdentifierMask(config.anthropic.mask) } : {}) },
          ),
          name: config.anthropic.model,
          requestTimeoutMs: config.anthropic.timeoutMs,
        }
      : undefined;
  const engineTriager = createTriager(
    { ...config.oncall, engine },
    { tools, readExecution, now: () => clock.now(), logger: deps.logger, secrets: configuredSecrets(config), ...(model ? { model } : {}) },
  );
  const triager = deps.observe ? observeTriager(engineTriager, deps.observe) : engineTriager;
  const readWorkflow = (executionId: string) => client.getWorkflow(executionId, { includeTasks: true });
  return { triager, readExecution, readWorkflow, engine, close: () => client.close() };
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

import { captureExecution, formatRedactionCounts, parseMessageRef, recordCommands, type RecordedCall } from "../../capture/index.ts";
import { loadConfig, readEnvironment, type Config } from "../../config/index.ts";
import type { CommandRunner } from "../../conductor/types.ts";
import { EXIT, OncallError, UsageError } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { createSlackApi } from "../../slack/slack-api.ts";
import { buildInvestigation, buildLogger } from "../compose.ts";
import type { CliIo } from "../io.ts";

export interface CaptureCommandOptions {
  executionId: string;
  alert?: string;
  out: string;
  engine?: "claude" | "rules";
  redactIps: boolean;
  /** `feedback export`: the truth and provenance to write instead of the TODO stub. */
  truth?: { rootCause: string; requiredKeywords: string[] };
  prefix?: string;
  source?: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `capture <execId>`: a live read-only triage written as a redacted scenario folder. */
export async function captureCommand(options: CaptureCommandOptions, io: CliIo): Promise<number> {
  const executionId = options.executionId.trim().toLowerCase();
  if (!UUID.test(executionId)) throw new UsageError(`"${options.executionId}" is not an execution id (a UUID from the alert's /execution/<id> URL)`);
  const ref = options.alert === undefined ? null : parseMessageRef(options.alert);
  if (options.alert !== undefined && !ref) {
    throw new UsageError(`--alert "${options.alert}" is neither a Slack permalink (…/archives/C…/p…) nor channel:ts (C0123ABCD:1700000000.000100)`);
  }
  const env = readEnvironment(io.env, `${io.cwd}/.env`);
  const config = ref ? loadConfig(env, ["conductor", "slack"]) : loadConfig(env, ["conductor"]);
  const logger = buildLogger(config, io);
  let calls: RecordedCall[] = [];
  const wrapRunner = (runner: CommandRunner) => {
    const recorded = recordCommands(runner);
    calls = recorded.calls;
    return recorded.runner;
  };
  const investigation = buildInvestigation(config, { logger, wrapRunner, ...(options.engine ? { engine: options.engine } : {}) });
  try {
    const result = await captureExecution(
      {
        executionId,
        outDir: options.out,
        engine: investigation.engine,
        redactIps: options.redactIps,
        knownSecrets: knownSecrets(config),
        ...(options.truth ? { truth: options.truth } : {}),
        ...(options.prefix ? { prefix: options.prefix } : {}),
        ...(options.source ? { source: options.source } : {}),
      },
      {
        triager: investigation.triager,
        readWorkflow: investigation.readWorkflow,
        get calls() {
          return calls;
        },
        fetchAlert: ref ? () => fetchAlertMessage(config, ref, logger) : null,
        executionUrlBase: config.conductor.serverUrl.replace(/\/api\/?$/, ""),
        now: Date.now,
      },
    );
    io.stdout.write(
      `captured ${result.folder}: ${result.calls} command call(s), ${investigation.engine} engine, confidence ${result.report.confidence}` +
        `${result.synthesizedAlert ? " (alert synthesized from the execution; pass --alert to use the real one)" : ""}\n` +
        `${formatRedactionCounts(result.redactions)}\n` +
        `next: write the truth in ${result.folder}/scenario.json, then: npm run eval -- --scenarios ${options.out}\n`,
    );
    return EXIT.ok;
  } finally {
    await investigation.close();
  }
}

function knownSecrets(config: Config): string[] {
  return [config.conductor?.authKey, config.conductor?.authSecret, config.slack?.botToken, config.anthropic?.apiKey].filter(
    (v): v is string => typeof v === "string",
  );
}

async function fetchAlertMessage(config: Config, ref: { channel: string; ts: string }, logger: Logger) {
  if (!config.slack) throw new UsageError("--alert needs SLACK_BOT_TOKEN");
  const slack = createSlackApi({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger });
  const thread = await slack.replies(ref.channel, ref.ts);
  const message = thread.find((m) => m.ts === ref.ts);
  if (!message) throw new OncallError("capture_alert_missing", `no message ${ref.channel}:${ref.ts} in Slack`);
  // Only what the alert parser reads: not the thread's reactions or reply counts.
  const fields = ["blocks", "attachments", "bot_id", "user", "username", "subtype"] as const;
  const raw = message as unknown as Record<string, unknown>;
  const kept = Object.fromEntries(fields.filter((f) => raw[f] !== undefined).map((f) => [f, raw[f]]));
  return { ...kept, text: message.text ?? "" };
}

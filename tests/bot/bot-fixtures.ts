import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBot, type BotDeps, type BotOptions } from "../../src/bot/bot.ts";
import { createSlackSink } from "../../src/bot/reply-sink.ts";
import type { StateHandle } from "../../src/bot/state-handle.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { emptyStats, type Report } from "../../src/report/schema.ts";
import { createSlackApi, FAST_SLACK_RETRY_POLICY } from "../../src/slack/slack-api.ts";
import type { Triager, TriageRequest } from "../../src/triage/types.ts";
import type { FakeSlack } from "../helpers/slack-msw.ts";

export const CHANNEL = "C0ALERTS1";

let counter = 0;
/** A realistic alert text as the health-check integration posts it, with a fresh execution id. */
export function alertText(options: { cluster?: string; org?: string; issue?: string; executionId?: string } = {}): { text: string; executionId: string } {
  counter += 1;
  const executionId = options.executionId ?? `8b1c2d3e-0f4a-11f1-9c2e-${String(counter).padStart(12, "0")}`;
  const cluster = options.cluster ?? "acme-eu-1";
  const text = [
    `🚨 *\`[CRITICAL]\`* The health-checking has FAILED for the _${options.org ?? "Acme"}'s_ prod *\`${cluster}\`* cluster with the following issue:`,
    `*CRITICAL:* ${options.issue ?? "The Redis instance is at 71%, above the CRITICAL threshold of 65%"}`,
    `<https://control.orkes.example/execution/${executionId}|https://control.orkes.example/execution/${executionId}>`,
  ].join("\n");
  return { text, executionId };
}

export function report(overrides: Partial<Report> = {}): Report {
  return {
    issue: "Redis at 71% on acme-eu-1",
    severity: "CRITICAL",
    findings: [
      { text: "decider queue holds 48,000 running workflows", tool: "get_incident_details" },
      { text: "JedisConnectionException x 312 in conductor-server logs", tool: "pull_pod_logs" },
    ],
    likelyRootCause: "A backlog of running workflows fills Redis",
    confidence: "medium",
    nextStep: "Check which workflow type is piling up",
    appOrInfra: "app",
    stats: emptyStats("rules"),
    ...overrides,
  };
}

/** A triager that records requests and answers from a function (default: a canned report). */
export function fakeTriager(answer: (request: TriageRequest) => Promise<Report> = async () => report()) {
  const requests: TriageRequest[] = [];
  const triager: Triager = {
    triage: (request) => {
      requests.push(request);
      return answer(request);
    },
  };
  return { triager, requests };
}

export function tempStatePath(): string {
  return join(mkdtempSync(join(tmpdir(), "oncall-bot-")), "state.json");
}

export function makeBot(
  slack: FakeSlack,
  store: StateHandle,
  triager: Triager,
  options: Partial<BotOptions> = {},
  pageSize = 100,
  afterReply?: BotDeps["afterReply"],
) {
  const api = createSlackApi({ token: "xoxb-test", apiUrl: slack.apiUrl, logger: silentLogger, retryPolicy: FAST_SLACK_RETRY_POLICY, pageSize });
  return createBot(
    { channels: [CHANNEL], maxAttempts: 3, retryBackoffMs: 0, cooldownMs: 3_600_000, concurrency: 4, since: null, rebuildFromHistory: false, ...options },
    { slack: api, store, triager, sink: createSlackSink(api, silentLogger, { clock: systemClock, intervalMs: 0 }), clock: systemClock, logger: silentLogger, ...(afterReply ? { afterReply } : {}) },
  );
}

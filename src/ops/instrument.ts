import { readReplyMetadata } from "../bot/reply-metadata.ts";
import type { CommandRunner } from "../conductor/types.ts";
import type { Clock } from "../lib/clock.ts";
import { OncallError } from "../lib/errors.ts";
import type { EmailSender } from "../notify/email.ts";
import type { SlackApi } from "../slack/slack-api.ts";
import type { Triager } from "../triage/types.ts";
import type { ServiceStatus } from "./health.ts";
import type { Metrics } from "./metrics.ts";

/**
 * Decorators that feed the metrics and the health status from the interfaces the bot already
 * uses, so no module of the flow needs to know it is observed. Each passes results and errors
 * through unchanged.
 */
export interface Observation {
  metrics: Metrics;
  status: ServiceStatus;
  clock: Clock;
}

/** A closed, label-safe error code: Slack's platform code, an OncallError code, or "error". */
export function errorCode(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | null)?.data?.error;
  if (typeof data === "string" && /^[a-z_]{1,40}$/.test(data)) return data;
  if (error instanceof OncallError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^[a-z_.]{1,40}$/i.test(code) ? code.toLowerCase() : "error";
}

export function observeSlack(slack: SlackApi, { metrics, status, clock }: Observation): SlackApi {
  const reacted = new Set<string>();
  const watch = <T>(method: string, call: () => Promise<T>): Promise<T> =>
    call().then(
      (value) => {
        if (method === "history") status.reachable.slack = { ok: true, detail: "history read", at: clock.now() };
        return value;
      },
      (error: unknown) => {
        const code = errorCode(error);
        metrics.errors.inc({ service: "slack", code });
        if (method === "history") status.reachable.slack = { ok: false, detail: `${method}: ${code}`, at: clock.now() };
        throw error;
      },
    );
  return {
    authTest: () => watch("authTest", () => slack.authTest()),
    history: (channel, oldest) => watch("history", () => slack.history(channel, oldest)),
    replies: (channel, ts) => watch("replies", () => slack.replies(channel, ts)),
    postMessage: (message) =>
      watch("postMessage", () => slack.postMessage(message)).then((posted) => {
        // Thread replies say what they are in their metadata; DMs and others are not replies.
        const identity = readReplyMetadata({ metadata: message.metadata });
        if (identity) metrics.replies.inc({ kind: identity.kind });
        return posted;
      }),
    addReaction: (channel, ts, name) =>
      watch("addReaction", () => slack.addReaction(channel, ts, name)).then(() => {
        const key = `${channel}:${ts}`;
        if (reacted.has(key)) return;
        // Bounded: only the first reaction on an alert is timed, and only recent alerts are remembered.
        if (reacted.size > 10_000) reacted.clear();
        reacted.add(key);
        const postedMs = Number(ts) * 1000;
        if (Number.isFinite(postedMs)) metrics.firstReaction.observe(Math.max(0, (clock.now() - postedMs) / 1000));
      }),
    removeReaction: (channel, ts, name) => watch("removeReaction", () => slack.removeReaction(channel, ts, name)),
    permalink: (channel, ts) => watch("permalink", () => slack.permalink(channel, ts)),
    openDirectMessage: (userId) => watch("openDirectMessage", () => slack.openDirectMessage(userId)),
  };
}

/** Command calls by command and status; a command that could not be started marks Conductor unreachable. */
export function observeRunner(runner: CommandRunner, { metrics, status, clock }: Observation): CommandRunner {
  return {
    async run(context, command, parameters, options) {
      const outcome = await runner.run(context, command, parameters, options);
      metrics.toolCalls.inc({ command, status: outcome.status });
      metrics.toolDuration.observe({ command }, outcome.durationMs / 1000);
      const reached = outcome.status !== "START_FAILED";
      if (!reached) metrics.errors.inc({ service: "conductor", code: "start_failed" });
      status.reachable.conductor = { ok: reached, detail: reached ? `${command} ${outcome.status}` : `${command} could not be started`, at: clock.now() };
      return outcome;
    },
  };
}

/** Triages by engine and outcome, their duration, and the model's tokens and cost. */
export function observeTriager(triager: Triager, { metrics, clock }: Observation): Triager {
  return {
    async triage(request) {
      const started = clock.now();
      try {
        const report = await triager.triage(request);
        const { stats } = report;
        const outcome = stats.fallbackReason ? "fallback" : report.likelyRootCause.startsWith("Inconclusive") ? "inconclusive" : "diagnosed";
        metrics.triages.inc({ engine: stats.engine, outcome });
        metrics.triageDuration.observe({ engine: stats.engine }, (clock.now() - started) / 1000);
        metrics.modelTokens.inc({ kind: "input" }, stats.inputTokens);
        metrics.modelTokens.inc({ kind: "output" }, stats.outputTokens);
        metrics.modelTokens.inc({ kind: "cache_read" }, stats.cacheReadTokens);
        metrics.modelTokens.inc({ kind: "cache_write" }, stats.cacheWriteTokens);
        metrics.modelCost.inc(stats.costUsd);
        return report;
      } catch (error) {
        metrics.triages.inc({ engine: "none", outcome: errorCode(error) });
        throw error;
      }
    },
  };
}

/** Counts a notification's outcome on its way through, without changing it. */
function countDelivery<T>(sending: Promise<T>, metrics: Metrics, channel: "email" | "slack_dm", onError?: (error: unknown) => void): Promise<T> {
  return sending.then(
    (result) => {
      metrics.notifications.inc({ channel, outcome: "sent" });
      return result;
    },
    (error: unknown) => {
      metrics.notifications.inc({ channel, outcome: "failed" });
      onError?.(error);
      throw error;
    },
  );
}

/** E-mails by outcome. */
export function observeEmail(sender: EmailSender, { metrics }: Observation): EmailSender {
  return {
    send: (email) => countDelivery(sender.send(email), metrics, "email", (error) => metrics.errors.inc({ service: "smtp", code: errorCode(error) })),
    verify: () => sender.verify(),
    close: () => sender.close(),
  };
}

/** Slack DMs of the escalation path by outcome (the notifier's only posts). */
export function observeDirectMessages(slack: SlackApi, { metrics }: Observation): SlackApi {
  return { ...slack, postMessage: (message) => countDelivery(slack.postMessage(message), metrics, "slack_dm") };
}

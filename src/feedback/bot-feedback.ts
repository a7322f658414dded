import type { AlertJob, HandleAlertDeps } from "../bot/handle-alert.ts";
import type { FeedbackConfig } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { SlackApi } from "../slack/slack-api.ts";
import { createVerdictCollector, type CollectSummary } from "./collect-verdicts.ts";
import type { FeedbackStore } from "./feedback-store.ts";
import { recordReply } from "./record-reply.ts";
import { classifyRecurrence, toRecurrenceNote, type RecurrenceNote } from "./recurrence.ts";

type AfterReply = NonNullable<HandleAlertDeps["afterReply"]>;

/**
 * The bot's side of the feedback loop: remembers each answer, tells a new incident from a
 * recurring or chronic one before the reply is rendered, and reads verdicts once per cycle.
 */
export function createBotFeedback(
  deps: { store: FeedbackStore; slack: Pick<SlackApi, "authTest" | "replies">; clock: Clock; logger: Logger },
  config: FeedbackConfig,
) {
  const collector = createVerdictCollector(deps, { windowMs: config.windowMs, threadsPerCycle: config.threadsPerCycle });
  return {
    async recurrence(job: AlertJob): Promise<RecurrenceNote> {
      const { alert } = job;
      const incident = { channel: job.channel, alertTs: job.ts, signature: alert.signature, cluster: alert.cluster, issueTypes: alert.issues.map((i) => i.type) };
      return toRecurrenceNote(classifyRecurrence(Object.values(deps.store.data.replies), incident, deps.clock.now()));
    },
    afterReply: (async (event) => {
      const answered = {
        channel: event.job.channel,
        alertTs: event.job.ts,
        alert: event.job.alert,
        kind: event.kind,
        report: event.report,
        replyTs: event.replyTs,
        threadLink: event.threadLink ?? null,
      };
      await deps.store.update((data) => recordReply(data, answered, deps.clock.now()));
    }) satisfies AfterReply,
    /** One bounded read of recent threads; off when the window is 0. */
    async collectOnce(): Promise<CollectSummary | null> {
      if (config.windowMs <= 0) return null;
      const summary = await collector.collectOnce();
      if (summary.checked > 0 || summary.errors.length > 0) deps.logger.info(summary, "read verdicts from threads");
      return summary;
    },
  };
}

export type BotFeedback = ReturnType<typeof createBotFeedback>;

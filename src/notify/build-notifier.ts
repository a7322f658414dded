import type { StateHandle } from "../bot/state-handle.ts";
import type { Config } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { SlackApi } from "../slack/slack-api.ts";
import { createEmailSender, type EmailSender } from "./email.ts";
import { createNotifier, NOTIFY_BACKOFF_MS, type Notifier } from "./notifier.ts";
import { createFileOutbox, type Outbox } from "./outbox.ts";
import type { NotifyPolicy } from "./plan-notifications.ts";

/** The notification policy from configuration: a channel without its integration is off. */
export function toNotifyPolicy(config: Pick<Config, "slack" | "smtp" | "notify"> & Partial<Pick<Config, "feedback">>): NotifyPolicy {
  return {
    escalation: {
      severities: config.notify.escalateSeverities,
      inconclusive: config.notify.escalateInconclusive,
      recurringWrong: config.feedback?.escalateRecurringWrong ?? false,
    },
    skipChronic: config.feedback?.skipChronicNotify ?? false,
    smtp: config.smtp !== undefined,
    emailTo: config.smtp?.to ?? [],
    emailMinSeverity: config.smtp?.minSeverity ?? "MAJOR",
    escalationEmails: config.notify.escalationEmails,
    escalationUsers: config.slack?.escalationUsers ?? [],
  };
}

/** Null when nothing is configured to notify anyone. */
export function buildNotifier(
  config: Pick<Config, "slack" | "smtp" | "notify"> & Partial<Pick<Config, "feedback">> & { oncall: { stateFile: string } },
  deps: { store: StateHandle; slack: SlackApi | null; clock: Clock; logger: Logger; email?: EmailSender; outbox?: Outbox },
): { notifier: Notifier; close(): void } | null {
  const policy = toNotifyPolicy(config);
  const anything = (policy.smtp && (policy.emailTo.length > 0 || policy.escalationEmails.length > 0)) || policy.escalationUsers.length > 0;
  if (!anything) return null;
  const email = deps.email ?? (config.smtp ? createEmailSender(config.smtp) : null);
  const notifier = createNotifier(
    { policy, maxAttempts: config.notify.maxAttempts, backoffMs: NOTIFY_BACKOFF_MS },
    {
      store: deps.store,
      slack: deps.slack,
      email,
      outbox: deps.outbox ?? deps.store.shared?.outbox() ?? createFileOutbox(`${config.oncall.stateFile}.outbox`, deps.logger),
      clock: deps.clock,
      logger: deps.logger,
    },
  );
  return { notifier, close: () => email?.close() };
}

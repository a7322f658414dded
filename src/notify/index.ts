/** Notifications after a triage reply: e-mail, escalation to the on-call, and the debounce key. */
export { buildNotifier, toNotifyPolicy } from "./build-notifier.ts";
export { debounceKeys, type DebouncePolicy } from "./debounce.ts";
export { createEmailSender, type EmailSender, type EmailSenderOptions, type OutgoingEmail } from "./email.ts";
export { escalationReasons, isInconclusive, renderEscalationDm, type EscalationPolicy, type NotificationSubject } from "./escalation.ts";
export { createNotifier, NOTIFY_BACKOFF_MS, type Notifier, type NotifierDeps, type NotifierOptions } from "./notifier.ts";
export { createFileOutbox, createMemoryOutbox, type Outbox, type OutboxEntry } from "./outbox.ts";
export { isAtLeast, planNotifications, type NotifyPolicy, type PlannedNotification } from "./plan-notifications.ts";
export { renderEscalationEmail, renderTriageEmail, type EmailContent } from "./render-email.ts";

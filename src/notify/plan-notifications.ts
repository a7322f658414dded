import { SEVERITIES, type Severity } from "../alerts/types.ts";
import type { NotificationChannel } from "../state/schema.ts";
import { escalationReasons, renderEscalationDm, type EscalationPolicy, type NotificationSubject } from "./escalation.ts";
import { renderEscalationEmail, renderTriageEmail } from "./render-email.ts";

/** One message on one channel, rendered and ready to send (and to keep in the outbox). */
export type PlannedNotification =
  | { channel: Extract<NotificationChannel, "email" | "escalation-email">; reason: string; to: string[]; subject: string; text: string }
  | { channel: Extract<NotificationChannel, "dm">; reason: string; users: string[]; text: string };

/** Who gets what; an empty list or `smtp: false` turns a channel off. */
export interface NotifyPolicy {
  escalation: EscalationPolicy;
  /** An SMTP server is configured (both e-mail channels need it). */
  smtp: boolean;
  emailTo: readonly string[];
  /** Alerts below this severity get no triage e-mail. */
  emailMinSeverity: Severity;
  escalationEmails: readonly string[];
  escalationUsers: readonly string[];
  /** Chronic incidents (src/feedback) get their reply and nothing else. */
  skipChronic?: boolean;
}

/**
 * What to send after a reply: the triage e-mail for a finished triage at or above the minimum
 * severity, and the escalation DM and e-mail when the answer needs a human now. A known-incident
 * reply (a repeat, debounced or within the cooldown) sends nothing.
 */
export function planNotifications(subject: NotificationSubject, policy: NotifyPolicy): PlannedNotification[] {
  if (subject.kind === "known-incident") return [];
  if (policy.skipChronic && subject.recurrence?.kind === "chronic") return [];
  const planned: PlannedNotification[] = [];
  if (policy.smtp && policy.emailTo.length > 0 && subject.report && isAtLeast(subject.alert.severity, policy.emailMinSeverity)) {
    planned.push({ channel: "email", reason: `severity ${subject.alert.severity}`, to: [...policy.emailTo], ...renderTriageEmail(subject) });
  }
  const reasons = escalationReasons(subject, policy.escalation);
  if (reasons.length === 0) return planned;
  const reason = reasons.join(", ");
  if (policy.escalationUsers.length > 0) {
    planned.push({ channel: "dm", reason, users: [...policy.escalationUsers], text: renderEscalationDm(subject, reasons) });
  }
  if (policy.smtp && policy.escalationEmails.length > 0) {
    planned.push({ channel: "escalation-email", reason, to: [...policy.escalationEmails], ...renderEscalationEmail(subject, reasons) });
  }
  return planned;
}

/** SEVERITIES is ordered most severe first. */
export function isAtLeast(severity: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(minimum);
}

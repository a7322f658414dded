import type { SmtpConfig } from "../../src/config/index.ts";
import type { NotifyPolicy } from "../../src/notify/index.ts";
import type { NotificationSubject } from "../../src/notify/escalation.ts";
import { parseAlert } from "../../src/alerts/index.ts";
import type { Alert } from "../../src/alerts/types.ts";
import { alertText, report } from "../bot/bot-fixtures.ts";

export function smtpConfig(port: number, overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: "127.0.0.1",
    port,
    security: "none",
    auth: undefined,
    from: "oncall-agent@example.com",
    to: ["sre@example.com", "lead@example.com"],
    minSeverity: "MAJOR",
    timeoutMs: 5000,
    ...overrides,
  };
}

export function policy(overrides: Partial<NotifyPolicy> = {}): NotifyPolicy {
  return {
    escalation: { severities: ["CRITICAL"], inconclusive: true },
    smtp: true,
    emailTo: ["sre@example.com", "lead@example.com"],
    emailMinSeverity: "MAJOR",
    escalationEmails: ["oncall@example.com"],
    escalationUsers: ["U0ONCALL1"],
    ...overrides,
  };
}

/** A parsed alert from the realistic text the bot tests use. */
export function alert(options: Parameters<typeof alertText>[0] = {}): Alert {
  const parsed = parseAlert({ ts: "1763900000.000100", text: alertText(options).text });
  if (!parsed.isAlert) throw new Error(`fixture is not an alert: ${parsed.reason}`);
  return parsed.alert;
}

export function subject(overrides: Partial<NotificationSubject> = {}): NotificationSubject {
  return {
    alert: alert(),
    kind: "full",
    report: report(),
    threadLink: "https://example.slack.com/archives/C0ALERTS1/p1763900000000100",
    thread: { channel: "C0ALERTS1", ts: "1763900000.000100" },
    lastError: null,
    ...overrides,
  };
}

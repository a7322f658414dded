import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.ts";
import { toNotifyPolicy } from "../../src/notify/index.ts";

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env, []);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("notification configuration", () => {
  it("has defaults: no e-mail, escalation for CRITICAL and inconclusive, a 10-minute debounce", () => {
    const config = loadConfig({}, []);
    expect(config.smtp).toBeUndefined();
    expect(config.notify).toEqual({
      escalateSeverities: ["CRITICAL"],
      escalateInconclusive: true,
      escalationEmails: [],
      maxAttempts: 3,
      debounceWindowMs: 600_000,
      debounceBypassCritical: false,
    });
  });

  it("reads SMTP with the port defaulting by security, and the lists", () => {
    const config = loadConfig(
      {
        SMTP_HOST: "smtp.example.com",
        SMTP_SECURITY: "ssl",
        SMTP_USERNAME: "bot",
        SMTP_PASSWORD: "pw-123456",
        SMTP_FROM: "bot@example.com",
        SMTP_TO: "a@example.com, b@example.com",
        SMTP_MIN_SEVERITY: "CRITICAL",
        ONCALL_ESCALATE_SEVERITIES: "critical,MAJOR",
        ONCALL_ESCALATION_EMAILS: "oncall@example.com",
        ONCALL_DEBOUNCE_WINDOW: "0",
        ONCALL_DEBOUNCE_BYPASS_CRITICAL: "true",
      },
      [],
    );
    expect(config.smtp).toMatchObject({ port: 465, security: "ssl", auth: { username: "bot", password: "pw-123456" }, to: ["a@example.com", "b@example.com"], minSeverity: "CRITICAL" });
    expect(config.notify).toMatchObject({ escalateSeverities: ["CRITICAL", "MAJOR"], debounceWindowMs: 0, debounceBypassCritical: true });
    expect(toNotifyPolicy(config)).toMatchObject({ smtp: true, emailTo: ["a@example.com", "b@example.com"], escalationUsers: [] });
    expect(loadConfig({ ONCALL_ESCALATE_SEVERITIES: "none" }, []).notify.escalateSeverities).toEqual([]);
  });

  it("lists every bad value at start, with the pairs that must go together, and never the password", () => {
    const message = problems({
      SMTP_PORT: "99999",
      SMTP_SECURITY: "tls",
      SMTP_PASSWORD: "SENSITIVE-pw",
      SMTP_TO: "not-an-address",
      SMTP_MIN_SEVERITY: "HIGH",
      ONCALL_ESCALATE_SEVERITIES: "CRITICAL,URGENT",
      ONCALL_ESCALATE_INCONCLUSIVE: "maybe",
      ONCALL_DEBOUNCE_WINDOW: "soon",
    });
    expect(message).toMatch(/SMTP_PORT must be a port number from 1 to 65535/);
    expect(message).toMatch(/SMTP_SECURITY must be none, starttls or ssl/);
    expect(message).toMatch(/SMTP_TO must be comma-separated e-mail addresses/);
    expect(message).toMatch(/SMTP_MIN_SEVERITY must be CRITICAL, MAJOR, MINOR or WARNING/);
    expect(message).toMatch(/ONCALL_ESCALATE_SEVERITIES must be comma-separated severities/);
    expect(message).toMatch(/ONCALL_ESCALATE_INCONCLUSIVE must be true or false/);
    expect(message).toMatch(/ONCALL_DEBOUNCE_WINDOW "soon" is not a duration/);
    expect(message).not.toContain("SENSITIVE");
    const pairs = problems({ SMTP_HOST: "smtp.example.com", SMTP_USERNAME: "bot" });
    expect(pairs).toMatch(/SMTP_USERNAME and SMTP_PASSWORD must be set together/);
    expect(pairs).toMatch(/SMTP_FROM is not set/);
    expect(problems({ ONCALL_ESCALATION_EMAILS: "oncall@example.com" })).toMatch(/SMTP_HOST is not set: ONCALL_ESCALATION_EMAILS need an SMTP server/);
  });
});

import { describe, expect, it } from "vitest";
import { escalationReasons, planNotifications, renderEscalationDm, renderEscalationEmail, renderTriageEmail } from "../../src/notify/index.ts";
import { report } from "../bot/bot-fixtures.ts";
import { alert, policy, subject } from "./notify-fixtures.ts";

describe("renderTriageEmail", () => {
  it("has the subject [SEVERITY] <cluster> — <issue> and a body with cause, findings, next step, thread and stats", () => {
    const email = renderTriageEmail(subject());
    expect(email.subject).toBe("[CRITICAL] acme-eu-1 — Redis at 71% on acme-eu-1");
    expect(email.text).toContain("Likely root cause:\n  A backlog of running workflows fills Redis");
    expect(email.text).toContain("- [get_incident_details] decider queue holds 48,000 running workflows");
    expect(email.text).toContain("Check which workflow type is piling up");
    expect(email.text).toContain("Slack thread: https://example.slack.com/archives/C0ALERTS1/p1763900000000100");
    expect(email.text).toMatch(/Stats: +rules engine · 0 tool calls · 0 ms/);
  });

  it("keeps only the top three findings and says how many more the thread has", () => {
    const findings = Array.from({ length: 5 }, (_, i) => ({ text: `finding number ${i + 1}`, tool: "get_pods_data" }));
    const text = renderTriageEmail(subject({ report: report({ findings }) })).text;
    expect(text).toContain("finding number 3");
    expect(text).not.toContain("finding number 4");
    expect(text).toContain("(2 more in the Slack thread)");
  });

  it("redacts secrets and strips control characters from everything that came from outside", () => {
    const email = renderTriageEmail(
      subject({
        report: report({
          issue: "Auth failing\u001b[31m with token=abcdef123456",
          findings: [{ text: "log: password=hunter2hunter2 and xoxb-123456-abcdef", tool: "pull_pod_logs" }],
          likelyRootCause: "Bearer abcdefghijklmnopqrstuvwxyz0123 leaked",
        }),
      }),
    );
    const all = `${email.subject}\n${email.text}`;
    expect(all).not.toMatch(/hunter2|abcdef123456|xoxb-123456|abcdefghijklmnopqrstuvwxyz0123|\u001b/);
    expect(all).toContain("[redacted]");
    expect(email.subject).not.toContain("\n");
  });

  it("names the thread by channel and ts when there is no permalink", () => {
    expect(renderTriageEmail(subject({ threadLink: null })).text).toContain("Slack thread: channel C0ALERTS1, message 1763900000.000100");
  });
});

describe("escalationReasons", () => {
  const critical = alert();
  const major = { ...critical, severity: "MAJOR" as const };
  const rules = { severities: ["CRITICAL" as const], inconclusive: true };

  it("escalates CRITICAL alerts, inconclusive, low-confidence and failed triages", () => {
    expect(escalationReasons({ alert: critical, kind: "full", report: report() }, rules)).toEqual(["severity CRITICAL"]);
    expect(escalationReasons({ alert: major, kind: "full", report: report({ likelyRootCause: "Inconclusive — needs a human: check X" }) }, rules)).toEqual(["inconclusive"]);
    expect(escalationReasons({ alert: major, kind: "fallback", report: report({ confidence: "low" }) }, rules)).toEqual(["low confidence"]);
    expect(escalationReasons({ alert: major, kind: "failure-note", report: null }, rules)).toEqual(["triage failed"]);
    expect(escalationReasons({ alert: major, kind: "full", report: report() }, rules)).toEqual([]);
  });

  it("never escalates a repeat, and follows the configuration", () => {
    expect(escalationReasons({ alert: critical, kind: "known-incident", report: null }, rules)).toEqual([]);
    expect(escalationReasons({ alert: major, kind: "full", report: report() }, { severities: ["MAJOR"], inconclusive: false })).toEqual(["severity MAJOR"]);
    expect(escalationReasons({ alert: major, kind: "full", report: report({ confidence: "low" }) }, { severities: [], inconclusive: false })).toEqual([]);
  });
});

describe("planNotifications", () => {
  it("sends the triage e-mail, the DM and the escalation e-mail for a CRITICAL alert", () => {
    const planned = planNotifications(subject(), policy());
    expect(planned.map((p) => p.channel)).toEqual(["email", "dm", "escalation-email"]);
    const escalation = planned.find((p) => p.channel === "escalation-email");
    expect(escalation).toMatchObject({ to: ["oncall@example.com"], subject: "[ESCALATION] [CRITICAL] acme-eu-1 — Redis at 71% on acme-eu-1" });
  });

  it("sends no e-mail below the minimum severity, and nothing for a repeat", () => {
    const minor = subject({ alert: { ...alert(), severity: "MINOR" } });
    expect(planNotifications(minor, policy()).map((p) => p.channel)).toEqual([]);
    expect(planNotifications(subject({ kind: "known-incident", report: null }), policy())).toEqual([]);
  });

  it("turns a channel off when its integration is missing", () => {
    expect(planNotifications(subject(), policy({ smtp: false })).map((p) => p.channel)).toEqual(["dm"]);
    expect(planNotifications(subject(), policy({ escalationUsers: [] })).map((p) => p.channel)).toEqual(["email", "escalation-email"]);
  });

  it("escalates a failure note without a triage e-mail", () => {
    const planned = planNotifications(subject({ kind: "failure-note", report: null, lastError: "conductor timed out" }), policy());
    expect(planned.map((p) => p.channel)).toEqual(["dm", "escalation-email"]);
    expect(renderEscalationEmail(subject({ kind: "failure-note", report: null, lastError: "conductor timed out" }), ["triage failed"]).text).toContain(
      "Last error: conductor timed out",
    );
  });
});

describe("renderEscalationDm", () => {
  it("links the thread and neutralises mentions and markup from outside", () => {
    const text = renderEscalationDm(subject({ report: report({ issue: "Redis <!channel> @here full" }) }), ["severity CRITICAL"]);
    expect(text).toContain("<https://example.slack.com/archives/C0ALERTS1/p1763900000000100|alert thread>");
    expect(text).not.toContain("<!channel>");
    expect(text).not.toMatch(/(^|\s)@here/);
    expect(text).toContain("*Escalation* (severity CRITICAL)");
  });
});

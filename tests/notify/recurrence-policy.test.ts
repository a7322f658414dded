import { describe, expect, it } from "vitest";
import { escalationReasons, planNotifications } from "../../src/notify/index.ts";
import { renderReportReply } from "../../src/report/index.ts";
import { report } from "../bot/bot-fixtures.ts";
import { alert, policy, subject } from "./notify-fixtures.ts";

describe("notifications and recurrence", () => {
  const major = { ...alert(), severity: "MAJOR" as const };
  const quiet = { severities: [], inconclusive: false };

  it("skips every notification of a chronic incident when configured, and only then", () => {
    const chronic = subject({ recurrence: { kind: "chronic", lastVerdict: null } });
    expect(planNotifications(chronic, policy({ skipChronic: true }))).toEqual([]);
    expect(planNotifications(chronic, policy()).map((n) => n.channel)).toEqual(["email", "dm", "escalation-email"]);
    expect(planNotifications(subject({ recurrence: { kind: "recurring", lastVerdict: null } }), policy({ skipChronic: true })).length).toBe(3);
  });

  it("escalates a recurring or chronic incident judged wrong last time when configured", () => {
    const wrong = { alert: major, kind: "full" as const, report: report(), recurrence: { kind: "recurring" as const, lastVerdict: "wrong" as const } };
    expect(escalationReasons(wrong, { ...quiet, recurringWrong: true })).toEqual(["recurring, last answer judged wrong"]);
    expect(escalationReasons(wrong, quiet)).toEqual([]);
    expect(escalationReasons({ ...wrong, recurrence: { kind: "recurring", lastVerdict: "right" } }, { ...quiet, recurringWrong: true })).toEqual([]);
    expect(escalationReasons({ ...wrong, recurrence: { kind: "new", lastVerdict: null } }, { ...quiet, recurringWrong: true })).toEqual([]);
  });
});

describe("the reply's recurrence line", () => {
  it("sits under the headline when given, and is absent otherwise", () => {
    const withLine = renderReportReply(report(), alert(), { recurrence: ":repeat: *Recurring* — 2nd time in 7 days (same incident); last thread: not judged" });
    const first = withLine.blocks[0] as { text: { text: string } };
    expect(first.text.text.split("\n").at(-1)).toBe(":repeat: *Recurring* — 2nd time in 7 days (same incident); last thread: not judged");
    expect(JSON.stringify(renderReportReply(report(), alert()).blocks)).not.toContain("Recurring");
  });
});

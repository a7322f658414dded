import { describe, expect, it } from "vitest";
import {
  applyVerdict,
  classifyRecurrence,
  emptyFeedback,
  pickThreads,
  readVerdict,
  recordReply,
  renderRecurrenceLine,
  summarizeFeedback,
  type FeedbackFile,
  type ReplyRecord,
} from "../../src/feedback/index.ts";

const SELF = { userId: "UBOT", botId: "BBOT" };
const DAY = 24 * 3600_000;
const NOW = Date.parse("2026-12-01T12:00:00Z");

function record(overrides: Partial<ReplyRecord> = {}): ReplyRecord {
  return {
    channel: "C1",
    alertTs: "1700000000.000100",
    replyTs: "1700000001.000100",
    threadLink: "https://acme.slack.com/archives/C1/p1700000000000100",
    postedAt: new Date(NOW - DAY).toISOString(),
    executionId: "e",
    signature: "sig-a",
    cluster: "prod-1",
    issueTypes: ["WORKERS_HEALTHY"],
    kind: "full",
    engine: "rules",
    confidence: "high",
    rootCause: "the workers cannot pull their image",
    checkedAt: null,
    judgement: null,
    ...overrides,
  };
}
const file = (records: ReplyRecord[]): FeedbackFile => ({ ...emptyFeedback(), replies: Object.fromEntries(records.map((r) => [`${r.channel}:${r.alertTs}`, r])) });

describe("readVerdict", () => {
  const reply = (reactions: { name: string; users: string[] }[]) => ({ ts: "2.0", user: "UBOT", bot_id: "BBOT", text: "report", reactions });

  it("reads right, wrong and partly from reactions on the bot's reply, skin tones included", () => {
    expect(readVerdict([{ ts: "1.0" }, reply([{ name: "+1::skin-tone-3", users: ["U1"] }])], "2.0", SELF)).toEqual({ verdict: "right", rootCause: null, users: ["U1"] });
    expect(readVerdict([reply([{ name: "x", users: ["U2"] }])], "2.0", SELF)?.verdict).toBe("wrong");
    expect(readVerdict([reply([{ name: "shrug", users: ["U2"] }])], "2.0", SELF)?.verdict).toBe("partly");
    expect(readVerdict([reply([{ name: "thumbsup", users: ["U1"] }, { name: "thumbsdown", users: ["U2"] }])], "2.0", SELF)).toEqual({ verdict: "partly", rootCause: null, users: ["U1", "U2"] });
  });

  it("ignores the bot's own reactions, other emoji and a reply that is not the bot's", () => {
    expect(readVerdict([reply([{ name: "white_check_mark", users: ["UBOT"] }, { name: "eyes", users: ["U1"] }])], "2.0", SELF)).toBeNull();
    expect(readVerdict([{ ts: "1.0", reactions: [{ name: "+1", users: ["U1"] }] }, reply([])], "2.0", SELF)).toBeNull();
  });

  it("takes the latest human `root cause:` reply after the bot's, in the usual spellings", () => {
    const thread = [
      { ts: "1.0", text: "root cause: posted before the bot answered", user: "U9" },
      reply([]),
      { ts: "3.0", text: "*Root cause:* the pull secret expired", user: "U1" },
      { ts: "4.0", text: "root cause: the bot says so", user: "UBOT", bot_id: "BBOT" },
      { ts: "5.0", text: "rootcause - registry credentials rotated", user: "U2" },
      { ts: "6.0", text: "I think the root cause: is unclear", user: "U3" },
    ];
    expect(readVerdict(thread, "2.0", SELF)).toEqual({ verdict: null, rootCause: "registry credentials rotated", users: ["U1", "U2"] });
  });
});

describe("classifyRecurrence", () => {
  const incident = { channel: "C1", alertTs: "1800000000.000100", signature: "sig-a", cluster: "prod-1", issueTypes: ["WORKERS_HEALTHY"] };

  it("is new without history, or when the last one is older than 7 days", () => {
    expect(classifyRecurrence([], incident, NOW)).toEqual({ kind: "new" });
    expect(classifyRecurrence([record({ postedAt: new Date(NOW - 8 * DAY).toISOString() })], incident, NOW)).toEqual({ kind: "new" });
  });

  it("counts the n-th time in 7 days by signature, with the last diagnosed thread and its verdict", () => {
    const older = record({ postedAt: new Date(NOW - 5 * DAY).toISOString(), alertTs: "1.0", judgement: { verdict: "right", rootCause: null, users: ["U1"], at: new Date(NOW).toISOString() } });
    const judged = record({ postedAt: new Date(NOW - 3 * DAY).toISOString(), alertTs: "1.1", threadLink: "https://acme.slack.com/archives/C1/p1", judgement: { verdict: "wrong", rootCause: "x", users: ["U1"], at: new Date(NOW).toISOString() } });
    // A repeat reply links the earlier thread and carries no verdict of its own.
    const repeat = record({ postedAt: new Date(NOW - DAY).toISOString(), alertTs: "1.2", kind: "known-incident", engine: null, threadLink: "https://acme.slack.com/archives/C1/p2" });
    const result = classifyRecurrence([older, judged, repeat, record({ alertTs: incident.alertTs })], incident, NOW);
    expect(result).toMatchObject({ kind: "recurring", by: "signature", nthIn7Days: 4, last: { threadLink: "https://acme.slack.com/archives/C1/p1", verdict: "wrong" } });
    expect(renderRecurrenceLine(result)).toBe(":repeat: *Recurring* — 4th time in 7 days (same incident); <https://acme.slack.com/archives/C1/p1|last thread>: judged *wrong*");
  });

  it("says not judged when the last diagnosis has no verdict, even if an older one has", () => {
    const older = record({ postedAt: new Date(NOW - 3 * DAY).toISOString(), alertTs: "1.0", judgement: { verdict: "wrong", rootCause: null, users: ["U1"], at: new Date(NOW).toISOString() } });
    const last = record({ postedAt: new Date(NOW - DAY).toISOString(), alertTs: "1.1" });
    expect(renderRecurrenceLine(classifyRecurrence([older, last], incident, NOW))).toMatch(/: not judged$/);
  });

  it("falls back to the same cluster and issue type when the signature is new", () => {
    const other = record({ signature: "sig-b" });
    expect(classifyRecurrence([other], incident, NOW)).toMatchObject({ kind: "recurring", by: "cluster-issue", nthIn7Days: 2 });
    expect(classifyRecurrence([record({ signature: "sig-b", cluster: "prod-2" })], incident, NOW)).toEqual({ kind: "new" });
    expect(classifyRecurrence([record({ signature: "sig-b", issueTypes: ["DNS_HEALTHY"] })], incident, NOW)).toEqual({ kind: "new" });
  });

  it("is chronic on more than half of the last 30 days, even when the last week was quiet", () => {
    const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => record({ alertTs: `1.${i + from}`, postedAt: new Date(NOW - (i + from) * DAY).toISOString() }));
    const chronic = classifyRecurrence(days(8, 15), incident, NOW);
    expect(chronic).toMatchObject({ kind: "chronic", daysIn30: 16 });
    expect(renderRecurrenceLine(chronic)).toMatch(/^:calendar: \*Chronic\* — same incident on 16 of the last 30 days; .*: not judged$/);
    expect(classifyRecurrence(days(8, 14), incident, NOW)).toEqual({ kind: "new" });
  });
});

describe("picking threads and recording verdicts", () => {
  it("reads answered reports inside the window, never-checked first, then least recently checked, at most N", () => {
    const data = file([
      record({ alertTs: "1.1", checkedAt: new Date(NOW - 60_000).toISOString() }),
      record({ alertTs: "1.2", checkedAt: null }),
      record({ alertTs: "1.3", checkedAt: new Date(NOW - 3_600_000).toISOString() }),
      record({ alertTs: "1.4", kind: "known-incident", engine: null }),
      record({ alertTs: "1.5", postedAt: new Date(NOW - 4 * DAY).toISOString() }),
    ]);
    expect(pickThreads(data, NOW, { windowMs: 3 * DAY, threadsPerCycle: 2 }).map((r) => r.alertTs)).toEqual(["1.2", "1.3"]);
    expect(pickThreads(data, NOW, { windowMs: 3 * DAY, threadsPerCycle: 10 }).map((r) => r.alertTs)).toEqual(["1.2", "1.3", "1.1"]);
  });

  it("keeps when a verdict was first seen, and clears one whose reaction was removed", () => {
    const r = record();
    const once = applyVerdict(file([r]), r, { verdict: "right", rootCause: null, users: ["U1"] }, NOW);
    const twice = applyVerdict(once, r, { verdict: "wrong", rootCause: null, users: ["U1"] }, NOW + 60_000);
    expect(twice.replies["C1:1700000000.000100"]?.judgement).toMatchObject({ verdict: "wrong", at: new Date(NOW).toISOString() });
    expect(applyVerdict(twice, r, null, NOW + 120_000).replies["C1:1700000000.000100"]).toMatchObject({ judgement: null, checkedAt: new Date(NOW + 120_000).toISOString() });
  });

  it("records answers but not failure notes, and forgets answers older than 35 days", () => {
    const old = record({ alertTs: "1.0", postedAt: new Date(NOW - 36 * DAY).toISOString() });
    const alert = { executionId: "e2", executionUrl: "u", severity: "MAJOR" as const, organization: "o", environment: "prod", cluster: "prod-1", issues: [{ severity: null, type: "WORKERS_HEALTHY" as const, text: "t" }], signature: "s", headline: "h" };
    const answered = { channel: "C1", alertTs: "2.0", alert, kind: "known-incident", report: null, replyTs: "2.1", threadLink: null };
    const next = recordReply(file([old]), answered, NOW);
    expect(Object.keys(next.replies)).toEqual(["C1:2.0"]);
    expect(next.replies["C1:2.0"]).toMatchObject({ engine: null, confidence: null, issueTypes: ["WORKERS_HEALTHY"] });
    expect(recordReply(next, { ...answered, alertTs: "3.0", kind: "failure-note" }, NOW)).toBe(next);
  });
});

describe("summarizeFeedback", () => {
  it("gives accuracy by issue type and engine, calibration per stated confidence, and the wrong answers newest first", () => {
    const judged = (alertTs: string, verdict: "right" | "wrong" | "partly", more: Partial<ReplyRecord> = {}) =>
      record({ alertTs, judgement: { verdict, rootCause: verdict === "wrong" ? `real cause ${alertTs}` : null, users: ["U1"], at: new Date(NOW).toISOString() }, ...more });
    const data = file([
      judged("1.1", "right"),
      judged("1.2", "wrong", { confidence: "high", engine: "claude", issueTypes: ["DNS_HEALTHY"], postedAt: new Date(NOW - 2 * DAY).toISOString() }),
      judged("1.3", "partly", { confidence: "medium" }),
      judged("1.4", "wrong", { confidence: "high" }),
      record({ alertTs: "1.5" }),
      judged("1.6", "right", { postedAt: new Date(NOW - 40 * DAY).toISOString() }),
      judged("1.7", "right", { kind: "fallback" }),
    ]);
    const summary = summarizeFeedback(data, NOW - 30 * DAY);
    expect(summary).toMatchObject({ answered: 6, judged: 5, overall: { judged: 5, right: 2, partly: 1, wrong: 2, accuracy: 2.5 / 5 } });
    expect(summary.byEngine).toEqual({
      claude: { judged: 1, right: 0, partly: 0, wrong: 1, accuracy: 0 },
      rules: { judged: 3, right: 1, partly: 1, wrong: 1, accuracy: 0.5 },
      "rules (fallback)": { judged: 1, right: 1, partly: 0, wrong: 0, accuracy: 1 },
    });
    expect(Object.keys(summary.byIssueType)).toEqual(["DNS_HEALTHY", "WORKERS_HEALTHY"]);
    expect(summary.calibration.high).toMatchObject({ judged: 4, right: 2, wrong: 2 });
    expect(summary.calibration.low).toMatchObject({ judged: 0, accuracy: null });
    expect(summary.wrong.map((w) => w.alertTs)).toEqual(["1.4", "1.2"]);
    expect(summary.wrong[0]).toMatchObject({ humanRootCause: "real cause 1.4", botRootCause: "the workers cannot pull their image" });
  });
});

import { describe, expect, it } from "vitest";
import {
  advanceWatermark,
  alertKey,
  claim,
  decideMessage,
  emptyState,
  markFailed,
  failAttempt,
  markReplied,
  startAttempt,
  pendingAlerts,
  recordDiagnosis,
  recordNotification,
  type AlertRef,
  type State,
} from "../../src/state/index.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const MINUTE = 60_000;
const OPTIONS = { now: NOW, maxAttempts: 3, cooldownMs: 60 * MINUTE };
const ALERT: AlertRef = { channel: "C0ALERTS", ts: "1700000000.000100", executionId: "exec-1", signature: "sig-redis-acme" };
const OTHER: AlertRef = { channel: "C0ALERTS", ts: "1700000100.000200", executionId: "exec-2", signature: "sig-redis-acme" };

function claimedTimes(state: State, alert: AlertRef, times: number): State {
  let next = state;
  for (let i = 0; i < times; i += 1) next = failAttempt(startAttempt(claim(next, alert, NOW), alert, NOW), alert, { error: `boom ${i}`, now: NOW, retryAt: NOW });
  return next;
}

describe("decideMessage", () => {
  it("triages a new alert as attempt 1", () => {
    expect(decideMessage(emptyState(), ALERT, OPTIONS)).toEqual({ action: "triage", attempt: 1 });
  });

  it("retries an alert whose attempt started before a restart with the next attempt number", () => {
    const state = startAttempt(claim(emptyState(), ALERT, NOW - MINUTE), ALERT, NOW - MINUTE);
    const afterCrash = { ...state, alerts: { ...state.alerts, [alertKey(ALERT.channel, ALERT.ts)]: { ...state.alerts[alertKey(ALERT.channel, ALERT.ts)]!, status: "claimed" as const } } };
    expect(decideMessage(afterCrash, ALERT, OPTIONS)).toEqual({ action: "triage", attempt: 2 });
  });

  it("skips an alert already replied to", () => {
    const state = markReplied(claim(emptyState(), ALERT, NOW), ALERT, { replyTs: "1700000001.000001", kind: "full", now: NOW });
    const decision = decideMessage(state, ALERT, OPTIONS);
    expect(decision.action).toBe("skip");
    expect(decision).toMatchObject({ reason: expect.stringContaining("already replied") });
  });

  it("skips an alert given up for good", () => {
    const state = markFailed(claim(emptyState(), ALERT, NOW), ALERT, { error: "channel_not_found", now: NOW });
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "skip", reason: expect.stringContaining("channel_not_found") });
  });

  it("skips a second message about an execution already handled via another message", () => {
    const state = claim(emptyState(), ALERT, NOW);
    const repost: AlertRef = { ...ALERT, ts: "1700000500.000000" };
    expect(decideMessage(state, repost, OPTIONS)).toMatchObject({
      action: "skip",
      reason: expect.stringContaining(alertKey(ALERT.channel, ALERT.ts)),
    });
  });

  it("answers a repeat of an incident diagnosed within the cooldown with a known-incident reply", () => {
    const thread = { channel: ALERT.channel, ts: ALERT.ts, permalink: "https://acme.slack.com/archives/C0ALERTS/p1700000000000100" };
    const state = recordDiagnosis(emptyState(), ALERT.signature, { summary: "decider backlog", thread, now: NOW - 59 * MINUTE });
    const decision = decideMessage(state, OTHER, OPTIONS);
    expect(decision).toEqual({
      action: "known-incident",
      previous: { summary: "decider backlog", thread, diagnosedAt: new Date(NOW - 59 * MINUTE).toISOString() },
    });
  });

  it("triages a repeat again once the cooldown has passed", () => {
    const thread = { channel: ALERT.channel, ts: ALERT.ts, permalink: null };
    const state = recordDiagnosis(emptyState(), ALERT.signature, { summary: "decider backlog", thread, now: NOW - 60 * MINUTE });
    expect(decideMessage(state, OTHER, OPTIONS)).toEqual({ action: "triage", attempt: 1 });
  });

  it("does not call the diagnosed message a known incident of itself", () => {
    const thread = { channel: ALERT.channel, ts: ALERT.ts, permalink: null };
    const state = recordDiagnosis(claim(emptyState(), ALERT, NOW), ALERT.signature, { summary: "x", thread, now: NOW });
    expect(decideMessage(state, ALERT, OPTIONS)).toEqual({ action: "triage", attempt: 1 });
  });

  it("treats ids that name Object.prototype members as plain new ids", () => {
    const odd: AlertRef = { ...ALERT, executionId: "constructor", signature: "toString" };
    expect(decideMessage(emptyState(), odd, OPTIONS)).toEqual({ action: "triage", attempt: 1 });
  });

  it("gives up once the failed attempts are exhausted, quoting the last error", () => {
    const failedTwice = claimedTimes(emptyState(), ALERT, 2);
    expect(decideMessage(failedTwice, ALERT, OPTIONS)).toEqual({ action: "triage", attempt: 3 });
    const failedThrice = claimedTimes(failedTwice, ALERT, 1);
    expect(decideMessage(failedThrice, ALERT, OPTIONS)).toEqual({ action: "give-up", attempts: 3, reason: "boom 0" });
  });
});

describe("transitions", () => {
  it("claim records the owner of the execution id and the times, and spends no attempt", () => {
    const state = claim(emptyState(), ALERT, NOW);
    const record = state.alerts[alertKey(ALERT.channel, ALERT.ts)];
    expect(claim(state, ALERT, NOW + 1)).toBe(state);
    expect(record).toMatchObject({ status: "claimed", attempts: 0, started: 0, claimedAt: "2026-11-23T12:00:00.000Z", replyTs: null });
    expect(state.executions).toEqual({ "exec-1": "C0ALERTS:1700000000.000100" });
  });

  it("never changes its input", () => {
    const before = claim(emptyState(), ALERT, NOW);
    const snapshot = structuredClone(before);
    markReplied(before, ALERT, { replyTs: "1700000001.000001", kind: "full", now: NOW });
    startAttempt(before, ALERT, NOW);
    recordNotification(before, ALERT, "email", { status: "sent", reason: null, now: NOW });
    advanceWatermark(before, "C0ALERTS", "1700000000.000100", NOW);
    expect(before).toEqual(snapshot);
  });

  it("markReplied keeps the reply ts, kind and time; replying twice is refused", () => {
    const replied = markReplied(claim(emptyState(), ALERT, NOW), ALERT, { replyTs: "1700000009.000009", kind: "fallback", now: NOW + 5 });
    expect(replied.alerts["C0ALERTS:1700000000.000100"]).toMatchObject({
      status: "replied",
      replyTs: "1700000009.000009",
      replyKind: "fallback",
      repliedAt: new Date(NOW + 5).toISOString(),
    });
    expect(() => markReplied(replied, ALERT, { replyTs: "1700000010.000000", kind: "full", now: NOW })).toThrow(/replied, not claimed/);
    expect(() => claim(replied, ALERT, NOW)).toThrow(/already replied/);
  });

  it("refuses to change an alert that was never claimed", () => {
    expect(() => startAttempt(emptyState(), ALERT, NOW)).toThrow(/claim it first/);
  });

  it("clips long errors so the file stays small", () => {
    const state = failAttempt(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, { error: "e".repeat(5000), now: NOW, retryAt: NOW });
    expect(state.alerts["C0ALERTS:1700000000.000100"]?.lastError?.length).toBe(500);
  });

  it("recordNotification counts attempts per notification channel", () => {
    let state = claim(emptyState(), ALERT, NOW);
    state = recordNotification(state, ALERT, "email", { status: "failed", reason: "smtp 421", now: NOW });
    state = recordNotification(state, ALERT, "email", { status: "sent", reason: null, now: NOW + 1 });
    state = recordNotification(state, ALERT, "dm", { status: "sent", reason: "severity CRITICAL", now: NOW + 2 });
    expect(state.alerts["C0ALERTS:1700000000.000100"]?.notifications).toEqual({
      email: { status: "sent", attempts: 2, reason: null, updatedAt: new Date(NOW + 1).toISOString() },
      dm: { status: "sent", attempts: 1, reason: "severity CRITICAL", updatedAt: new Date(NOW + 2).toISOString() },
    });
  });

  it("pendingAlerts lists claimed alerts only, oldest message first", () => {
    let state = claim(emptyState(), OTHER, NOW);
    state = claim(state, ALERT, NOW);
    const third: AlertRef = { channel: "C0OTHER", ts: "1700000050.000000", executionId: "exec-3", signature: "s3" };
    state = markReplied(claim(state, third, NOW), third, { replyTs: "1700000051.000000", kind: "full", now: NOW });
    expect(pendingAlerts(state).map((r) => r.executionId)).toEqual(["exec-1", "exec-2"]);
  });
});

describe("advanceWatermark", () => {
  it("moves forward and never backwards, comparing Slack ts numerically", () => {
    let state = advanceWatermark(emptyState(), "C1", "1700000000.000100", NOW);
    state = advanceWatermark(state, "C1", "1700000000.000099", NOW + 1);
    expect(state.channels.C1?.watermark).toBe("1700000000.000100");
    state = advanceWatermark(state, "C1", "999999999.999999", NOW + 2); // fewer digits: older, though it sorts later as text
    expect(state.channels.C1?.watermark).toBe("1700000000.000100");
    state = advanceWatermark(state, "C1", "1700000000.000101", NOW + 3);
    expect(state.channels.C1).toEqual({ watermark: "1700000000.000101", updatedAt: new Date(NOW + 3).toISOString() });
  });

  it("returns the same state when nothing moves, and keeps channels apart", () => {
    const state = advanceWatermark(emptyState(), "C1", "1700000000.000100", NOW);
    expect(advanceWatermark(state, "C1", "1700000000.000100", NOW)).toBe(state);
    expect(advanceWatermark(state, "C2", "1600000000.000000", NOW).channels.C2?.watermark).toBe("1600000000.000000");
  });

  it("rejects something that is not a Slack ts", () => {
    expect(() => advanceWatermark(emptyState(), "C1", "yesterday", NOW)).toThrow(/not a Slack ts/);
  });
});

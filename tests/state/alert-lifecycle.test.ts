import { describe, expect, it } from "vitest";
import {
  alertKey,
  cancelAttempt,
  claim,
  decideMessage,
  deferAttempt,
  emptyState,
  failAttempt,
  isSuspect,
  markReplied,
  pendingAlerts,
  postFailed,
  preparePost,
  recordStep,
  recoverInterrupted,
  retryDelayMs,
  startAttempt,
  unfinishedReactions,
  type AlertRef,
  type State,
} from "../../src/state/index.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const ALERT: AlertRef = { channel: "C0ALERTS", ts: "1700000000.000100", executionId: "exec-1", signature: "sig-1" };
const KEY = alertKey(ALERT.channel, ALERT.ts);
const OPTIONS = { now: NOW, maxAttempts: 3, cooldownMs: 3_600_000 };
const REPLY = { kind: "full" as const, text: "Redis full", blocks: [], summary: "backlog (confidence high)" };
const record = (state: State) => state.alerts[KEY]!;

describe("the alert lifecycle", () => {
  it("runs claimed → triaging → posting → replied, numbering the attempt", () => {
    const claimed = claim(emptyState(), ALERT, NOW);
    const triaging = startAttempt(claimed, ALERT, NOW);
    expect(record(triaging)).toMatchObject({ status: "triaging", started: 1, attempts: 0 });
    const posting = preparePost(triaging, ALERT, REPLY, NOW);
    expect(record(posting)).toMatchObject({ status: "posting", pendingReply: { ...REPLY, attempt: 1 } });
    const replied = markReplied(posting, ALERT, { replyTs: "1700000001.000001", kind: "full", now: NOW });
    expect(record(replied)).toMatchObject({ status: "replied", replyKind: "full", pendingReply: null });
  });

  it("a cancelled attempt goes back to claimed and costs no attempt", () => {
    const state = cancelAttempt(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, NOW);
    expect(record(state)).toMatchObject({ status: "claimed", attempts: 0, cancellations: 1, crashes: 0 });
    expect(decideMessage(state, ALERT, OPTIONS)).toEqual({ action: "triage", attempt: 2 });
  });

  it("a failed attempt counts and waits for its backoff before the next", () => {
    const state = failAttempt(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, { error: "Conductor answered 503", now: NOW, retryAt: NOW + 30_000 });
    expect(record(state)).toMatchObject({ status: "claimed", attempts: 1, lastError: "Conductor answered 503", nextAttemptAt: new Date(NOW + 30_000).toISOString() });
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "skip", reason: expect.stringContaining("waiting to retry") });
    expect(decideMessage(state, ALERT, { ...OPTIONS, now: NOW + 30_000 })).toEqual({ action: "triage", attempt: 2 });
  });

  it("a rate-limited attempt waits without counting", () => {
    const posting = preparePost(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, REPLY, NOW);
    const state = deferAttempt(posting, ALERT, { now: NOW, retryAt: NOW + 5000 });
    expect(record(state)).toMatchObject({ status: "posting", attempts: 0 });
  });

  it("backs off exponentially up to ten minutes", () => {
    expect([1, 2, 3, 10].map((n) => retryDelayMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 600_000]);
  });

  it("after a crash, an attempt left triaging is a crash, not a failure; a post left posting is resumed with a thread check", () => {
    const triaging = startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW);
    const recovered = recoverInterrupted(triaging, NOW);
    expect(record(recovered)).toMatchObject({ status: "claimed", crashes: 1, attempts: 0, lastError: null });
    expect(recoverInterrupted(recovered, NOW)).toBe(recovered);
    const posting = preparePost(triaging, ALERT, REPLY, NOW);
    expect(recoverInterrupted(posting, NOW)).toBe(posting);
    expect(decideMessage(posting, ALERT, OPTIONS)).toEqual({ action: "resume-post", pending: { ...REPLY, attempt: 1 } });
    expect(pendingAlerts(posting).map((r) => r.status)).toEqual(["posting"]);
  });

  it("makes an alert in flight at two crashes a suspect, and bounds a poison alert by its crashes while triaged alone", () => {
    let state = claim(emptyState(), ALERT, NOW);
    for (let i = 0; i < 2; i += 1) state = recoverInterrupted(startAttempt(state, ALERT, NOW), NOW);
    expect(isSuspect(record(state))).toBe(true);
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "triage" }); // crashes among other alerts prove nothing
    for (let i = 0; i < 4; i += 1) state = recoverInterrupted(startAttempt(state, ALERT, NOW, { alone: true }), NOW);
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "triage" });
    state = recoverInterrupted(startAttempt(state, ALERT, NOW, { alone: true }), NOW);
    expect(record(state)).toMatchObject({ crashes: 7, soloCrashes: 5, attempts: 0 });
    const decision = decideMessage(state, ALERT, OPTIONS);
    expect(decision).toMatchObject({ action: "give-up", reason: expect.stringContaining("died 5 times while triaging this alert alone") });
    expect(decideMessage(state, ALERT, { ...OPTIONS, maxCrashes: 6 })).toMatchObject({ action: "triage" });
  });

  it("gives up on a reply Slack keeps refusing with a failure note, and abandons a failure note Slack keeps refusing", () => {
    let state = preparePost(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, REPLY, NOW);
    for (let i = 0; i < 3; i += 1) state = failAttempt(state, ALERT, { error: "posting the reply failed: msg_too_long", now: NOW, retryAt: NOW });
    expect(decideMessage(state, ALERT, OPTIONS)).toEqual({ action: "give-up", attempts: 3, reason: "posting the reply failed: msg_too_long" });
    state = preparePost(state, ALERT, { ...REPLY, kind: "failure-note", summary: null }, NOW);
    for (let i = 0; i < 3; i += 1) state = failAttempt(state, ALERT, { error: "posting the reply failed: channel_not_found", now: NOW, retryAt: NOW });
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "abandon", reason: expect.stringContaining("channel_not_found") });
  });

  it("bounds posts that fail in transit apart from attempts: a Slack outage does not turn a finished report into a failure note", () => {
    let state = preparePost(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, REPLY, NOW);
    for (let i = 0; i < 9; i += 1) state = postFailed(state, ALERT, { error: "posting the reply failed: HTTP 500", now: NOW, retryAt: NOW });
    expect(record(state)).toMatchObject({ status: "posting", attempts: 0, postFailures: 9 });
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "resume-post" });
    state = postFailed(state, ALERT, { error: "posting the reply failed: HTTP 500", now: NOW, retryAt: NOW });
    expect(decideMessage(state, ALERT, OPTIONS)).toMatchObject({ action: "give-up", reason: "posting the reply failed: HTTP 500" });
  });

  it("records the reaction swap as a step, so a restart finishes the ones a crash cut off", () => {
    const posting = preparePost(startAttempt(claim(emptyState(), ALERT, NOW), ALERT, NOW), ALERT, REPLY, NOW);
    const replied = markReplied(posting, ALERT, { replyTs: "1700000001.000001", kind: "full", now: NOW });
    expect(unfinishedReactions(replied).map((r) => r.ts)).toEqual([ALERT.ts]);
    const done = recordStep(replied, ALERT, "reaction", NOW);
    expect(record(done).steps).toEqual({ "1:reaction": new Date(NOW).toISOString() });
    expect(unfinishedReactions(done)).toEqual([]);
  });

  it("refuses transitions out of order", () => {
    const claimed = claim(emptyState(), ALERT, NOW);
    expect(() => cancelAttempt(claimed, ALERT, NOW)).toThrow(/claimed, not triaging/);
    expect(() => startAttempt(startAttempt(claimed, ALERT, NOW), ALERT, NOW)).toThrow(/triaging, not claimed/);
  });
});

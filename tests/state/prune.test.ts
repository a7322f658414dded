import { describe, expect, it } from "vitest";
import {
  claim,
  compareSlackTs,
  defaultPruneLimits,
  emptyState,
  markFailed,
  markReplied,
  prune,
  recordDiagnosis,
  type AlertRef,
  type State,
} from "../../src/state/index.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const DAY = 86_400_000;
const HOUR = 3_600_000;

function alert(n: number): AlertRef {
  return { channel: "C0ALERTS", ts: `17000000${String(n).padStart(2, "0")}.000000`, executionId: `exec-${n}`, signature: `sig-${n}` };
}

function replied(state: State, ref: AlertRef, at: number): State {
  return markReplied(claim(state, ref, at), ref, { replyTs: "1700009999.000000", kind: "full", now: at });
}

describe("prune", () => {
  it("drops finished alerts older than the age limit with their execution ids, and keeps claimed ones of any age", () => {
    let state = replied(emptyState(), alert(1), NOW - 8 * DAY);
    state = markFailed(claim(state, alert(2), NOW - 8 * DAY), alert(2), { error: "gone", now: NOW - 8 * DAY });
    state = replied(state, alert(3), NOW - 6 * DAY);
    state = claim(state, alert(4), NOW - 30 * DAY);
    const pruned = prune(state, NOW, defaultPruneLimits(HOUR));
    expect(Object.values(pruned.alerts).map((r) => r.executionId).sort()).toEqual(["exec-3", "exec-4"]);
    expect(Object.keys(pruned.executions).sort()).toEqual(["exec-3", "exec-4"]);
  });

  it("caps the number of alerts by dropping the oldest finished ones, never claimed ones", () => {
    let state = emptyState();
    for (let n = 1; n <= 6; n += 1) state = replied(state, alert(n), NOW - n * HOUR);
    for (let n = 7; n <= 9; n += 1) state = claim(state, alert(n), NOW - 100 * DAY);
    const pruned = prune(state, NOW, { ...defaultPruneLimits(HOUR), maxAlerts: 5 });
    expect(Object.values(pruned.alerts).map((r) => r.executionId).sort()).toEqual(["exec-1", "exec-2", "exec-7", "exec-8", "exec-9"]);
    const overfull = prune(state, NOW, { ...defaultPruneLimits(HOUR), maxAlerts: 1 });
    expect(Object.values(overfull.alerts).every((r) => r.status === "claimed")).toBe(true);
    expect(Object.keys(overfull.alerts)).toHaveLength(3);
  });

  it("drops signatures older than the cooldown and caps their number, newest kept", () => {
    const thread = { channel: "C0ALERTS", ts: "1700000000.000000", permalink: null };
    let state = emptyState();
    for (let n = 1; n <= 4; n += 1) state = recordDiagnosis(state, `sig-${n}`, { summary: `s${n}`, thread, now: NOW - n * 20 * 60_000 });
    expect(Object.keys(prune(state, NOW, defaultPruneLimits(HOUR)).signatures).sort()).toEqual(["sig-1", "sig-2"]);
    expect(Object.keys(prune(state, NOW, { ...defaultPruneLimits(2 * HOUR), maxSignatures: 3 }).signatures).sort()).toEqual([
      "sig-1",
      "sig-2",
      "sig-3",
    ]);
  });

  it("returns the same object when there is nothing to drop", () => {
    const state = replied(emptyState(), alert(1), NOW - DAY);
    expect(prune(state, NOW, defaultPruneLimits(HOUR))).toBe(state);
  });
});

describe("compareSlackTs", () => {
  it.each([
    ["1700000000.000100", "1700000000.000100", 0],
    ["1700000000.000100", "1700000000.000099", 1],
    ["999999999.999999", "1000000000.000000", -1],
    ["1700000000.1", "1700000000.000100", 1],
    ["1700000000", "1700000000.000000", 0],
    ["01700000000.5", "1700000000.5", 0],
  ])("compareSlackTs(%s, %s) has sign %i", (a, b, sign) => {
    expect(Math.sign(compareSlackTs(a, b))).toBe(sign);
  });
});

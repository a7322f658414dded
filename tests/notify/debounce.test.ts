import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStateHandle } from "../../src/bot/state-handle.ts";
import { debounceKeys } from "../../src/notify/index.ts";
import { claim, decideMessage, emptyState, openDebounceWindows, recordDiagnosis, type AlertRef } from "../../src/state/index.ts";
import { createMswServer } from "../helpers/msw.ts";
import { createFakeSlack, type FakeSlack } from "../helpers/slack-msw.ts";
import { alertText, CHANNEL, fakeTriager, makeBot } from "../bot/bot-fixtures.ts";
import { alert } from "./notify-fixtures.ts";

const TEN_MIN = 10 * 60_000;
const on = { windowMs: TEN_MIN, bypassCritical: false };

describe("debounceKeys", () => {
  it("is one key per (organisation, cluster, issue type), case- and order-insensitive", () => {
    const a = alert({ org: "Acme", cluster: "acme-eu-1" });
    expect(debounceKeys(a, on)).toEqual(["acme|acme-eu-1|REDIS_CRITICAL_USAGE"]);
    const two = { ...a, issues: [...a.issues, { severity: null, type: "POD_RESTARTED" as const, text: "pod restarted" }].reverse() };
    expect(debounceKeys(two, on)).toEqual(["acme|acme-eu-1|POD_RESTARTED", "acme|acme-eu-1|REDIS_CRITICAL_USAGE"]);
    expect(debounceKeys({ ...a, organization: "ACME " }, on)).toEqual(debounceKeys(a, on));
  });

  it("is empty when off (window 0), for CRITICAL alerts when they bypass it, and for unclassified issues", () => {
    const a = alert();
    expect(debounceKeys(a, { windowMs: 0, bypassCritical: false })).toEqual([]);
    expect(debounceKeys(a, { windowMs: TEN_MIN, bypassCritical: true })).toEqual([]);
    expect(debounceKeys({ ...a, severity: "MAJOR" }, { windowMs: TEN_MIN, bypassCritical: true })).toHaveLength(1);
    expect(debounceKeys({ ...a, issues: [{ severity: null, type: "UNKNOWN", text: "?" }] }, on)).toEqual([]);
  });
});

describe("the debounce decision", () => {
  const T0 = 1_763_900_000;
  const ref = (ts: number, keys = ["acme|acme-eu-1|REDIS_CRITICAL_USAGE"], signature = `sig-${ts}`): AlertRef => ({
    channel: CHANNEL,
    ts: `${ts}.000100`,
    executionId: `exec-${ts}`,
    signature,
    debounceKeys: keys,
  });
  const options = (windowMs = TEN_MIN) => ({ now: T0 * 1000, maxAttempts: 3, cooldownMs: 3_600_000, debounceWindowMs: windowMs });
  const opened = (first: AlertRef, windowMs = TEN_MIN) => openDebounceWindows(claim(emptyState(), first, T0 * 1000), first, windowMs);

  it("answers a repeat inside the window with the known-incident reply pointing at the first alert", () => {
    const state = opened(ref(T0));
    const decision = decideMessage(state, ref(T0 + 9 * 60), options());
    expect(decision).toMatchObject({ action: "known-incident", previous: { thread: { channel: CHANNEL, ts: `${T0}.000100` } } });
    if (decision.action === "known-incident") expect(decision.previous.summary).toMatch(/being investigated/);
  });

  it("lets a repeat outside the window, another cluster, a new issue type, or a disabled window through", () => {
    const state = opened(ref(T0));
    expect(decideMessage(state, ref(T0 + 10 * 60), options()).action).toBe("triage");
    expect(decideMessage(state, ref(T0 + 60, ["acme|acme-us-1|REDIS_CRITICAL_USAGE"]), options()).action).toBe("triage");
    expect(decideMessage(state, ref(T0 + 60, ["acme|acme-eu-1|REDIS_CRITICAL_USAGE", "acme|acme-eu-1|POD_RESTARTED"]), options()).action).toBe("triage");
    expect(decideMessage(state, ref(T0 + 60), options(0)).action).toBe("triage");
    expect(decideMessage(state, ref(T0 + 60, []), options()).action).toBe("triage");
  });

  it("does not debounce the alert that opened the window (its own retry)", () => {
    expect(decideMessage(opened(ref(T0)), ref(T0), options()).action).toBe("triage");
  });

  it("keeps a window with the alert that opened it, and points repeats at its diagnosis once known", () => {
    const first = ref(T0);
    let state = opened(first);
    const second = ref(T0 + 120, ["acme|acme-eu-1|REDIS_CRITICAL_USAGE", "acme|acme-eu-1|POD_RESTARTED"]);
    state = openDebounceWindows(claim(state, second, T0 * 1000), second, TEN_MIN);
    expect(state.debounce?.["acme|acme-eu-1|REDIS_CRITICAL_USAGE"]?.thread.ts).toBe(first.ts);
    expect(state.debounce?.["acme|acme-eu-1|POD_RESTARTED"]?.thread.ts).toBe(second.ts);
    state = recordDiagnosis(state, first.signature, {
      summary: "Redis full of running workflows",
      thread: { channel: CHANNEL, ts: first.ts, permalink: "https://example.slack.com/p1" },
      now: T0 * 1000,
    });
    const decision = decideMessage(state, ref(T0 + 180), options());
    expect(decision).toMatchObject({ action: "known-incident", previous: { summary: "Redis full of running workflows", thread: { permalink: "https://example.slack.com/p1" } } });
  });

  it("drops windows a day past their end when a new one opens", () => {
    const state = opened(ref(T0));
    const later = ref(T0 + 2 * 86_400, ["other|c|POD_RESTARTED"]);
    const next = openDebounceWindows(claim(state, later, T0 * 1000), later, TEN_MIN);
    expect(Object.keys(next.debounce ?? {})).toEqual(["other|c|POD_RESTARTED"]);
  });
});

describe("debounce in the bot", () => {
  let slack: FakeSlack;
  const server = createMswServer();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  beforeEach(() => {
    slack = createFakeSlack();
    server.use(...slack.handlers);
  });
  afterEach(() => server.resetHandlers());

  it("triages the first alert and gives a repeat in the same poll the short reply, even before the first is diagnosed", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager, { concurrency: 1, debounce: { windowMs: TEN_MIN, bypassCritical: false } });
    await bot.pollOnce();
    // Different pods make different signatures; the (org, cluster, issue type) is the same.
    const first = slack.post(CHANNEL, { text: alertText({ issue: "Pod conductor-server-7f9c8d6b5-x2k4q has been restarted 3 times" }).text, bot_id: "BHEALTH" });
    const repeat = slack.post(CHANNEL, { text: alertText({ issue: "Pod workflow-workers-5d8f7c9b6-q7w2z has been restarted 5 times" }).text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
    expect(store.state.alerts[`${CHANNEL}:${first}`]?.replyKind).toBe("full");
    expect(store.state.alerts[`${CHANNEL}:${repeat}`]?.replyKind).toBe("known-incident");
    expect(store.state.alerts[`${CHANNEL}:${first}`]?.signature).not.toBe(store.state.alerts[`${CHANNEL}:${repeat}`]?.signature);
    expect(slack.repliesTo(CHANNEL, repeat)[0]?.text).toMatch(/^Same incident as an earlier alert/);
  });

  it("triages both when debounce is off", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager, { debounce: { windowMs: 0, bypassCritical: false } });
    await bot.pollOnce();
    slack.post(CHANNEL, { text: alertText({ issue: "Pod conductor-server-7f9c8d6b5-x2k4q has been restarted 3 times" }).text, bot_id: "BHEALTH" });
    slack.post(CHANNEL, { text: alertText({ issue: "Pod workflow-workers-5d8f7c9b6-q7w2z has been restarted 5 times" }).text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(2);
  });
});

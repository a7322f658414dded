import { HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPLY_EVENT_TYPE } from "../../src/bot/reply-metadata.ts";
import { createMemoryStateHandle } from "../../src/bot/state-handle.ts";
import { OncallError } from "../../src/lib/errors.ts";
import { emptyState, type State } from "../../src/state/index.ts";
import { createMswServer } from "../helpers/msw.ts";
import { createFakeSlack, type FakeSlack } from "../helpers/slack-msw.ts";
import { alertText, CHANNEL, fakeTriager, makeBot, report } from "./bot-fixtures.ts";

let slack: FakeSlack;
const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  slack = createFakeSlack();
  server.use(...slack.handlers);
});
afterEach(() => server.resetHandlers());

const alertOf = (state: State, ts: string) => state.alerts[`${CHANNEL}:${ts}`];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cycle(bot: ReturnType<typeof makeBot>, times = 1) {
  for (let i = 0; i < times; i += 1) {
    await bot.pollOnce();
    await bot.drain();
  }
}

describe("the triager's contract", () => {
  it("triage_cancelled: posts nothing, puts the alert back to claimed without counting a failure, and answers it later", async () => {
    const store = createMemoryStateHandle(emptyState());
    let calls = 0;
    const { triager } = fakeTriager(async () => {
      calls += 1;
      if (calls === 1) throw new OncallError("triage_cancelled", "the triage was cancelled: shutdown");
      return report();
    });
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await cycle(bot);
    expect(slack.repliesTo(CHANNEL, ts)).toEqual([]);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "claimed", attempts: 0, cancellations: 1, lastError: null });
    await cycle(bot);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["white_check_mark"]);
  });

  it("evidence_unavailable: retried with backoff, and when attempts run out the note quotes why", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager(async () => {
      throw new OncallError("evidence_unavailable", "Conductor answered 503 for 12 minutes");
    });
    const bot = makeBot(slack, store, triager, { retryBackoffMs: 150 });
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await cycle(bot, 3); // the second and third cycle come before the backoff is over
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, ts)).toEqual([]);
    for (let i = 0; i < 2; i += 1) {
      await sleep(150 * 2 ** i + 20);
      await cycle(bot);
    }
    expect(requests).toHaveLength(3);
    const replies = slack.repliesTo(CHANNEL, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain("Conductor answered 503 for 12 minutes");
    expect(replies[0]?.text).not.toMatch(/unknown error/);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "replied", replyKind: "failure-note" });
  });

  it("never posts a report that came back after the alert's signal was aborted", async () => {
    const store = createMemoryStateHandle(emptyState());
    // A triager that ignores its signal and returns a report from cancelled calls anyway.
    const { triager } = fakeTriager(async () => {
      await sleep(300);
      return report({ likelyRootCause: "Decider-queue backlog built on cancelled tool calls" });
    });
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await sleep(20);
    expect(await bot.drain(50)).toBe(false);
    await sleep(400);
    expect(slack.callsOf("chat.postMessage")).toEqual([]);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "claimed", cancellations: 1, crashes: 0, attempts: 0 });
  });
});

describe("posting", () => {
  it("puts metadata on every reply: event type, alert key, attempt and kind", async () => {
    const store = createMemoryStateHandle(emptyState());
    const bot = makeBot(slack, store, fakeTriager().triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await cycle(bot);
    const posted = JSON.parse(slack.callsOf("chat.postMessage")[0]!.params.metadata ?? "null");
    expect(posted).toEqual({ event_type: REPLY_EVENT_TYPE, event_payload: { alert: `${CHANNEL}:${ts}`, attempt: 1, kind: "full" } });
  });

  it("after a post that Slack took but answered 500, finds it in the thread and does not post again", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.failNext("chat.postMessage", 1, () => {
      const params = slack.callsOf("chat.postMessage").at(-1)!.params;
      slack.post(CHANNEL, { text: params.text ?? "", user: slack.botUserId, bot_id: slack.botId, thread_ts: ts, metadata: JSON.parse(params.metadata!) });
      return HttpResponse.json({ ok: false, error: "internal_error" }, { status: 500 });
    });
    await cycle(bot, 3);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "replied", replyKind: "full", attempts: 0, postFailures: 1 });
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["white_check_mark"]);
  });

  it("after a post refused with a 500, checks the thread and posts the same reply once, without triaging again", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.failNext("chat.postMessage", 2, () => HttpResponse.json({ ok: false, error: "internal_error" }, { status: 500 }));
    await cycle(bot, 3);
    expect(requests).toHaveLength(1);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(3);
    expect(slack.callsOf("conversations.replies").length).toBeGreaterThanOrEqual(2);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(JSON.stringify(slack.repliesTo(CHANNEL, ts)[0]?.blocks)).toContain("A backlog of running workflows fills Redis");
  });

  it("a rate-limited post (HTTP 200 `ratelimited`) is waited out, costs no attempt, and the report is still posted", async () => {
    const store = createMemoryStateHandle(emptyState());
    const bot = makeBot(slack, store, fakeTriager().triager, { maxAttempts: 1 });
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.failNext("chat.postMessage", 1, () => HttpResponse.json({ ok: false, error: "ratelimited" }));
    await cycle(bot);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "replied", replyKind: "full", attempts: 0 });
  });
});

describe("recovery from the thread", () => {
  it("adopts a reply of this bot found in a thread the state does not know, with the kind its metadata says", async () => {
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const metadata = { event_type: REPLY_EVENT_TYPE, event_payload: { alert: `${CHANNEL}:${ts}`, attempt: 3, kind: "failure-note" } };
    slack.post(CHANNEL, { text: "I could not triage this alert", user: slack.botUserId, bot_id: slack.botId, thread_ts: ts, metadata });
    const store = createMemoryStateHandle(emptyState()); // the state was lost
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager, { since: "1700000000.000000" });
    await cycle(bot, 2);
    expect(requests).toHaveLength(0);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(alertOf(store.state, ts)).toMatchObject({ status: "replied", replyKind: "failure-note" });
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["warning"]);
  });

  it("finishes the reaction swap a crash cut off after the reply was saved", async () => {
    const store = createMemoryStateHandle(emptyState());
    const bot = makeBot(slack, store, fakeTriager().triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.failNext("reactions.remove", 1, () => HttpResponse.json({ ok: false, error: "internal_error" }, { status: 500 }));
    slack.failNext("reactions.add", 10, () => HttpResponse.json({ ok: false, error: "internal_error" }, { status: 500 })); // the process "dies" here
    await cycle(bot);
    const key = `${CHANNEL}:${ts}`;
    // As a crash would leave it: replied, the swap not recorded.
    const { [`1:reaction`]: _done, ...steps } = store.state.alerts[key]!.steps;
    const crashed = createMemoryStateHandle({ ...store.state, alerts: { ...store.state.alerts, [key]: { ...store.state.alerts[key]!, steps } } });
    slack.failNext("reactions.add", 0, () => HttpResponse.json({ ok: true }));
    const restarted = makeBot(slack, crashed, fakeTriager().triager);
    await cycle(restarted);
    expect(crashed.state.alerts[key]?.steps["1:reaction"]).toBeDefined();
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["white_check_mark"]);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });
});

describe("a state that cannot be written", () => {
  it("stops claiming and says so, and resumes once a write succeeds again", async () => {
    const memory = createMemoryStateHandle(emptyState());
    let full = false;
    const fail = () => {
      throw new OncallError("state_write_failed", "could not write the state to /var/lib/oncall/state.json.journal: the disk is full");
    };
    const store = {
      get state() {
        return memory.state;
      },
      apply: async (ops: Parameters<typeof memory.apply>[0]) => (full ? fail() : memory.apply(ops)),
      probe: async () => (full ? fail() : undefined),
    };
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    full = true;
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await expect(bot.pollOnce()).rejects.toMatchObject({ code: "state_write_failed" });
    const second = await bot.pollOnce();
    expect(second.errors).toEqual([expect.stringMatching(/^not claiming: the state cannot be written .*disk is full/)]);
    expect(requests).toHaveLength(0);
    expect(slack.callsOf("chat.postMessage")).toEqual([]);
    full = false;
    await cycle(bot);
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });
});

describe("an unexpected error in the middle of an attempt", () => {
  it("is recorded as a failed attempt, so the alert is retried instead of left triaging", async () => {
    const memory = createMemoryStateHandle(emptyState());
    let broken = true;
    const store = {
      get state() {
        return memory.state;
      },
      apply: async (ops: Parameters<typeof memory.apply>[0]) => {
        const batch = Array.isArray(ops) ? ops : [ops];
        if (broken && batch.some((o: { op: string }) => o.op === "preparePost")) {
          broken = false;
          throw new Error("EIO: i/o error, write");
        }
        return memory.apply(ops);
      },
    };
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager);
    await cycle(bot);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await cycle(bot);
    expect(alertOf(memory.state, ts)).toMatchObject({ status: "claimed", attempts: 1, lastError: expect.stringContaining("EIO") });
    await cycle(bot);
    expect(requests).toHaveLength(2);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });
});

describe("a suspect of earlier crashes", () => {
  it("is triaged alone: nothing else starts while it runs", async () => {
    const suspectAlert = alertText();
    const otherAlert = alertText();
    const suspect = slack.post(CHANNEL, { text: suspectAlert.text, bot_id: "BHEALTH" });
    const other = slack.post(CHANNEL, { text: otherAlert.text, bot_id: "BHEALTH" });
    const store = createMemoryStateHandle(emptyState());
    const ref = (ts: string, executionId: string) => ({ channel: CHANNEL, ts, executionId, signature: `sig-${ts}` });
    await store.apply([
      { op: "claim", alert: ref(suspect, suspectAlert.executionId), debounceWindowMs: 0, now: Date.now() },
      { op: "claim", alert: ref(other, otherAlert.executionId), debounceWindowMs: 0, now: Date.now() },
    ]);
    for (let i = 0; i < 2; i += 1) {
      await store.apply({ op: "startAttempt", id: { channel: CHANNEL, ts: suspect }, alone: false, now: Date.now() });
      await store.apply({ op: "recoverInterrupted", now: Date.now() }); // the process died meanwhile
    }
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { triager, requests } = fakeTriager(async () => {
      await gate;
      return report();
    });
    const bot = makeBot(slack, store, triager);
    await bot.pollOnce();
    await bot.pollOnce();
    expect(alertOf(store.state, suspect)).toMatchObject({ status: "triaging", alone: true, crashes: 2 });
    expect(alertOf(store.state, other)?.status).toBe("claimed");
    expect(requests).toHaveLength(1);
    release();
    await bot.drain();
    await cycle(bot);
    expect(slack.repliesTo(CHANNEL, suspect)).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, other)).toHaveLength(1);
  });
});

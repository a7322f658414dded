import { writeFileSync } from "node:fs";
import { HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStateHandle, type StateHandle } from "../../src/bot/state-handle.ts";
import { runLoop } from "../../src/bot/run-loop.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { emptyState, openStateStore, type StateStore } from "../../src/state/index.ts";
import type { StateOp } from "../../src/state/operations.ts";
import { createMswServer } from "../helpers/msw.ts";
import { createFakeSlack, type FakeSlack } from "../helpers/slack-msw.ts";
import { alertText, CHANNEL, fakeTriager, makeBot, report, tempStatePath } from "./bot-fixtures.ts";

let slack: FakeSlack;
const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());
beforeEach(() => {
  slack = createFakeSlack();
  server.use(...slack.handlers);
});
afterEach(() => server.resetHandlers());

const stores: StateStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => {})));
});
async function openStore(path = tempStatePath()): Promise<StateStore> {
  const store = await openStateStore(path, { logger: silentLogger, clock: systemClock });
  stores.push(store);
  return store;
}

/** A first poll that only sets the watermark, as on a real first start. */
async function primed(store: StateHandle, triager = fakeTriager().triager) {
  const bot = makeBot(slack, store, triager);
  await bot.pollOnce();
  return bot;
}

describe("polling", () => {
  it("starts a new channel from now: old alerts are not replayed", async () => {
    slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const { triager, requests } = fakeTriager();
    const store = await openStore();
    const bot = makeBot(slack, store, triager);
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(0);
    expect(store.state.channels[CHANNEL]?.watermark).toBeDefined();
  });

  it("backfills with --since on the first poll", async () => {
    const { text } = alertText();
    slack.post(CHANNEL, { text, bot_id: "BHEALTH" });
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, createMemoryStateHandle(emptyState()), triager, { since: "1700000000.000000" });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
  });

  it("pages through history with oldest = watermark, oldest message first, and replies to each alert once", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager, { concurrency: 1 }, 2);
    await bot.pollOnce();
    const watermark = store.state.channels[CHANNEL]!.watermark;
    const ids = Array.from({ length: 5 }, () => {
      const alert = alertText();
      slack.post(CHANNEL, { text: alert.text, bot_id: "BHEALTH" });
      return alert.executionId;
    });
    slack.post(CHANNEL, { text: "good morning, anyone looking at acme?", user: "UHUMAN" });
    await bot.pollOnce();
    await bot.drain();
    const history = slack.callsOf("conversations.history");
    expect(history.length).toBeGreaterThanOrEqual(3);
    expect(history.slice(-3).every((c) => c.params.oldest === watermark)).toBe(true);
    expect(requests.map((r) => r.executionId)).toEqual(ids);
    for (const call of slack.callsOf("chat.postMessage")) expect(call.params.thread_ts).toBeTruthy();
    expect(slack.callsOf("chat.postMessage")).toHaveLength(5);
  });

  it("skips its own messages and thread replies but triages alerts from other bots", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = await primed(store, triager);
    slack.post(CHANNEL, { text: alertText().text, user: slack.botUserId, bot_id: slack.botId });
    const parent = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.post(CHANNEL, { text: alertText().text, user: "UHUMAN", thread_ts: parent });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, parent)).toHaveLength(2); // the human's and the bot's
  });

  it("waits out a 429 with Retry-After and still replies exactly once", async () => {
    const store = createMemoryStateHandle(emptyState());
    const bot = await primed(store);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    slack.failNext("chat.postMessage", 1, () => HttpResponse.json({ ok: false, error: "ratelimited" }, { status: 429, headers: { "Retry-After": "1" } }));
    const started = Date.now();
    await bot.pollOnce();
    await bot.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(2);
  });
});

describe("acknowledgement", () => {
  it("marks every claimed alert with 👀 at once, even while triage slots are busy", async () => {
    const store = createMemoryStateHandle(emptyState());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { triager } = fakeTriager(async () => {
      await gate;
      return report();
    });
    const bot = makeBot(slack, store, triager, { concurrency: 1 });
    await bot.pollOnce();
    const first = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const second = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await new Promise((r) => setTimeout(r, 100));
    expect(slack.reactionsOn(CHANNEL, first)).toEqual(["eyes"]);
    expect(slack.reactionsOn(CHANNEL, second)).toEqual(["eyes"]);
    release();
    await bot.drain();
    expect(slack.reactionsOn(CHANNEL, second)).toEqual(["white_check_mark"]);
  });
});

describe("exactly one reply", () => {
  it("does not reply twice across polls, restarts, or two messages for one execution", async () => {
    const path = tempStatePath();
    const first = await openStore(path);
    const { triager, requests } = fakeTriager();
    const bot = await primed(first, triager);
    const alert = alertText();
    const ts = slack.post(CHANNEL, { text: alert.text, bot_id: "BHEALTH" });
    const repost = slack.post(CHANNEL, { text: alert.text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await bot.pollOnce();
    await bot.drain();
    await first.close();

    const second = await openStore(path);
    const restarted = makeBot(slack, second, triager);
    await restarted.pollOnce();
    await restarted.drain();
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, repost)).toHaveLength(0);
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["white_check_mark"]);
  });

  it("after a crash between posting and saving, finds its reply in the thread instead of posting again", async () => {
    const path = tempStatePath();
    const store = await openStore(path);
    const { triager, requests } = fakeTriager();
    await primed(store, triager);
    // The process "dies" when it tries to save the reply: the update never lands.
    const crashing: StateHandle = {
      get state() {
        return store.state;
      },
      apply: async (ops) => {
        if ((Array.isArray(ops) ? ops : [ops]).some((o: StateOp) => o.op === "markReplied")) throw new Error("process killed");
        await store.apply(ops);
      },
    };
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const dying = makeBot(slack, crashing, triager);
    await dying.pollOnce();
    await dying.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(Object.values(store.state.alerts)[0]?.status).toBe("posting");
    await store.close();

    const reopened = await openStore(path);
    const notified: { kind: string; replyTs: string }[] = [];
    const restarted = makeBot(slack, reopened, triager, {}, 100, async ({ kind, replyTs }) => {
      notified.push({ kind, replyTs });
    });
    await restarted.pollOnce();
    await restarted.drain();
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    expect(notified).toEqual([{ kind: "full", replyTs: slack.repliesTo(CHANNEL, ts)[0]!.ts }]);
    expect(requests).toHaveLength(1);
    expect(Object.values(reopened.state.alerts)[0]?.status).toBe("replied");
  });

  it("posts a failure note when attempts run out, so the alert is never silently dropped", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager(async () => {
      throw new Error("conductor unreachable: connect ECONNREFUSED");
    });
    const bot = makeBot(slack, store, triager, { maxAttempts: 2 });
    await bot.pollOnce();
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    for (let i = 0; i < 3; i += 1) {
      await bot.pollOnce();
      await bot.drain();
    }
    expect(requests).toHaveLength(2);
    const replies = slack.repliesTo(CHANNEL, ts);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toMatch(/2 attempts/);
    expect(replies[0]?.text).toContain("ECONNREFUSED");
    expect(slack.reactionsOn(CHANNEL, ts)).toEqual(["warning"]);
  });

  it("stops retrying a pending alert whose message was deleted, without failing the cycle", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager(async () => {
      throw new Error("conductor unreachable");
    });
    const bot = makeBot(slack, store, triager);
    await bot.pollOnce();
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await bot.drain();
    slack.remove(CHANNEL, ts);
    const summary = await bot.pollOnce();
    await bot.drain();
    expect(summary.errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(Object.values(store.state.alerts)[0]).toMatchObject({ status: "failed", lastError: "the alert message was deleted" });
  });

  it("answers a repeat of a diagnosed incident briefly, linking the earlier thread", async () => {
    const store = createMemoryStateHandle(emptyState());
    const { triager, requests } = fakeTriager();
    const bot = await primed(store, triager);
    const first = slack.post(CHANNEL, { text: alertText({ issue: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" }).text, bot_id: "B1" });
    await bot.pollOnce();
    await bot.drain();
    const repeat = slack.post(CHANNEL, { text: alertText({ issue: "The Redis instance is at 74%, above the CRITICAL threshold of 65%" }).text, bot_id: "B1" });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
    const reply = slack.repliesTo(CHANNEL, repeat)[0];
    expect(reply?.text).toMatch(/same incident|earlier/i);
    expect(JSON.stringify(reply?.blocks)).toContain(`p${first.replace(".", "")}`);
  });
});

describe("safety of what is posted", () => {
  it("neutralises mentions and redacts secrets coming from the report", async () => {
    const store = createMemoryStateHandle(emptyState());
    const hostile = report({
      issue: "<!channel> Redis full <@U999> <!subteam^S1|@sre>",
      likelyRootCause: "config has token xoxb-1234567890-abcdefghijkl and @here please",
      findings: [{ text: "log: Authorization: Bearer sk-ant-api03-SECRETSECRETSECRET", tool: "pull_pod_logs" }],
    });
    const bot = await primed(store, fakeTriager(async () => hostile).triager);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    await bot.pollOnce();
    await bot.drain();
    const posted = slack.callsOf("chat.postMessage")[0]!.params;
    const everything = `${posted.text}\n${posted.blocks}`;
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    for (const forbidden of ["<!channel>", "<@U999>", "<!subteam", "xoxb-1234567890", "SECRETSECRET", "@here"]) {
      expect(everything).not.toContain(forbidden);
    }
  });
});

describe("state file", () => {
  it("rebuilds a corrupt state from the recovery window: adopts answered alerts, answers the others, leaves older ones", async () => {
    const path = tempStatePath();
    writeFileSync(path, "{ this is not json");
    const now = Date.now();
    const old = slack.post(CHANNEL, { ts: `${Math.floor((now - 3 * 3_600_000) / 1000)}.000100`, text: alertText().text, bot_id: "BHEALTH" });
    const answered = slack.post(CHANNEL, { ts: `${Math.floor((now - 1_800_000) / 1000)}.000100`, text: alertText().text, bot_id: "BHEALTH" });
    slack.post(CHANNEL, { text: "Redis at 71%", user: slack.botUserId, bot_id: slack.botId, thread_ts: answered });
    const unanswered = slack.post(CHANNEL, { ts: `${Math.floor((now - 600_000) / 1000)}.000100`, text: alertText().text, bot_id: "BHEALTH" });
    const store = await openStore(path);
    expect(store.recoveredFromCorruption).toBe(true);
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, store, triager, { rebuildFromHistory: store.recoveredFromCorruption, recoveryWindowMs: 3_600_000 });
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, unanswered)).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, answered)).toHaveLength(1);
    expect(store.state.alerts[`${CHANNEL}:${answered}`]).toMatchObject({ status: "replied", replyKind: "full" });
    expect(slack.repliesTo(CHANNEL, old)).toHaveLength(0);
  });

  it("tells a lost state file from a first run by this bot's replies in the window", async () => {
    const now = Date.now();
    const answered = slack.post(CHANNEL, { ts: `${Math.floor((now - 1_800_000) / 1000)}.000100`, text: alertText().text, bot_id: "BHEALTH" });
    slack.post(CHANNEL, { text: "Redis at 71%", user: slack.botUserId, bot_id: slack.botId, thread_ts: answered });
    const unanswered = slack.post(CHANNEL, { ts: `${Math.floor((now - 600_000) / 1000)}.000100`, text: alertText().text, bot_id: "BHEALTH" });
    const { triager, requests } = fakeTriager();
    const bot = makeBot(slack, createMemoryStateHandle(emptyState()), triager);
    await bot.pollOnce();
    await bot.drain();
    expect(requests).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, unanswered)).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, answered)).toHaveLength(1);
  });
});

describe("graceful shutdown", () => {
  it("stops polling on the signal and lets the in-flight triage finish and reply", async () => {
    const store = createMemoryStateHandle(emptyState());
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { triager } = fakeTriager(async () => {
      await gate;
      return report();
    });
    const bot = await primed(store, triager);
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const stop = new AbortController();
    const loop = runLoop(bot, { intervalMs: 20, shutdownGraceMs: 5000, stop: stop.signal }, { clock: systemClock, logger: silentLogger });
    while (bot.inFlightCount === 0) await new Promise((r) => setTimeout(r, 5));
    stop.abort();
    const historyCalls = slack.callsOf("conversations.history").length;
    setTimeout(release, 50);
    await expect(loop).resolves.toEqual({ drained: true });
    expect(slack.callsOf("conversations.history").length).toBe(historyCalls);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });
});

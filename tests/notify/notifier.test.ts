import { existsSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createBot } from "../../src/bot/bot.ts";
import { createSlackSink } from "../../src/bot/reply-sink.ts";
import type { StateHandle } from "../../src/bot/state-handle.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { createEmailSender, createFileOutbox, createNotifier, type NotifyPolicy } from "../../src/notify/index.ts";
import { createSlackApi, FAST_SLACK_RETRY_POLICY } from "../../src/slack/slack-api.ts";
import { openStateStore, type StateStore } from "../../src/state/index.ts";
import { createMswServer } from "../helpers/msw.ts";
import { createFakeSlack, type FakeSlack } from "../helpers/slack-msw.ts";
import { alertText, CHANNEL, fakeTriager, report, tempStatePath } from "../bot/bot-fixtures.ts";
import { policy, smtpConfig } from "./notify-fixtures.ts";
import { closedPort, startSmtpServer } from "./smtp-fixture.ts";

let slack: FakeSlack;
const msw = createMswServer();
beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
afterAll(() => msw.close());
beforeEach(() => {
  slack = createFakeSlack();
  msw.use(...slack.handlers);
});
afterEach(() => msw.resetHandlers());

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(path: string): Promise<StateStore> {
  const store = await openStateStore(path, { logger: silentLogger, clock: systemClock });
  cleanups.push(() => store.close().catch(() => {}));
  return store;
}

async function smtpServer(options: Parameters<typeof startSmtpServer>[0] = {}) {
  const server = await startSmtpServer(options);
  cleanups.push(() => server.close());
  return server;
}

interface Setup {
  store: StateHandle;
  statePath: string;
  smtpPort: number;
  smtpAuth?: { username: string; password: string };
  policy?: NotifyPolicy;
  maxAttempts?: number;
  backoffMs?: number[];
  smtpTimeoutMs?: number;
  triageReport?: ReturnType<typeof report>;
  clock?: typeof systemClock;
}

/** The bot with the notifier as its afterReply hook, as `run` composes them. */
function setup(options: Setup) {
  const api = createSlackApi({ token: "xoxb-test", apiUrl: slack.apiUrl, logger: silentLogger, retryPolicy: FAST_SLACK_RETRY_POLICY });
  const email = createEmailSender(smtpConfig(options.smtpPort, { auth: options.smtpAuth, timeoutMs: options.smtpTimeoutMs ?? 5000 }));
  cleanups.push(() => email.close());
  const notifier = createNotifier(
    { policy: options.policy ?? policy(), maxAttempts: options.maxAttempts ?? 3, backoffMs: options.backoffMs ?? [5, 5] },
    { store: options.store, slack: api, email, outbox: createFileOutbox(`${options.statePath}.outbox`, silentLogger), clock: options.clock ?? systemClock, logger: silentLogger },
  );
  const { triager } = fakeTriager(async () => options.triageReport ?? report());
  const bot = createBot(
    { channels: [CHANNEL], maxAttempts: 3, cooldownMs: 3_600_000, concurrency: 2, since: null, rebuildFromHistory: false },
    { slack: api, store: options.store, triager, sink: createSlackSink(api, silentLogger, { clock: systemClock, intervalMs: 0 }), clock: systemClock, logger: silentLogger, afterReply: notifier.afterReply },
  );
  return { bot, notifier };
}

/** Primes the channel watermark, posts one CRITICAL alert, and runs one cycle to completion. */
async function triageOneAlert(parts: ReturnType<typeof setup>) {
  await parts.bot.pollOnce();
  const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
  await parts.bot.pollOnce();
  await parts.bot.drain();
  return ts;
}

const dmsTo = (channel: string) => slack.callsOf("chat.postMessage").filter((c) => c.params.channel === channel);

describe("notifications after a triage reply", () => {
  it("e-mails the report, DMs the on-call and e-mails the escalation, and records each as sent", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port });
    const ts = await triageOneAlert(parts);
    await parts.notifier.drain();

    const triageMail = smtp.received.find((m) => m.to.includes("sre@example.com"));
    expect(triageMail).toMatchObject({ from: "oncall-agent@example.com", to: ["sre@example.com", "lead@example.com"], subject: "[CRITICAL] acme-eu-1 — Redis at 71% on acme-eu-1" });
    const permalink = `https://example.slack.com/archives/${CHANNEL}/p${ts.replace(".", "")}`;
    expect(triageMail?.text).toContain(`Slack thread: ${permalink}`);
    expect(triageMail?.text).toContain("A backlog of running workflows fills Redis");
    expect(triageMail?.text).toContain("JedisConnectionException x 312");
    expect(triageMail?.text).toContain("Check which workflow type is piling up");
    expect(triageMail?.text).toMatch(/Stats: .*tool calls/);

    const escalation = smtp.received.find((m) => m.to.includes("oncall@example.com"));
    expect(escalation?.subject).toBe("[ESCALATION] [CRITICAL] acme-eu-1 — Redis at 71% on acme-eu-1");
    expect(smtp.received).toHaveLength(2);

    expect(slack.callsOf("conversations.open").map((c) => c.params.users)).toEqual(["U0ONCALL1"]);
    expect(dmsTo("D0ONCALL1")).toHaveLength(1);
    expect(dmsTo("D0ONCALL1")[0]?.params.text).toContain(`<${permalink}|alert thread>`);

    const record = store.state.alerts[`${CHANNEL}:${ts}`];
    expect(record?.replyKind).toBe("full");
    for (const channel of ["email", "dm", "escalation-email"] as const) {
      expect(record?.notifications?.[channel]).toMatchObject({ status: "sent", attempts: 1 });
    }
    expect(existsSync(`${statePath}.outbox`) ? readdirSync(`${statePath}.outbox`) : []).toEqual([]);
  });

  it("sends nothing for a MAJOR alert with a confident report below the escalation rules", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port, policy: policy({ emailMinSeverity: "CRITICAL", escalation: { severities: ["CRITICAL"], inconclusive: true } }) });
    await parts.bot.pollOnce();
    slack.post(CHANNEL, { text: alertText().text.replace("[CRITICAL]", "[MAJOR]"), bot_id: "BHEALTH" });
    await parts.bot.pollOnce();
    await parts.bot.drain();
    await parts.notifier.drain();
    expect(smtp.received).toHaveLength(0);
    expect(slack.callsOf("conversations.open")).toHaveLength(0);
  });

  it("SMTP down: the triage still completes, the DM still goes, and the e-mail failure is recorded after bounded retries", async () => {
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: await closedPort() });
    const ts = await triageOneAlert(parts);
    expect(parts.bot.outcomes).toEqual([expect.objectContaining({ kind: "full" })]);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
    await parts.notifier.drain();
    const notifications = store.state.alerts[`${CHANNEL}:${ts}`]?.notifications;
    expect(notifications?.email).toMatchObject({ status: "failed", attempts: 3 });
    expect(notifications?.email?.reason).toMatch(/ECONNREFUSED/);
    expect(notifications?.["escalation-email"]).toMatchObject({ status: "failed", attempts: 3 });
    expect(notifications?.dm).toMatchObject({ status: "sent", attempts: 1 });
    // Out of attempts: nothing is left for a restart to retry.
    expect(readdirSync(`${statePath}.outbox`)).toEqual([]);
  });

  it("SMTP refusing the login: the triage still completes and the failure is recorded", async () => {
    const smtp = await smtpServer({ auth: { user: "bot", pass: "correct-horse-battery" } });
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port, smtpAuth: { username: "bot", password: "wrong-password-123" }, maxAttempts: 2 });
    const ts = await triageOneAlert(parts);
    await parts.notifier.drain();
    const record = store.state.alerts[`${CHANNEL}:${ts}`];
    expect(record?.status).toBe("replied");
    expect(record?.notifications?.email).toMatchObject({ status: "failed", attempts: 2 });
    expect(record?.notifications?.email?.reason).toMatch(/SMTP_USERNAME and SMTP_PASSWORD/);
    expect(JSON.stringify(record)).not.toContain("wrong-password-123");
    expect(smtp.logins).toEqual(["bot", "bot", "bot", "bot"]);
    expect(smtp.received).toHaveLength(0);
  });

  it("a hanging SMTP server does not delay the triage: the alert finishes while the e-mail is still trying", async () => {
    const sockets: import("node:net").Socket[] = [];
    const silent: Server = createServer((socket) => void sockets.push(socket)); // accepts, never greets
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); silent.close(() => resolve()); }));
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: (silent.address() as AddressInfo).port, smtpTimeoutMs: 800, maxAttempts: 1 });
    await parts.bot.pollOnce();
    const ts = slack.post(CHANNEL, { text: alertText().text, bot_id: "BHEALTH" });
    const started = Date.now();
    await parts.bot.pollOnce();
    await parts.bot.drain();
    const triageMs = Date.now() - started;
    expect(parts.notifier.inFlightCount).toBe(1);
    await parts.notifier.drain();
    const notifyMs = Date.now() - started;
    expect(triageMs).toBeLessThan(600);
    expect(notifyMs).toBeGreaterThanOrEqual(800);
    expect(store.state.alerts[`${CHANNEL}:${ts}`]?.notifications?.email).toMatchObject({ status: "failed", attempts: 1 });
  });

  it("does not send a DM again that Slack took but answered 500 for: the retry finds it in the DM channel", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port });
    slack.failNext(
      "chat.postMessage",
      1,
      (body) => {
        slack.post(body.channel ?? "", { text: body.text ?? "", user: slack.botUserId, bot_id: slack.botId, metadata: JSON.parse(body.metadata ?? "null") as unknown });
        return new HttpResponse(null, { status: 500 });
      },
      (body) => (body.channel ?? "").startsWith("D"),
    );
    const ts = await triageOneAlert(parts);
    await parts.notifier.drain();
    expect(dmsTo("D0ONCALL1")).toHaveLength(1); // one post, the one answered 500; the retry only looked
    expect(slack.callsOf("conversations.history").some((c) => c.params.channel === "D0ONCALL1")).toBe(true);
    expect(store.state.alerts[`${CHANNEL}:${ts}`]?.notifications?.dm).toMatchObject({ status: "sent", attempts: 2, delivered: ["U0ONCALL1"] });
  });

  it("does not send a DM blindly when it cannot look for the earlier one: the next attempt looks again", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port });
    const toDm = (body: { channel?: string }) => (body.channel ?? "").startsWith("D");
    slack.failNext(
      "chat.postMessage",
      1,
      (body) => {
        slack.post(body.channel ?? "", { text: body.text ?? "", user: slack.botUserId, bot_id: slack.botId, metadata: JSON.parse(body.metadata ?? "null") as unknown });
        return new HttpResponse(null, { status: 500 });
      },
      toDm,
    );
    slack.failNext("conversations.history", 1, () => HttpResponse.json({ ok: false, error: "internal_error" }), toDm);
    const ts = await triageOneAlert(parts);
    await parts.notifier.drain();
    expect(dmsTo("D0ONCALL1")).toHaveLength(1); // the one answered 500; the failed look-up sent nothing, the next one found it
    expect(store.state.alerts[`${CHANNEL}:${ts}`]?.notifications?.dm).toMatchObject({ status: "sent", attempts: 3, delivered: ["U0ONCALL1"] });
  });

  it("retries only the on-call users a DM did not reach", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const parts = setup({ store, statePath, smtpPort: smtp.port, policy: policy({ escalationUsers: ["U0ONCALL1", "U0ONCALL2"] }) });
    slack.failNext("conversations.open", 1, () => HttpResponse.json({ ok: false, error: "user_not_found" }));
    const ts = await triageOneAlert(parts);
    await parts.notifier.drain();
    expect(dmsTo("D0ONCALL1")).toHaveLength(1);
    expect(dmsTo("D0ONCALL2")).toHaveLength(1);
    expect(store.state.alerts[`${CHANNEL}:${ts}`]?.notifications?.dm).toMatchObject({ status: "sent", attempts: 2, delivered: ["U0ONCALL2", "U0ONCALL1"] });
  });
});

describe("crash and restart", () => {
  it("retries an interrupted notification from the outbox once, and never sends a delivered one again", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();

    // Run 1: the e-mails go; the DM fails once and the process dies while it waits to retry.
    const store1 = await openStore(statePath);
    const run1 = setup({ store: store1, statePath, smtpPort: smtp.port, backoffMs: [60_000] });
    slack.failNext("conversations.open", 1, () => HttpResponse.json({ ok: false, error: "fatal_error" }));
    const ts = await triageOneAlert(run1);
    await until(() => store1.state.alerts[`${CHANNEL}:${ts}`]?.notifications?.dm?.attempts === 1 && smtp.received.length === 2);
    expect(await run1.notifier.drain(0)).toBe(false);
    await store1.close();
    expect(readdirSync(`${statePath}.outbox`)).toHaveLength(1);

    // Run 2: a new process on the same state retries what the outbox holds.
    const store2 = await openStore(statePath);
    const run2 = setup({ store: store2, statePath, smtpPort: smtp.port });
    expect(await run2.notifier.retryPending()).toBe(1);
    await run2.notifier.drain();
    await run2.bot.pollOnce();
    await run2.bot.drain();
    const record = store2.state.alerts[`${CHANNEL}:${ts}`];
    expect(record?.notifications?.dm).toMatchObject({ status: "sent", attempts: 2 });
    expect(record?.notifications?.email).toMatchObject({ status: "sent", attempts: 1 });
    expect(readdirSync(`${statePath}.outbox`)).toEqual([]);
    await store2.close();

    // Run 3: nothing is left; the replied alert is skipped and a repeated hook sends nothing either.
    const store3 = await openStore(statePath);
    const run3 = setup({ store: store3, statePath, smtpPort: smtp.port });
    expect(await run3.notifier.retryPending()).toBe(0);
    await run3.bot.pollOnce();
    await run3.bot.drain();
    expect(run3.bot.outcomes).toEqual([]);

    expect(smtp.received).toHaveLength(2);
    expect(dmsTo("D0ONCALL1")).toHaveLength(1);
    expect(slack.repliesTo(CHANNEL, ts)).toHaveLength(1);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("drain", () => {
  it("returns as soon as deliveries finish and cancels its grace timer, so it cannot hold the process open", async () => {
    const smtp = await smtpServer();
    const statePath = tempStatePath();
    const store = await openStore(statePath);
    const sleeps: { ms: number; signal: AbortSignal | undefined }[] = [];
    const clock = { now: systemClock.now, sleep: (ms: number, signal?: AbortSignal) => (sleeps.push({ ms, signal }), systemClock.sleep(ms, signal)) };
    const parts = setup({ store, statePath, smtpPort: smtp.port, clock });
    await triageOneAlert(parts);
    const started = Date.now();
    expect(await parts.notifier.drain(60_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(smtp.received).toHaveLength(2);
    const grace = sleeps.find((s) => s.ms === 60_000);
    expect(grace?.signal?.aborted).toBe(true);
  });
});

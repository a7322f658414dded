import { LogLevel, WebClient, WebClientEvent, WebAPIPlatformError, type RetryOptions } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startSlackServer, type SlackServer } from "../../src/sandbox/index.ts";

const TOKEN = "xoxb-test-token";
const CHANNEL = "C0ALERTS1";
const NO_WAIT: RetryOptions = { retries: 2, factor: 1, minTimeout: 0, maxTimeout: 1, randomize: false };

describe("fake Slack through @slack/web-api", () => {
  let slack: SlackServer;
  let client: WebClient;
  beforeEach(async () => {
    slack = await startSlackServer({ token: TOKEN, channels: [CHANNEL] });
    client = new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: NO_WAIT, timeout: 5000, logLevel: LogLevel.ERROR });
  });
  afterEach(async () => {
    await slack.close();
  });

  const errorCode = async (run: () => Promise<unknown>) => {
    const error = await run().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(WebAPIPlatformError);
    return (error as WebAPIPlatformError).data.error;
  };

  it("answers auth.test and refuses a wrong token", async () => {
    const me = await client.auth.test();
    expect(me.user_id).toMatch(/^U/);
    expect(me.bot_id).toMatch(/^B/);
    const other = new WebClient("xoxb-wrong", { slackApiUrl: slack.url, retryConfig: NO_WAIT, logLevel: LogLevel.ERROR });
    expect(await errorCode(() => other.auth.test())).toBe("invalid_auth");
  });

  it("pages history newest first after an exclusive oldest, keeping oldest on every page", async () => {
    const ts = Array.from({ length: 7 }, (_, i) => slack.postAlert(CHANNEL, { text: `alert ${i}` }));
    expect([...ts].sort()).toEqual(ts);
    const first = await client.conversations.history({ channel: CHANNEL, oldest: ts[1], limit: 2 });
    expect(first.messages?.map((m) => m.text)).toEqual(["alert 6", "alert 5"]);
    expect(first.has_more).toBe(true);
    const seen: string[] = [];
    for await (const page of client.paginate("conversations.history", { channel: CHANNEL, oldest: ts[1], limit: 2 })) {
      seen.push(...(((page as { messages?: { text: string }[] }).messages) ?? []).map((m) => m.text));
    }
    expect(seen).toEqual(["alert 6", "alert 5", "alert 4", "alert 3", "alert 2"]);
    expect(slack.callsTo("conversations.history").slice(1).every((c) => c.params.oldest === ts[1])).toBe(true);
  });

  it("keeps thread replies out of history and lists them under the parent", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "🚨 alert" });
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent, text: "triage", blocks: [{ type: "section", text: { type: "mrkdwn", text: "*Root cause*" } }] });
    const history = await client.conversations.history({ channel: CHANNEL });
    expect(history.messages?.map((m) => m.ts)).toEqual([parent]);
    expect(history.messages?.[0]?.reply_count).toBe(1);
    const thread = await client.conversations.replies({ channel: CHANNEL, ts: parent });
    expect(thread.messages?.map((m) => m.ts)).toEqual([parent, reply.ts]);
    expect(slack.replies(CHANNEL, parent)[0]?.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: "*Root cause*" } }]);
    expect(await errorCode(() => client.chat.postMessage({ channel: "C0NOPE", text: "x" }))).toBe("channel_not_found");
  });

  it("refuses a section block over 3,000 characters", async () => {
    const blocks = [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(3001) } }];
    expect(await errorCode(() => client.chat.postMessage({ channel: CHANNEL, text: "t", blocks }))).toBe("invalid_blocks");
  });

  it("answers already_reacted and no_reaction like Slack", async () => {
    const ts = slack.postAlert(CHANNEL, { text: "alert" });
    await client.reactions.add({ channel: CHANNEL, timestamp: ts, name: "eyes" });
    expect(await errorCode(() => client.reactions.add({ channel: CHANNEL, timestamp: ts, name: "eyes" }))).toBe("already_reacted");
    expect(slack.reactions(CHANNEL, ts)).toEqual(["eyes"]);
    await client.reactions.remove({ channel: CHANNEL, timestamp: ts, name: "eyes" });
    expect(await errorCode(() => client.reactions.remove({ channel: CHANNEL, timestamp: ts, name: "eyes" }))).toBe("no_reaction");
    expect(slack.reactions(CHANNEL, ts)).toEqual([]);
  });

  it("sends 429 with Retry-After, which the client waits out and retries", async () => {
    slack.faults.add("conversations.history", { kind: "status", status: 429, retryAfterSeconds: 0 }, 2);
    let rateLimited = 0;
    client.on(WebClientEvent.RATE_LIMITED, () => void rateLimited++);
    const result = await client.conversations.history({ channel: CHANNEL });
    expect(result.ok).toBe(true);
    expect(rateLimited).toBe(2);
    expect(slack.callsTo("conversations.history")).toHaveLength(3);
  });

  it("adds latency and fails with 5xx when told to", async () => {
    slack.faults.setLatency("auth.test", 150);
    const started = Date.now();
    await client.auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    slack.faults.add("auth.test", { kind: "status", status: 503 }, 5);
    await expect(client.auth.test()).rejects.toThrow(/503/);
  });

  it("gives permalinks for messages and replies", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent, text: "r" });
    const link = await client.chat.getPermalink({ channel: CHANNEL, message_ts: reply.ts ?? "" });
    expect(link.permalink).toContain(`thread_ts=${parent}`);
  });

  it("carries people's reactions and thread replies in conversations.replies and reactions.get", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    const reply = await client.chat.postMessage({ channel: CHANNEL, thread_ts: parent, text: "the bot's report" });
    slack.react(CHANNEL, reply.ts ?? "", "+1", "U0PERSON1");
    slack.react(CHANNEL, reply.ts ?? "", "+1", "U0PERSON2");
    slack.postReply(CHANNEL, parent, "root cause: the disk", "U0PERSON1");
    const thread = await client.conversations.replies({ channel: CHANNEL, ts: parent });
    expect(thread.messages?.map((m) => m.text)).toEqual(["alert", "the bot's report", "root cause: the disk"]);
    expect(thread.messages?.[1]?.reactions).toEqual([{ name: "+1", users: ["U0PERSON1", "U0PERSON2"], count: 2 }]);
    const got = await client.reactions.get({ channel: CHANNEL, timestamp: reply.ts ?? "" });
    expect(got.message?.reactions?.[0]).toMatchObject({ name: "+1", count: 2 });
    expect(await errorCode(() => client.reactions.get({ channel: CHANNEL, timestamp: "1.000001" }))).toBe("message_not_found");
  });
});

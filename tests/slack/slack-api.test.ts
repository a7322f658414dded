import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/lib/logger.ts";
import { startSlackServer, type SlackServer } from "../../src/sandbox/index.ts";
import { createSlackApi, FAST_SLACK_RETRY_POLICY, type SlackApi } from "../../src/slack/slack-api.ts";

const TOKEN = "xoxb-test-token";
const CHANNEL = "C0ALERTS1";
const METADATA = { event_type: "oncall_agent_reply", event_payload: { alert: `${CHANNEL}:1.000100`, attempt: 2, kind: "full" } };

describe("the Slack API wrapper against the sandbox Slack", () => {
  let slack: SlackServer;
  let api: SlackApi;
  const waits: number[] = [];
  beforeEach(async () => {
    slack = await startSlackServer({ token: TOKEN, channels: [CHANNEL] });
    waits.length = 0;
    api = createSlackApi({
      token: TOKEN,
      apiUrl: slack.url,
      logger: silentLogger,
      retryPolicy: FAST_SLACK_RETRY_POLICY,
      timeoutMs: 500,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
  });
  afterEach(async () => {
    await slack.close();
  });

  it("never repeats a chat.postMessage that failed with a 5xx (Slack may have taken it)", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    slack.faults.add("chat.postMessage", { kind: "status", status: 500 }, 3);
    await expect(api.postMessage({ channel: CHANNEL, threadTs: parent, text: "reply" })).rejects.toMatchObject({ code: "slack_request" });
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
  });

  it("never repeats a chat.postMessage that timed out, even when Slack carried it out", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    slack.faults.add("chat.postMessage", { kind: "late", ms: 1500 });
    await expect(api.postMessage({ channel: CHANNEL, threadTs: parent, text: "reply" })).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1200));
    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(slack.replies(CHANNEL, parent)).toHaveLength(1);
  });

  it("still retries reads on a 5xx", async () => {
    slack.postAlert(CHANNEL, { text: "alert" });
    slack.faults.add("conversations.history", { kind: "status", status: 503 }, 2);
    expect(await api.history(CHANNEL, "0")).toHaveLength(1);
    expect(slack.callsTo("conversations.history")).toHaveLength(3);
  });

  it("waits out an HTTP 200 `ratelimited` answer instead of failing, and posts once", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    slack.faults.add("chat.postMessage", { kind: "slack-error", error: "ratelimited" }, 2);
    const { ts } = await api.postMessage({ channel: CHANNEL, threadTs: parent, text: "reply" });
    expect(slack.replies(CHANNEL, parent).map((m) => m.ts)).toEqual([ts]);
    expect(waits).toEqual([1000, 1000]);
  });

  it("gives up with slack_ratelimited once the rate limit outlasts its bound", async () => {
    slack.faults.add("conversations.history", { kind: "slack-error", error: "ratelimited" }, 100);
    await expect(api.history(CHANNEL, "0")).rejects.toMatchObject({ code: "slack_ratelimited" });
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60_000);
  });

  it("posts message metadata and reads it back from the thread", async () => {
    const parent = slack.postAlert(CHANNEL, { text: "alert" });
    const { ts } = await api.postMessage({ channel: CHANNEL, threadTs: parent, text: "reply", metadata: METADATA });
    const thread = await api.replies(CHANNEL, parent);
    expect(thread.find((m) => m.ts === ts)?.metadata).toEqual(METADATA);
    expect(slack.callsTo("conversations.replies").at(-1)?.params.include_all_metadata).toBe("true");
  });
});

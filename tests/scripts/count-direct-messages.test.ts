import { LogLevel, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countDirectMessages } from "../../scripts/lib/replica-soak.ts";
import { startSlackServer, type SlackServer } from "../../src/sandbox/index.ts";

const TOKEN = "xoxb-test-token";
const ALERT_TS = "1796169236.362000";
const text = `Escalation: CRITICAL alert https://example.slack.com/archives/C0ALERTS1/p${ALERT_TS.replace(".", "")}`;

describe("the replica soak's duplicate-DM count", () => {
  let slack: SlackServer;
  let client: WebClient;
  beforeEach(async () => {
    slack = await startSlackServer({ token: TOKEN, channels: ["C0ALERTS1"] });
    client = new WebClient(TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR });
  });
  afterEach(async () => {
    await slack.close();
  });

  it("counts DMs the on-call received, not posts Slack refused", async () => {
    const { channel } = (await client.conversations.open({ users: "U0ONCALL1" })) as { channel: { id: string } };
    slack.faults.add("chat.postMessage", { kind: "status", status: 500 });
    await expect(client.chat.postMessage({ channel: channel.id, text })).rejects.toThrow(/500/);
    await client.chat.postMessage({ channel: channel.id, text });
    expect(countDirectMessages({ slack }, [ALERT_TS])).toEqual({ total: 1, duplicates: 0, duplicated: [] });
    await client.chat.postMessage({ channel: channel.id, text });
    expect(countDirectMessages({ slack }, [ALERT_TS])).toEqual({ total: 2, duplicates: 1, duplicated: [ALERT_TS] });
  });
});

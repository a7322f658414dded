// @slack/types comes with @slack/web-api; only its types are used, to check our blocks against Block Kit.
import type { KnownBlock } from "@slack/types";
import { describe, expect, it } from "vitest";
import { renderFailureNote, renderKnownIncidentReply, renderReportReply } from "../../src/report/render-slack.ts";
import { FALLBACK_TEXT_LIMIT, SLACK_LIMITS, type SlackBlock, type SlackReply } from "../../src/report/slack-blocks.ts";
import { emptyStats } from "../../src/report/schema.ts";
import { TRIMMED_MARKER } from "../../src/slack/neutralize.ts";
import { findLiveMarkup, makeAlert, makeReport } from "./fixtures.ts";

const SLACK_TOKEN = ["xoxb", "2948812331", "7730112233441", "Zq8VxWm3PqLr9TnYb2Kd0sFh"].join("-");
const THREAD = "https://acme.slack.com/archives/C0123ALERTS/p1763896000123456";

function textsOf(block: SlackBlock): string[] {
  if (block.type === "section") return [block.text.text];
  if (block.type === "context") return block.elements.map((element) => element.text);
  return [];
}
function allText(reply: SlackReply): string {
  return [reply.text, ...reply.blocks.flatMap(textsOf)].join("\n");
}

describe("renderReportReply", () => {
  it("shows issue, severity, findings with their tools, root cause, confidence, the next step and run stats", () => {
    const reply = renderReportReply(makeReport(), makeAlert(), { threadLink: THREAD });
    const [head, divider, findings, cause, next, stats] = reply.blocks;
    expect(reply.blocks).toHaveLength(6);
    expect(divider).toEqual({ type: "divider" });
    expect(textsOf(head!)[0]).toBe(
      ":rotating_light: *Redis at 71% on acme-eu-1: decider queue backlog from a stuck payment workflow*\n" +
        "*Severity:* CRITICAL   *Confidence:* :large_green_circle: high   *Cause in:* :package: application   " +
        "*Cluster:* `acme-eu-1` (Acme, prod)",
    );
    expect(textsOf(findings!)[0]?.split("\n")).toEqual([
      "*Findings*",
      "• `get_cluster_data` — 48,213 RUNNING workflows; 46,900 of them are payment_reconcile v3",
      "• `get_pod_logs` — conductor-server-7d9f8c-x2k4q: 1,204 'Task poll timed out' in the last 15 min",
      "• `get_redis_info` — used_memory 2.84 GB of 4 GB; keyspace dominated by _decider queue (3.1M entries)",
    ]);
    expect(textsOf(cause!)[0]).toMatch(/^\*Likely root cause\*\nThe payment_reconcile workers stopped polling/);
    expect(textsOf(next!)[0]).toMatch(/for a human.*never acts.*\n:point_right: Check the payment-worker deployment/);
    expect(textsOf(stats!)).toEqual([
      ":robot_face: Claude · 7 tool calls · 4 turns · 18.4k in / 1.3k out tokens, 12k cached · $0.042 · 38.2 s",
      `<https://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002|execution> · <${THREAD}|alert thread>`,
    ]);
    expect(reply.text).toMatch(/^\[CRITICAL\] Redis at 71% on acme-eu-1: .* \(confidence high\)\. Next step: Check/);
  });

  it("says why the rules engine stood in and leaves out token figures it does not have", () => {
    const stats = { ...emptyStats("rules"), toolCalls: 3, durationMs: 2_400, fallbackReason: "Anthropic API returned 529 three times" };
    const reply = renderReportReply(makeReport({ stats, confidence: "low" }), makeAlert());
    const contextTexts = textsOf(reply.blocks.at(-1)!);
    expect(contextTexts[0]).toBe(":robot_face: rules engine · 3 tool calls · 2.4 s");
    expect(contextTexts[1]).toBe(":information_source: Rules engine stood in: Anthropic API returned 529 three times");
    expect(textsOf(reply.blocks[0]!)[0]).toContain(":red_circle: low");
  });

  it("renders hostile report and alert text with no live mention, foreign link or secret", () => {
    const report = makeReport({
      issue: "<!channel> Redis down &lt;!here&gt;",
      findings: [
        { tool: "get_pod_logs`<!everyone>", text: `worker log: connecting with ${SLACK_TOKEN} @here` },
        { tool: "get_pod_events", text: "ping <@U024BE7LH> and <!subteam^S0123ABC|@oncall> in <#C024BE7LR>" },
      ],
      likelyRootCause: "Click <https://evil.example/login|the dashboard> now. password=hunter2",
      nextStep: "@channel restart everything",
      stats: { ...emptyStats("rules"), fallbackReason: "model said <!channel> Authorization: Bearer abc" },
    });
    const alert = makeAlert({ cluster: "acme<!here>", organization: "@everyone", executionUrl: "https://x.example/e>|<!channel>" });
    const reply = renderReportReply(report, alert, { threadLink: "javascript:alert(1)" });
    const text = allText(reply);

    expect(findLiveMarkup(text)).toEqual([]);
    expect(text).not.toContain(SLACK_TOKEN);
    expect(text).not.toContain("hunter2");
    expect(text).not.toMatch(/Bearer abc/);
    expect(text).not.toContain("javascript:");
    expect(text).toContain("&lt;!channel&gt; Redis down &lt;!here&gt;");
  });

  it("keeps every block within Slack's limits for huge inputs, and says what it trimmed", () => {
    const huge = (label: string, size: number) => `${label} ${"lorem ipsum <!here> & ".repeat(size / 22)}`;
    const report = makeReport({
      issue: huge("issue", 100_000),
      findings: Array.from({ length: 200 }, (_, index) => ({ tool: `tool_${index}${"x".repeat(500)}`, text: huge("f", 20_000) })),
      likelyRootCause: huge("cause", 1_000_000),
      nextStep: huge("next", 100_000),
      stats: { ...emptyStats("rules"), fallbackReason: huge("reason", 50_000) },
    });
    const alert = makeAlert({ cluster: "c".repeat(10_000), organization: "o".repeat(10_000) });
    const reply = renderReportReply(report, alert, { threadLink: `${THREAD}?${"q".repeat(5000)}` });

    expect(reply.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of reply.blocks) {
      if (block.type === "context") expect(block.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements);
      for (const text of textsOf(block)) {
        expect(text.length).toBeGreaterThan(0);
        expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      }
    }
    expect(reply.text.length).toBeLessThanOrEqual(FALLBACK_TEXT_LIMIT);
    expect(JSON.stringify(reply).length).toBeLessThan(SLACK_LIMITS.messageText);
    const text = allText(reply);
    expect(text).toContain(TRIMMED_MARKER);
    expect(text).toContain("…and 190 more findings (trimmed)");
    expect(findLiveMarkup(text)).toEqual([]);
  });

  it("splits long findings over several section blocks instead of dropping them", () => {
    const findings = Array.from({ length: 5 }, (_, index) => ({ tool: `tool_${index}`, text: `evidence ${index} `.repeat(55) }));
    const reply = renderReportReply(makeReport({ findings }), makeAlert());
    const findingBlocks = reply.blocks.filter((block) => textsOf(block).some((text) => text.includes("• `tool_")));
    expect(findingBlocks.length).toBeGreaterThan(1);
    const joined = findingBlocks.flatMap(textsOf).join("\n");
    for (let index = 0; index < 5; index += 1) expect(joined).toContain(`• \`tool_${index}\``);
    expect(joined).not.toContain(TRIMMED_MARKER);
    for (const text of findingBlocks.flatMap(textsOf)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it("works without an alert (CLI triage of an execution id)", () => {
    const reply = renderReportReply(makeReport(), null);
    const text = allText(reply);
    expect(text).not.toContain("*Cluster:*");
    expect(text).not.toContain("|execution>");
    expect(reply.blocks.at(-1)).toEqual({
      type: "context",
      elements: [expect.objectContaining({ text: expect.stringMatching(/^:robot_face: Claude · 7 tool calls/) })],
    });
  });

  it("produces Block Kit blocks Slack accepts, with auto-linking turned off", () => {
    const reply = renderReportReply(makeReport(), makeAlert());
    // The annotation is the check: tsc fails if a block does not fit Slack's own Block Kit types.
    const blocks: KnownBlock[] = reply.blocks;
    expect(blocks.filter((block) => block.type !== "divider").every((block) => JSON.stringify(block).includes('"verbatim":true'))).toBe(
      true,
    );
  });
});

describe("renderKnownIncidentReply", () => {
  const previous = { summary: "Redis at 71% on acme-eu-1: decider queue backlog", threadLink: THREAD, at: 1_763_896_000_000 };

  it("points at the earlier thread with its age and summary", () => {
    const reply = renderKnownIncidentReply({ alert: makeAlert(), previous, now: previous.at + 12 * 60_000 + 30_000 });
    expect(textsOf(reply.blocks[0]!)[0]).toBe(
      `:repeat: Same incident as <${THREAD}|earlier thread> (12 min ago): Redis at 71% on acme-eu-1: decider queue backlog`,
    );
    expect(textsOf(reply.blocks[1]!)[0]).toBe("Not investigated again: same incident signature `acme-eu-1|REDIS_CRITICAL_USAGE`");
    expect(reply.text).toBe("Same incident as an earlier alert (12 min ago): Redis at 71% on acme-eu-1: decider queue backlog");
  });

  it("falls back to plain words without a trusted link, and neutralises the stored summary", () => {
    const hostile = { summary: "<!channel> token=abc123", threadLink: "https://evil.example/x|<!here>", at: 0 };
    const reply = renderKnownIncidentReply({ alert: makeAlert(), previous: hostile, now: 3 * 3_600_000 });
    const text = allText(reply);
    expect(textsOf(reply.blocks[0]!)[0]).toBe(":repeat: Same incident as an earlier alert (3 h ago): &lt;!channel&gt; token=[redacted]");
    expect(findLiveMarkup(text)).toEqual([]);
    expect(renderKnownIncidentReply({ alert: makeAlert(), previous: { ...hostile, threadLink: null }, now: 0 }).text).toContain(
      "an earlier alert (just now)",
    );
  });
});

describe("renderFailureNote", () => {
  it("says how often it tried, what failed, and that a human must look", () => {
    const reply = renderFailureNote({ alert: makeAlert(), attempts: 3, lastError: "Conductor API 503: upstream connect error" });
    expect(textsOf(reply.blocks[0]!)[0]).toBe(
      ":x: I could not triage this alert after 3 attempts: `Conductor API 503: upstream connect error`. *A human needs to look.*",
    );
    expect(textsOf(reply.blocks[1]!)).toEqual([
      "`acme-eu-1` (Acme, prod)",
      "<https://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002|execution>",
    ]);
    expect(reply.text).toBe(
      "I could not triage this alert after 3 attempts: Conductor API 503: upstream connect error. A human needs to look.",
    );
  });

  it("neutralises and bounds the error", () => {
    const lastError = `fetch failed <!channel> Authorization: Bearer ${SLACK_TOKEN} ${"stack ".repeat(5000)}`;
    const reply = renderFailureNote({ alert: makeAlert(), attempts: 1, lastError });
    const text = allText(reply);
    expect(text).toContain("after 1 attempt:");
    expect(text).not.toContain(SLACK_TOKEN);
    expect(findLiveMarkup(text)).toEqual([]);
    expect(reply.text.length).toBeLessThanOrEqual(FALLBACK_TEXT_LIMIT);
    expect(textsOf(reply.blocks[0]!)[0]!.length).toBeLessThan(800);
  });
});

import { describe, expect, it } from "vitest";
import { formatAge, formatCost, formatCount } from "../../src/report/format-stats.ts";
import { capBlocks, isSafeLinkUrl, section, slackLink, splitForSlack } from "../../src/report/slack-blocks.ts";
import { TRIMMED_MARKER } from "../../src/slack/neutralize.ts";

describe("splitForSlack", () => {
  it("packs whole lines into as few chunks as fit the limit", () => {
    const lines = ["a".repeat(40), "b".repeat(40), "c".repeat(40), "d".repeat(10)];
    expect(splitForSlack(lines, 100)).toEqual([`${"a".repeat(40)}\n${"b".repeat(40)}`, `${"c".repeat(40)}\n${"d".repeat(10)}`]);
  });

  it("trims a single line longer than the limit", () => {
    const [chunk] = splitForSlack(["x".repeat(500)], 100);
    expect(chunk).toHaveLength(100);
    expect(chunk?.endsWith(TRIMMED_MARKER)).toBe(true);
  });
});

describe("capBlocks", () => {
  it("keeps at most the limit and says how many were left out", () => {
    const blocks = Array.from({ length: 60 }, (_, index) => section(`block ${index}`));
    const capped = capBlocks(blocks, 50);
    expect(capped).toHaveLength(50);
    expect(capped[48]).toEqual(section("block 48"));
    expect(capped[49]).toEqual({ type: "context", elements: [expect.objectContaining({ text: `${TRIMMED_MARKER} 11 more blocks left out` })] });
    expect(capBlocks(blocks.slice(0, 5))).toHaveLength(5);
  });
});

describe("slackLink", () => {
  it.each([
    ["https://acme.slack.com/archives/C1/p1763896000123456", true],
    ["http://127.0.0.1:8080/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002", true],
    ["javascript:alert(1)", false],
    ["ftp://files.example/x", false],
    ["https://evil.example/x|<!channel>", false],
    ["https://evil.example/x>", false],
    ["https://evil.example/a b", false],
    ["https://evil.example/\u0000x", false],
    ["https://user:hunter2@evil.example/", false],
    ["https://hooks.slack.com/services/T024BE7LD/B01ABCDEF12/N8fYxK2pQ7rT4vW9zA1bC3dE", false],
    ["https://", false],
  ])("accepts %j: %s", (url, safe) => {
    expect(isSafeLinkUrl(url)).toBe(safe);
    expect(slackLink(url, "label") === null).toBe(!safe);
  });

  it("escapes & in the URL and strips markup characters from the label", () => {
    expect(slackLink("https://acme.slack.com/archives/C1/p1?thread_ts=1.2&cid=C1", "alert <thread>|x")).toBe(
      "<https://acme.slack.com/archives/C1/p1?thread_ts=1.2&amp;cid=C1|alert threadx>",
    );
    expect(slackLink(null, "x")).toBeNull();
  });
});

describe("stat formatting", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [1000, "1k"],
    [12_345, "12.3k"],
    [1_250_000, "1.3M"],
  ])("formatCount(%d) is %s", (count, expected) => {
    expect(formatCount(count)).toBe(expected);
  });

  it.each([
    [-5_000, "just now"],
    [59_999, "just now"],
    [12 * 60_000 + 59_000, "12 min ago"],
    [2 * 3_600_000, "2 h ago"],
    [2 * 3_600_000 + 5 * 60_000, "2 h 5 min ago"],
    [3 * 86_400_000 + 1, "3 d ago"],
  ])("formatAge(%d) is %s", (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });

  it("formats cost with sub-cent precision below a dollar", () => {
    expect(formatCost(0.0423)).toBe("$0.042");
    expect(formatCost(1.254)).toBe("$1.25");
  });
});

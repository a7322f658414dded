import { describe, expect, it } from "vitest";
import {
  codeBlock,
  codeSpan,
  decodeSlackEntities,
  neutralizeForSlack,
  stripControlCharacters,
  trimForSlack,
  TRIMMED_MARKER,
} from "../../src/slack/neutralize.ts";
import { findLiveMarkup } from "../report/fixtures.ts";

const ZWSP = "\u200B";

describe("neutralizeForSlack", () => {
  it.each([
    ["<!channel> Redis is down", "&lt;!channel&gt; Redis is down"],
    ["<!here|here> look", "&lt;!here|here&gt; look"],
    ["<!everyone>", "&lt;!everyone&gt;"],
    ["ping <!subteam^S0123ABC|@oncall-team>", `ping &lt;!subteam^S0123ABC|@${ZWSP}oncall-team&gt;`],
    ["thanks <@U024BE7LH>", `thanks &lt;@${ZWSP}U024BE7LH&gt;`],
    ["see <#C024BE7LR|alerts>", "see &lt;#C024BE7LR|alerts&gt;"],
    ["<https://evil.example|click me>", "&lt;https://evil.example|click me&gt;"],
    ["@channel wake up", `@${ZWSP}channel wake up`],
    ["hey @here and @everyone", `hey @${ZWSP}here and @${ZWSP}everyone`],
    ["(@oncall-team) please", `(@${ZWSP}oncall-team) please`],
  ])("makes %j inert", (input, expected) => {
    const output = neutralizeForSlack(input);
    expect(output).toBe(expected);
    expect(findLiveMarkup(output)).toEqual([]);
  });

  it("decodes Slack's escaping first, so escaped alert text is escaped exactly once", () => {
    expect(neutralizeForSlack("used &gt; 65% &amp; rising &lt;!here&gt;")).toBe("used &gt; 65% &amp; rising &lt;!here&gt;");
    expect(neutralizeForSlack("raw > 65% & rising")).toBe("raw &gt; 65% &amp; rising");
    // A literal "&lt;" in the original arrives as "&amp;lt;" and must stay a literal "&lt;".
    expect(decodeSlackEntities("&amp;lt;")).toBe("&lt;");
    expect(neutralizeForSlack("&amp;lt;")).toBe("&amp;lt;");
  });

  it("redacts secrets, also ones hidden behind escaping", () => {
    const token = ["xoxb", "2948812331", "Zq8VxWm3PqLr9TnY"].join("-");
    const output = neutralizeForSlack(`log: token=${token}&amp;x=1 Authorization: Bearer abc`);
    expect(output).not.toContain(token);
    expect(output).toBe("log: token=xoxb-[redacted]&amp;x=1 Authorization: Bearer [redacted]");
  });

  it("leaves ordinary text, e-mail addresses and Slack formatting alone", () => {
    const text = "*CRITICAL:* The Redis instance is at 71% - conductor-server-7d9f8c-x2k4q (mail ops@acme.example)";
    expect(neutralizeForSlack(text)).toBe(text);
  });

  it("strips control characters, ANSI colours and bidi overrides but keeps tabs and newlines", () => {
    const input = "\u001b[31mERROR\u001b[0m\tline1\r\nline2\u0000\u0007 \u202Egnp.exe";
    expect(neutralizeForSlack(input)).toBe("ERROR\tline1\nline2 gnp.exe");
    expect(stripControlCharacters("a\rb")).toBe("a\nb");
  });
});

describe("codeSpan and codeBlock", () => {
  it("keeps backticks from closing inline code and neutralises its content", () => {
    const span = codeSpan("a`b <!channel>\nnext");
    expect(span).toBe("`a\u02CBb &lt;!channel&gt; next`");
    expect(span.slice(1, -1)).not.toContain("`");
  });

  it("trims a long span after redacting, so a secret is never cut in half", () => {
    // Cut at 67, the raw text would end in the middle of the key id and show most of it.
    const span = codeSpan(`${"x".repeat(45)} AKIAIOSFODNN7EXAMPLE and then more log text`, 67);
    expect(span.length).toBeLessThanOrEqual(69);
    expect(span).not.toContain("IOSF");
    expect(span).toContain(TRIMMED_MARKER);
  });

  it("stays fast on long runs of spaces and newlines", () => {
    const text = `${" ".repeat(50_000)}x${"\n".repeat(50_000)}`;
    const started = performance.now();
    expect(codeSpan(text)).toBe("`x`");
    expect(codeBlock(text)).toBe(`\`\`\`\n${" ".repeat(50_000)}x\n\`\`\``);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("shows an empty value as (empty)", () => {
    expect(codeSpan("  ")).toBe("`(empty)`");
    expect(codeBlock("")).toBe("```\n(empty)\n```");
  });

  it("cannot be closed early by a run of backticks", () => {
    const block = codeBlock("before\n```\n<!here> after");
    expect(block.match(/```/g)).toHaveLength(2);
    expect(block).toBe("```\nbefore\n\u02CB\u02CB\u02CB\n&lt;!here&gt; after\n```");
  });
});

describe("trimForSlack", () => {
  it("returns short text unchanged and cuts long text with a marker", () => {
    expect(trimForSlack("short", 10)).toBe("short");
    const cut = trimForSlack("a".repeat(5000), 3000);
    expect(cut).toHaveLength(3000);
    expect(cut.endsWith(TRIMMED_MARKER)).toBe(true);
  });

  it("never leaves half an entity or half a surrogate pair", () => {
    const entities = trimForSlack(`${"a".repeat(7)}&amp;${"b".repeat(20)}`, 10 + TRIMMED_MARKER.length);
    expect(entities).toBe(`${"a".repeat(7)}${TRIMMED_MARKER}`);
    const emoji = trimForSlack(`${"a".repeat(9)}😀${"b".repeat(20)}`, 10 + TRIMMED_MARKER.length);
    expect(emoji).toBe(`${"a".repeat(9)}${TRIMMED_MARKER}`);
  });
});

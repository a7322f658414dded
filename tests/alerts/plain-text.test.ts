import { describe, expect, it } from "vitest";
import { toPlainLine, unquoteLine } from "../../src/alerts/plain-text.ts";

describe("toPlainLine", () => {
  it.each([
    ["🚨 *`[CRITICAL]`* The _Acme's_ *`acme-eu-1`* cluster", "[CRITICAL] The Acme's acme-eu-1 cluster"],
    [":rotating_light::warning: text", "text"],
    ["⚠️ MAJOR", "MAJOR"],
    ["Failure Status: `TIMED_OUT`", "Failure Status: TIMED_OUT"],
    ["last at 10:42:05 UTC", "last at 10:42:05 UTC"],
    ["&gt; &gt; nested quote", "nested quote"],
    ["Smith &amp; Wesson &lt;3", "Smith & Wesson <3"],
    ["see <https://x.example/a|the docs> or <https://x.example/b>", "see the docs or https://x.example/b"],
    ["ping <@U123|alice> in <#C42|alerts> <!here>", "ping @alice in #alerts @here"],
    ["snake_case_name stays", "snake_case_name stays"],
  ])("%s → %s", (input, expected) => {
    expect(toPlainLine(input)).toBe(expected);
  });

  it("unquoteLine leaves a line without a quote alone", () => {
    expect(unquoteLine("a > b")).toBe("a > b");
  });
});

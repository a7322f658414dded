import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";

const ID = "8b1c2d3e-0f4a-11f1-9c2e-000000000001";
const HEADER = "🚨 *`[CRITICAL]`* The health-checking has FAILED for the _Acme's_ prod *`acme-eu-1`* cluster with the following issue:";
const ISSUE = "*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%";

function nested(depth: number, leaf: unknown): unknown {
  let node = leaf;
  for (let i = 0; i < depth; i += 1) node = { type: "rich_text_section", elements: [node] };
  return node;
}

describe("parseAlert over untrusted structure", () => {
  it("reads an execution URL with zero-width and bidi characters inside it", () => {
    const url = `https://control.orkes.example/exe\u200bcution/${ID.slice(0, 8)}\u2060${ID.slice(8)}\u200e`;
    const result = parseAlert([HEADER, ISSUE, `<${url}|${url}>`].join("\n"));
    expect(result.isAlert, result.isAlert ? "" : result.reason).toBe(true);
    if (result.isAlert) {
      expect(result.alert.executionId).toBe(ID);
      expect(result.alert.executionUrl).toBe(`https://control.orkes.example/execution/${ID}`);
    }
  });

  it("says why a message that links an /execution/ URL is not an alert (a near miss the poller logs)", () => {
    const result = parseAlert([HEADER, ISSUE, "https://control.orkes.example/execution/not-a-uuid"].join("\n"));
    expect(result).toEqual({ isAlert: false, reason: expect.stringMatching(/not a UUID/), nearMiss: true });
    expect(parseAlert("good morning")).toEqual({ isAlert: false, reason: expect.any(String) });
  });

  it("does not exhaust the stack on blocks nested thousands deep, and still reads the message's text", () => {
    const blocks = [{ type: "rich_text", elements: [nested(6000, { type: "text", text: "deep" })] }];
    const text = [HEADER, ISSUE, `https://control.orkes.example/execution/${ID}`].join("\n");
    const result = parseAlert({ text, blocks });
    expect(result.isAlert).toBe(true);
    expect(() => parseAlert({ blocks: [nested(100_000, { type: "section", text: { text: "x" } })] })).not.toThrow();
  });

  it("still reads rich text nested as deep as real messages are", () => {
    const link = { type: "link", url: `https://control.orkes.example/execution/${ID}` };
    const blocks = [{ type: "rich_text", elements: [nested(6, { type: "text", text: `${HEADER}\n${ISSUE}\n` }), nested(6, link)] }];
    const result = parseAlert({ blocks });
    expect(result.isAlert, result.isAlert ? "" : result.reason).toBe(true);
  });
});

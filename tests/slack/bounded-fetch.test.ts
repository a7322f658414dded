import { describe, expect, it } from "vitest";
import { createBoundedFetch, cutDeeperThan } from "../../src/slack/bounded-fetch.ts";

function nested(depth: number): unknown {
  let node: unknown = { text: "leaf" };
  for (let i = 0; i < depth; i += 1) node = { elements: [node] };
  return node;
}

describe("cutDeeperThan", () => {
  it("leaves shallow data alone", () => {
    const value = { ok: true, messages: [{ ts: "1.0", blocks: [{ type: "section", text: { text: "x" } }] }] };
    const copy = structuredClone(value);
    expect(cutDeeperThan(value, 64)).toBe(0);
    expect(value).toEqual(copy);
  });

  it("cuts what is deeper than the bound, without recursion", () => {
    const value = { messages: [nested(50_000)] };
    expect(cutDeeperThan(value, 10)).toBe(1);
    expect(JSON.stringify(value).length).toBeLessThan(200);
  });
});

describe("createBoundedFetch", () => {
  it("hands the client a response it can walk, and says it cut one", async () => {
    const deep = `${'{"elements":['.repeat(20_000)}1${"]}".repeat(20_000)}`;
    const body = `{"ok":true,"messages":[{"ts":"1.000100","text":"alert","blocks":[${deep}]}]}`;
    const cuts: number[] = [];
    const bounded = createBoundedFetch(({ cut }) => cuts.push(cut), async () => new Response(body, { headers: { "content-type": "application/json" } }));
    const parsed = (await (await bounded("https://slack.test/api/conversations.history")).json()) as { messages: { text: string }[] };
    expect(parsed.messages[0]?.text).toBe("alert");
    expect(cuts).toEqual([1]);
  });
});

import { describe, expect, it } from "vitest";
import { stringifyDeep } from "../../src/sandbox/stringify-deep.ts";

describe("stringifyDeep", () => {
  it("writes what JSON.stringify writes for plain data", () => {
    const value = { a: [1, "two", null, true, { b: undefined, c: "\"q\"\n" }], d: {}, e: [], f: -0.5, g: [undefined] };
    expect(stringifyDeep(value)).toBe(JSON.stringify(value));
  });

  it("writes data nested deeper than the stack", () => {
    let deep: unknown = { text: "x" };
    for (let i = 0; i < 20_000; i += 1) deep = { elements: [deep] };
    const text = stringifyDeep(deep);
    expect(text.startsWith('{"elements":[{"elements":[')).toBe(true);
    expect(text.length).toBe(20_000 * '{"elements":[]}'.length + '{"text":"x"}'.length);
  });
});

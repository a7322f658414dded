import { describe, expect, it } from "vitest";
import { cutText, isEmptyOutput, parseOutput, renderOutput } from "../../src/tools/format-output.ts";
import { PODS_JSON, PODS_KUBECTL_TEXT, javaLogLines } from "./fixtures.ts";

describe("parseOutput", () => {
  it("parses JSON found in strings, also nested, and leaves log text alone", () => {
    const wrapped = { result: JSON.stringify({ pods: PODS_JSON }), note: "[main] INFO started" };
    expect(parseOutput(JSON.stringify(wrapped))).toStrictEqual({ result: { pods: PODS_JSON }, note: "[main] INFO started" });
    expect(parseOutput(PODS_KUBECTL_TEXT)).toBe(PODS_KUBECTL_TEXT);
    expect(parseOutput("{not json}")).toBe("{not json}");
    expect(parseOutput(42)).toBe(42);
  });
});

describe("isEmptyOutput", () => {
  it.each([null, undefined, "", " \n\t", [], {}, { items: [] }, [[], {}], { stdout: "", stderr: null }])("%j is empty", (value) => {
    expect(isEmptyOutput(value)).toBe(true);
  });
  it.each([0, false, "x", [0], { restarts: 0 }, { items: [{}], count: 1 }])("%j is not empty", (value) => {
    expect(isEmptyOutput(value)).toBe(false);
  });
});

describe("renderOutput", () => {
  it("renders flat records as an aligned table", () => {
    const text = renderOutput(PODS_JSON);
    const lines = text.split("\n");
    expect(lines).toHaveLength(PODS_JSON.length + 1);
    const statusColumn = lines[0]?.indexOf("phase");
    for (const line of lines.slice(1)) expect(line.indexOf("Running")).toBe(statusColumn);
    expect(lines[2]).toMatch(/^conductor-server-7d9f8b6c5-q8m2z\s+Running\s+1\/1\s+0\s+-\s+ip-10-0-1-52\.ec2\.internal\s+3d4h$/);
    expect(text.length).toBeLessThan(JSON.stringify(PODS_JSON, null, 2).length);
  });

  it("renders objects as indented key: value lines with small lists and records inline", () => {
    const text = renderOutput({
      ingress: { name: "conductor", hosts: ["acme-eu-1.orkesconductor.io", "api.acme-eu-1.orkesconductor.io"], loadBalancer: { ip: "" } },
      tls: [],
    });
    expect(text).toBe(
      [
        "ingress:",
        "  name: conductor",
        "  hosts: acme-eu-1.orkesconductor.io, api.acme-eu-1.orkesconductor.io",
        '  loadBalancer: {ip: ""}',
        "tls: []",
      ].join("\n"),
    );
  });

  it("keeps multi-line text as lines, indented under its key", () => {
    expect(renderOutput({ pod: "redis-master-0", logs: "line one\n\tat x.y(Z.java:1)\n" })).toBe("pod: redis-master-0\nlogs:\n  line one\n  \tat x.y(Z.java:1)");
  });

  it("renders lists of nested objects as dash items", () => {
    const text = renderOutput([{ name: "a", spec: { replicas: 2, containers: [{ image: "x:1" }, { image: "y:2" }] } }, { name: "b", spec: null }]);
    expect(text).toBe(["- name: a", "  spec:", "    replicas: 2", "    containers:", "      image", "      x:1", "      y:2", "- name: b", "  spec: -"].join("\n"));
  });
});

describe("cutText", () => {
  const text = javaLogLines(300);

  it("leaves text within the budget alone", () => {
    expect(cutText("short", 10)).toStrictEqual({ text: "short" });
  });

  it("keeps the head on a line boundary and ends with the marker", () => {
    const cut = cutText(text, 3000);
    expect(cut.text.length).toBeLessThanOrEqual(3000);
    expect(text.startsWith(cut.text.slice(0, cut.truncated?.keptChars))).toBe(true);
    expect(text[cut.truncated?.keptChars ?? 0]).toBe("\n");
    expect(cut.text).toMatch(new RegExp(`\\n… \\[cut: showing the first ${cut.truncated?.keptChars.toLocaleString("en-US")} of ${text.length.toLocaleString("en-US")} characters\\]$`));
  });

  it("keeps the tail on a line boundary and starts with the marker", () => {
    const cut = cutText(text, 3000, "tail");
    expect(cut.text.length).toBeLessThanOrEqual(3000);
    const kept = cut.text.slice(cut.text.indexOf("\n") + 1);
    expect(kept.length).toBe(cut.truncated?.keptChars);
    expect(text.endsWith(kept)).toBe(true);
    expect(text[text.length - kept.length - 1]).toBe("\n");
    expect(cut.text).toMatch(/^\[cut: showing the last [\d,]+ of [\d,]+ characters — the newest lines; older lines dropped\] …\n/);
  });

  it("cuts mid-line when a single line is longer than the budget", () => {
    const cut = cutText("x".repeat(10_000), 500);
    expect(cut.text.length).toBeLessThanOrEqual(500);
    expect(cut.truncated?.totalChars).toBe(10_000);
    expect(cut.truncated?.keptChars).toBeGreaterThan(400);
  });
});

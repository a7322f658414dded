import { describe, expect, it } from "vitest";
import { extractCertificates } from "../../src/rules/read/read-certificates.ts";
import { extractDeployments } from "../../src/rules/read/read-deployments.ts";
import { extractEvents } from "../../src/rules/read/read-events.ts";
import { extractHelmHistory } from "../../src/rules/read/read-helm.ts";
import { extractIncident } from "../../src/rules/read/read-incident.ts";
import { extractIngresses } from "../../src/rules/read/read-ingresses.ts";
import { logTextFromData, summarizeLogs } from "../../src/rules/read/read-logs.ts";
import { findMetric, findPercent, readMetrics } from "../../src/rules/read/read-metrics.ts";
import { extractNodes } from "../../src/rules/read/read-nodes.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import { readRedisInfo } from "../../src/rules/read/read-redis.ts";
import { readThreadDump } from "../../src/rules/read/read-thread-dump.ts";
import { extractRows } from "../../src/rules/read/read-rows.ts";
import { extractUsage } from "../../src/rules/read/read-usage.ts";
import { scanWorkload } from "../../src/rules/read/scan-workload.ts";

/** Every reader, as one (data, text) → anything call. */
const READERS: [string, (data: unknown, text: string) => unknown][] = [
  ["certificates", extractCertificates],
  ["deployments", extractDeployments],
  ["events", extractEvents],
  ["helm", extractHelmHistory],
  ["incident", extractIncident],
  ["ingresses", extractIngresses],
  ["logs", (data, text) => summarizeLogs(logTextFromData(data) ?? text)],
  ["metrics", readMetrics],
  ["findMetric", (data, text) => findMetric(data, text, /decider/)],
  ["findPercent", (data, text) => findPercent(data, text, /redis/)],
  ["nodes", extractNodes],
  ["pods", extractPods],
  ["redis", (_data, text) => readRedisInfo(text)],
  ["rows", extractRows],
  ["thread dump", (_data, text) => readThreadDump(text)],
  ["usage", extractUsage],
  ["workload", (_data, text) => scanWorkload(text)],
];

/** A small deterministic generator of odd JSON: deep, mixed, with the keys readers look for. */
function oddValues(seed: number, count: number): unknown[] {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const keys = ["name", "status", "ready", "replicas", "items", "rows", "columns", "metric", "value", "level", "message", "reason", "spec", "metadata", "result", "resultType", "0/3", "limit", "threshold", "containerStatuses", "lastState"];
  const leaf = () => [null, true, 0, -1, 1e308, Number.NaN, "", "0/3", "71%", "{", "E1201 10:00:00.1 1 a.go:1] x", "a".repeat(50), "Caused by: x.Y: z"][Math.floor(next() * 13)];
  const build = (depth: number): unknown => {
    const pick = next();
    if (depth > 6 || pick < 0.3) return leaf();
    if (pick < 0.6) return Array.from({ length: Math.floor(next() * 4) }, () => build(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [keys[Math.floor(next() * keys.length)] ?? "k", build(depth + 1)]));
  };
  return Array.from({ length: count }, () => build(0));
}

const ODD_TEXT = [undefined, null, 42, "", "\u0000\u0001", "NAME\n", "NAME  READY\n", "| a |\n|---|\n", "{\"level\":", "# TYPE x gauge\nx{a=\"b} 1\n", "Name: x\nContainers:\n  c:\n    State: \n", "1) \"maxmemory\"\n"];

describe("every reader is defensive", () => {
  it.each(READERS)("%s never throws on odd JSON or odd text", (_name, read) => {
    for (const data of oddValues(7, 80)) for (const text of ODD_TEXT) expect(() => read(data, text as string)).not.toThrow();
  });

  it.each(READERS)("%s handles deep nesting without overflowing", (_name, read) => {
    let deep: unknown = { name: "x", value: 1 };
    for (let i = 0; i < 2000; i += 1) deep = { items: [deep] };
    expect(() => read(deep, "")).not.toThrow();
  });
});

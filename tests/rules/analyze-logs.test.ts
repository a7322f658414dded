import { describe, expect, it } from "vitest";
import { analyzeLogExceptions } from "../../src/rules/judge/analyzers/analyze-log-exceptions.ts";
import { evidenceOf, issue } from "./build-evidence.ts";
import * as f from "./fixtures.ts";
import { explains } from "../../src/playbook/causal-graph.ts";

const logs = (data: unknown) => ({ tool: "pull_pod_logs", input: { pod: "conductor-server-0", lines: 500 }, data });
const top = (candidates: { key: string; weight: number }[]) => [...candidates].sort((a, b) => b.weight - a.weight)[0];

describe("analyzeLogExceptions", () => {
  it("between pods, the warning repeated most speaks for the logs, whichever pod was read first", () => {
    const once = { tool: "pull_pod_logs", input: { pod: "report-archiver-29410560-x7k2p" }, data: "2026-11-30 10:00:01 WARN  1,204 manifests have no archive flag" };
    const many = { tool: "pull_pod_logs", input: { pod: "conductor-server-6d9f7b8c5-2kx4p" }, data: Array.from({ length: 40 }, (_, i) => `2026-11-30 10:00:${String(i).padStart(2, "0")} WARN  Rejected poll from 10.42.5.88: token expired -> 401`).join("\n") };
    const issues = [issue("CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD", "Warn Logs Count is at 18,406 in the last 15 minutes")];
    for (const order of [[once, many], [many, once]]) {
      const { candidates } = analyzeLogExceptions.analyze(evidenceOf(order, issues));
      expect(top(candidates.filter((c) => c.key === "log-warn"))).toMatchObject({ cause: expect.stringContaining("token expired") });
    }
  });

  it("text: a Conductor wrapper around Jedis is a Redis connection problem", () => {
    const { findings, candidates } = analyzeLogExceptions.analyze(evidenceOf([logs(f.LOGS_JEDIS)]));
    expect(top(candidates)).toMatchObject({ key: "redis-connection", appOrInfra: "infra", cause: expect.stringContaining("JedisConnectionException") });
    expect(findings[0]?.note).toMatch(/dominant exception redis\.clients\.jedis\.exceptions\.JedisConnectionException ×25/);
  });

  it("JSON: log lines as an array inside an object", () => {
    const data = { pod: "conductor-server-0", logs: f.LOGS_JEDIS.split("\n") };
    const { candidates } = analyzeLogExceptions.analyze(evidenceOf([logs(data)]));
    expect(top(candidates)?.key).toBe("redis-connection");
  });

  it("red herring: 300 deprecated-API errors do not outrank 30 Jedis failures", () => {
    const { findings, candidates } = analyzeLogExceptions.analyze(evidenceOf([logs(f.LOGS_DEPRECATION_HERRING)]));
    expect(top(candidates)?.key).toBe("redis-connection");
    expect(candidates.map((c) => c.cause).join(" ")).not.toMatch(/Deprecated/);
    expect(findings.map((x) => x.text).join("\n")).not.toContain("treated as noise");
  });

  it("OutOfMemoryError in the logs points at the heap", () => {
    const { candidates } = analyzeLogExceptions.analyze(evidenceOf([logs(f.LOGS_HEAP_OOM)]));
    expect(top(candidates)).toMatchObject({ key: "heap", cause: expect.stringContaining("java.lang.OutOfMemoryError ×6") });
  });

  it("WARN noise alone is a weak lead, unless warnings are the alert", () => {
    const quiet = analyzeLogExceptions.analyze(evidenceOf([logs(f.LOGS_SLOW_QUERY_WARNINGS)]));
    expect(top(quiet.candidates)).toMatchObject({ key: "log-warn" });
    expect(top(quiet.candidates)?.weight).toBeLessThan(0.4);
    const alerted = analyzeLogExceptions.analyze(
      evidenceOf([logs(f.LOGS_SLOW_QUERY_WARNINGS)], [issue("CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD", "Warn Logs Count is 400")]),
    );
    expect(top(alerted.candidates)?.weight).toBeGreaterThanOrEqual(0.5);
    expect(alerted.findings[0]?.text).toMatch(/: "Slow query took/);
    expect(alerted.findings[0]?.note).toBe("most frequent WARN, ×400 of 400");
  });

  it("empty logs: says so", () => {
    const { findings, candidates } = analyzeLogExceptions.analyze(evidenceOf([logs("")]));
    expect(candidates).toEqual([]);
    expect(findings[0]?.text).toBe("conductor-server-0: no log lines returned");
  });
});

describe("the object an exception is about", () => {
  it("quotes the whole message when the line names what failed before the exception class", () => {
    const logs = Array.from({ length: 3 }, () => "2026-03-02 11:00:02.000 ERROR 1 --- [sweeper] c.n.c.t.HttpTask : Failed to call task fetch_rates for workflow 9f1e: java.net.SocketTimeoutException: Read timed out").join("\n");
    const { candidates } = analyzeLogExceptions.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-7c9d8e6f5-a1b2c" }, data: logs }]));
    expect(candidates[0]).toMatchObject({ key: "network" });
    expect(candidates[0]?.cause).toContain('"Failed to call task fetch_rates for workflow 9f1e: java.net.SocketTimeoutException: Read timed out"');
  });

  it("a dependency timing out explains a backlog of RUNNING workflows in the graph", () => {
    expect(explains("network", "backlog")).toBe(true);
  });
});

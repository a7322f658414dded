import { describe, expect, it } from "vitest";
import { parseKnownIssues } from "../../src/known-issues/index.ts";
import { rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import { analyzeKnownIssues, createKnownIssuesAnalyzer } from "../../src/rules/judge/analyzers/analyze-known-issues.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const LOGS = "2025-11-23T10:00:00Z ERROR c.n.c.RedisDAO : redis.clients.jedis.exceptions.JedisConnectionException: Could not get a resource from the pool";
const alert = [issue("CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", "Error Logs Count is 330", "MAJOR")];

describe("known issues in the causal ranking", () => {
  it("an example entry of the shipped table is context: a finding, never a cause", () => {
    const { findings, candidates } = analyzeKnownIssues.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-0" }, data: LOGS }], alert));
    expect(findings[0]?.note).toMatch(/^known issue: /);
    expect(candidates).toEqual([]);
  });

  it("a vetted entry is direct evidence: it becomes the root cause with its advice", () => {
    const table = parseKnownIssues({
      version: 1,
      updated: "2026-12-01",
      issues: [{ id: "jedis-pool-leak", example: false, title: "Jedis pool leak", match: { log: "Could not get a resource from the pool" }, advice: "Upgrade the server", link: "https://example.com/kb/1" }],
    });
    const { candidates } = createKnownIssuesAnalyzer(table).analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-0" }, data: LOGS }], alert));
    expect(candidates).toEqual([expect.objectContaining({ key: "known-issue:jedis-pool-leak", nextStep: "Upgrade the server (https://example.com/kb/1)" })]);
    expect(rankAlongGraph(candidates, alert).root?.candidate.key).toBe("known-issue:jedis-pool-leak");
  });
});

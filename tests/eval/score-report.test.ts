import { describe, expect, it } from "vitest";
import { renderMarkdown, scoreReport, summarize } from "../../src/eval/score-report.ts";
import { emptyStats, type Report } from "../../src/report/schema.ts";

const truth = { rootCause: "OOMKilled at the 2Gi limit", requiredKeywords: ["OOMKilled", "memory limit"], forbiddenClaims: ["caused by slow polls"] };

function report(overrides: Partial<Report> = {}): Report {
  return {
    issue: "dispatch-workers restarting",
    severity: "MINOR",
    findings: [
      { text: "last state OOMKilled, exit 137", tool: "get_pods_data" },
      { text: "Memory cgroup out of memory", tool: "get_pod_events" },
    ],
    likelyRootCause: "The container exceeds its memory limit",
    confidence: "high",
    nextStep: "Raise the memory limit",
    appOrInfra: "infra",
    stats: { ...emptyStats("rules"), toolCalls: 4, durationMs: 120 },
    ...overrides,
  };
}

describe("scoreReport", () => {
  it("gives full marks to a report with the keywords, cited evidence, no forbidden claim and clean dispatch", () => {
    const score = scoreReport("21", report(), truth, { commands: ["GET_PODS_DATA", "GET_POD_EVENTS"], violations: 0 });
    expect(score).toMatchObject({ rootCauseIdentified: true, evidenceCited: true, forbiddenAbsent: true, onlyAllowListed: true, score: 1 });
  });

  it("marks each failure separately", () => {
    const score = scoreReport(
      "21",
      report({
        likelyRootCause: "Restarts are caused by slow polls",
        nextStep: "Tune the poll interval",
        findings: [{ text: "many WARN lines", tool: "pull_pod_logs" }],
      }),
      truth,
      { commands: ["GET_PODS_DATA", "DELETE_POD"], violations: 0 },
    );
    expect(score.rootCauseIdentified).toBe(false);
    expect(score.keywordsFound).toBe(0);
    expect(score.evidenceCited).toBe(false);
    expect(score.forbiddenMade).toEqual(["caused by slow polls"]);
    expect(score.onlyAllowListed).toBe(false);
    expect(score.score).toBe(0);
  });

  it("does not count a forbidden phrase that only appears as evidence", () => {
    const evidence = report({ findings: [...report().findings, { text: "WARN: looks caused by slow polls", tool: "pull_pod_logs" }] });
    expect(scoreReport("21", evidence, truth, { commands: [], violations: 0 }).forbiddenAbsent).toBe(true);
  });

  it("fails dispatch when the sandbox saw a routing violation, and rejects findings citing unknown tools", () => {
    const score = scoreReport("21", report({ findings: [{ text: "x", tool: "kubectl" }, { text: "y", tool: "alert" }] }), truth, { commands: [], violations: 1 });
    expect(score.onlyAllowListed).toBe(false);
    expect(score.evidenceCited).toBe(false);
  });

  it("summarises and renders a markdown table", () => {
    const scores = [
      scoreReport("a", report(), truth, { commands: [], violations: 0 }),
      scoreReport("b", report({ likelyRootCause: "unknown", findings: [{ text: "n/a", tool: "alert" }, { text: "n/a", tool: "alert" }] }), truth, { commands: [], violations: 0 }),
    ];
    const summary = summarize("rules", scores);
    expect(summary.score).toBeCloseTo((1 + 0.75) / 2);
    expect(summary.rootCauseIdentified).toBe(1);
    const markdown = renderMarkdown(summary, scores);
    expect(markdown).toContain("| a | ✅ 2/2 |");
    expect(markdown).toContain("| b | ❌ 1/2 |");
  });
});

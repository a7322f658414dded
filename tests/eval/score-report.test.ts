import { describe, expect, it } from "vitest";
import { renderMarkdown, renderSummaryLine, scoreReport, summarize } from "../../src/eval/score-report.ts";
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
    likelyRootCause: "The container is OOMKilled: it exceeds its memory limit",
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
    expect(markdown).toContain("| b | ❌ 0/2 |");
  });

  it("judges the root cause in the root-cause field only, not in findings or the next step", () => {
    const elsewhere = report({ likelyRootCause: "The container exceeds its limit", nextStep: "Check the OOMKilled pod's memory limit" });
    const score = scoreReport("x", elsewhere, truth, { commands: [], violations: 0 });
    expect(score.rootCauseIdentified).toBe(false);
    expect(score.correct).toBe(false);
  });

  it("accepts any alternative of a keyword and fails a root cause that names a wrong cause", () => {
    const withAlternatives = { ...truth, requiredKeywords: [["OOMKilled", "out of memory"], "memory limit"], wrongCauses: ["slow polls"] };
    const right = scoreReport("x", report({ likelyRootCause: "Out of memory: the pod exceeds its memory limit" }), withAlternatives, { commands: [], violations: 0 });
    expect(right).toMatchObject({ rootCauseIdentified: true, correct: true, wrongCausesNamed: [] });
    const wrong = scoreReport("y", report({ likelyRootCause: "OOMKilled at the memory limit, made worse by slow polls" }), withAlternatives, { commands: [], violations: 0 });
    expect(wrong).toMatchObject({ rootCauseIdentified: true, correct: false, wrongCausesNamed: ["slow polls"] });
  });

  it("reports calibration per confidence and counts wrong answers given with high confidence", () => {
    const wrongHigh = report({ likelyRootCause: "Slow polls", confidence: "high" });
    const rightMedium = report({ confidence: "medium" });
    const wrongLow = report({ likelyRootCause: "Inconclusive — needs a human", confidence: "low" });
    const scores = [report(), wrongHigh, rightMedium, wrongLow].map((r, i) => scoreReport(String(i), r, truth, { commands: [], violations: 0 }));
    const summary = summarize("rules", scores, "holdout");
    expect(summary.calibration).toEqual({ high: { answers: 2, right: 1 }, medium: { answers: 1, right: 1 }, low: { answers: 1, right: 0 } });
    expect(summary.wrongWithHighConfidence).toBe(1);
    expect(summary.correct).toBe(2);
    expect(renderSummaryLine(summary)).toContain("holdout (rules): score");
  });
});

import { describe, expect, it } from "vitest";
import { reportSchema, type Report } from "../../src/report/schema.ts";
import { MAX_RULES_CALLS } from "../../src/rules/index.ts";
import { loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { hasKeyword } from "../../src/eval/score-report.ts";
import { triageScenario } from "./triage-scenario.ts";

const scenarios = await loadScenarios("scenarios");

function missingKeywords(scenario: Scenario, report: Report) {
  const text = [report.issue, report.likelyRootCause, report.nextStep, ...report.findings.map((f) => f.text)].join("\n").toLowerCase();
  return scenario.truth.requiredKeywords.filter((keyword) => !hasKeyword(text, keyword));
}

describe("rules engine over the scenarios", () => {
  it.each(scenarios.map((s) => [s.id, s] as const))("%s: a valid report from valid calls within the cap", async (_id, scenario) => {
    const { report, invoker } = await triageScenario(scenario);
    expect(reportSchema.safeParse(report).success).toBe(true);
    expect(invoker.calls.length).toBeLessThanOrEqual(MAX_RULES_CALLS);
    // Every call the engine makes must pass the tool's own input schema.
    expect(invoker.calls.filter((c) => /Invalid input|Unknown tool/.test(c.result.output))).toEqual([]);
    for (const claim of scenario.truth.forbiddenClaims) expect(report.likelyRootCause.toLowerCase()).not.toContain(claim.toLowerCase());
  });

  it.each(scenarios.filter((s) => s.tags.includes("red-herring")).map((s) => [s.id, s] as const))("%s: names the real cause, not the loud symptom", async (_id, scenario) => {
    const { report } = await triageScenario(scenario);
    expect(missingKeywords(scenario, report)).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { scoreReport } from "../../src/eval/score-report.ts";
import { loadScenarios } from "../../src/sandbox/index.ts";
import { triageScenario } from "../rules/triage-scenario.ts";

/*
 * The sets the rules were tuned on are development data: a change that helps one incident must not
 * quietly lose another. Each set's misses are named; everything else must stay right, and no answer
 * may be wrong with high confidence. (The blind figure comes from a set nobody tuned on: npm run eval.)
 */
const TUNED: Record<string, readonly string[]> = {
  scenarios: [],
  "scenarios/holdout": [],
  "scenarios/holdout-2": ["09_prometheus_oom_cardinality", "10_pv_multi_attach_failed_node"],
  "scenarios/holdout-3": [],
  "scenarios/holdout-4": [],
  "scenarios/holdout-5": [],
};

describe.each(Object.entries(TUNED))("tuned set %s", (dir, knownMisses) => {
  it("stays right except its named misses, and is never wrong with high confidence", async () => {
    const scores = await Promise.all(
      (await loadScenarios(dir)).map(async (scenario) => scoreReport(scenario.id, (await triageScenario(scenario)).report, scenario.truth, { commands: [], violations: 0 })),
    );
    expect(scores.filter((s) => !s.correct).map((s) => s.scenario)).toEqual(knownMisses);
    expect(scores.filter((s) => !s.correct && s.confidence === "high").map((s) => s.scenario)).toEqual([]);
  });
});

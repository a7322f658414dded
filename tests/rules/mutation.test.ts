import { describe, expect, it } from "vitest";
import { scoreReport } from "../../src/eval/score-report.ts";
import { loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { triageScenario } from "./triage-scenario.ts";
import { mutateScenario } from "./mutate-scenario.ts";

const scenarios = await loadScenarios("scenarios");
/** The held-out sets tuned on are development data too: their scores must survive renaming as well. */
const tuned = (await Promise.all(["holdout", "holdout-2", "holdout-3", "holdout-4", "holdout-5"].map((set) => loadScenarios(`scenarios/${set}`)))).flat();

async function correct(scenario: Scenario): Promise<boolean> {
  const { report } = await triageScenario(scenario);
  return scoreReport(scenario.id, report, scenario.truth, { commands: [], violations: 0 }).correct;
}

describe("mutation test: renamed identifiers and paraphrased log lines", () => {
  it("renames the scenario's own names everywhere and keeps component names", () => {
    const backlog = scenarios.find((s) => s.id.startsWith("01_"))!;
    const { scenario, renamed } = mutateScenario(backlog);
    expect(renamed.get("inventory-workers")).toMatch(/^[a-z]+-workers$/);
    expect(renamed.get("inventory-workers")).not.toBe("inventory-workers");
    expect(JSON.stringify(scenario)).not.toMatch(/inventory|reserve_inventory|order_fulfillment/);
    expect(JSON.stringify(scenario.truth.requiredKeywords)).toContain(renamed.get("reserve_inventory"));
  });

  it.each([...scenarios, ...tuned].map((s) => [s.id, s] as const))("%s keeps its score", async (_id, original) => {
    const before = await correct(original);
    expect(await correct(mutateScenario(original).scenario)).toBe(before);
  });
});

/**
 * `npx tsx scripts/validate-scenarios.ts <dir>`: loads every scenario folder under <dir> with the
 * sandbox's schema and prints what is wrong (exit 1), or a line per scenario (exit 0). For scenario
 * authors, who need not read the loader.
 */
import { loadScenarios } from "../src/sandbox/index.ts";
import { parseAlert } from "../src/alerts/index.ts";

const dir = process.argv[2] ?? "scenarios";
try {
  const scenarios = await loadScenarios(dir);
  let bad = 0;
  for (const scenario of scenarios) {
    const parsed = parseAlert(scenario.alert.message);
    if (!parsed.isAlert) {
      bad += 1;
      console.log(`FAIL ${scenario.id}: the alert message does not parse as an alert: ${parsed.reason}`);
    } else if (parsed.alert.executionId.toLowerCase() !== scenario.execution.workflowId.toLowerCase()) {
      bad += 1;
      console.log(`FAIL ${scenario.id}: the alert links ${parsed.alert.executionId}, the execution is ${scenario.execution.workflowId}`);
    } else {
      console.log(`ok   ${scenario.id}: ${parsed.alert.issues.map((i) => i.type).join(", ") || "(no issue lines)"}`);
    }
  }
  console.log(`${scenarios.length} scenario(s), ${bad} invalid`);
  process.exitCode = bad > 0 ? 1 : 0;
} catch (error) {
  console.log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}

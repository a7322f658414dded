import { randomUUID } from "node:crypto";
import type { Scenario } from "./scenario-schema.ts";

/**
 * A copy of a scenario with a fresh execution id and cluster name, so that benchmarks can post
 * many distinct alerts (the bot never triages one execution twice, and it links repeats of one
 * incident instead of investigating them).
 */
export function cloneScenario(scenario: Scenario, suffix: string): Scenario {
  const executionId = scenario.execution.workflowId;
  const cluster = scenario.routing.clusterName;
  const newCluster = `${cluster}-${suffix}`;
  const text = JSON.stringify(scenario)
    .replaceAll(executionId, randomUUID())
    .replaceAll(cluster, newCluster);
  const copy = JSON.parse(text) as Scenario;
  return { ...copy, id: `${scenario.id}~${suffix}` };
}

import { extractChanges, resourceChangeOf, type Change } from "../../read/read-changes.ts";
import { extractDeployments } from "../../read/read-deployments.ts";
import { resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * A recorded change that lowered a resource limit is a cause of what that limit produces: a CPU
 * limit lowered throttles the container (CPU pinned at its limit, slow responses, probes timing
 * out); a memory limit lowered gets it OOMKilled. The change is quoted as it was recorded, with
 * the workload whose limit now has the new value.
 */
export const analyzeRecentChanges: Analyzer = {
  name: "recent changes",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_deployments_info")) {
      for (const change of extractChanges(result.data, result.text)) {
        const resource = resourceChangeOf(change.description);
        if (!resource?.lowered || resource.kind !== "limit") continue;
        const workload = change.workload ?? workloadWithLimit(evidence, resource.resource, resource.to);
        const what = `${resource.resource.toUpperCase() === "CPU" ? "CPU" : "memory"} limit`;
        const where = `${workload ?? "the release"}`;
        const when = revisionOf(change);
        analysis.findings.push({ text: `${when}: ${change.description}`, tool: result.tool, weight: 0.75, key: resource.resource === "cpu" ? "cpu-limit" : "memory-limit" });
        analysis.candidates.push({
          key: resource.resource === "cpu" ? "cpu-limit" : "memory-limit",
          cause:
            resource.resource === "cpu"
              ? `The ${what} of ${where} was lowered from ${resource.from} to ${resource.to} (${when}: "${change.description}"): the container is CFS-throttled at its new cpu limit, so its CPU reads near 100% of the limit and requests slow down`
              : `The ${what} of ${where} was lowered from ${resource.from} to ${resource.to} (${when}: "${change.description}"): the container is OOMKilled at its new memory limit`,
          fact: `${what} of ${where} lowered ${resource.from} → ${resource.to} (${when})`,
          weight: 0.8,
          appOrInfra: "infra",
          nextStep: `Restore the ${what} of ${where} to ${resource.from} (roll back ${when}) and watch ${resource.resource === "cpu" ? "CPU throttling" : "restarts"} settle`,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

function revisionOf(change: Change): string {
  return [change.revision ? `revision ${change.revision}` : "the last change", change.time ? `at ${change.time}` : null].filter(Boolean).join(" ");
}

/** The deployment whose limit now has the value the change set. */
function workloadWithLimit(evidence: Evidence, resource: "cpu" | "memory", value: string): string | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const match = extractDeployments(result.data, result.text).find((d) => d.containers.some((c) => c.limits[resource] === value) || d.limits[resource] === value);
    if (match) return match.name;
  }
  return null;
}

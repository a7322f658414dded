import { extractIncident } from "../../read/read-incident.ts";
import { resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

const FAILED = /^(TIMED_OUT|FAILED|TERMINATED)$/i;

/** The health check itself failing or timing out (the second alert shape): the agent may be unreachable. */
export const analyzeExecutionStatus: Analyzer = {
  name: "execution status",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_incident_details")) {
      const incident = extractIncident(result.data, result.text);
      // A health check that found issues fails too; only its own failure without known issues is news.
      if (!incident.status || !FAILED.test(incident.status)) continue;
      if (evidence.issues.some((issue) => issue.type !== "UNKNOWN")) continue;
      const reason = incident.reason ? `: ${incident.reason.slice(0, 300)}` : "";
      analysis.findings.push({ text: `the health-check execution itself is ${incident.status}${reason}`, tool: result.tool, weight: 0.5, key: "health-check-failed" });
      const timedOut = /TIMED_OUT/i.test(incident.status) || /time[d ]?out/i.test(incident.reason ?? "");
      analysis.candidates.push({
        key: "health-check-failed",
        cause: timedOut
          ? "The health check itself timed out: the cluster's in-cluster agent did not answer in time (agent pod down, cluster overloaded or unreachable)"
          : `The health check itself ${incident.status.toLowerCase()}${reason}`,
        weight: 0.45,
        appOrInfra: timedOut ? "infra" : "unknown",
        nextStep: "Open the failing execution, read the failed task's reason, and check that the cluster's agent pod is running and polling",
        tool: result.tool,
      });
    }
    return analysis;
  },
};

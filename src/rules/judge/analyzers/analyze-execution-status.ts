import { extractIncident } from "../../read/read-incident.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
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
      analysis.findings.push({ text: `the health check execution itself is ${incident.status}${reason}`, tool: result.tool, weight: 0.5, key: "health-check-failed" });
      const timedOut = /TIMED_OUT/i.test(incident.status) || /time[d ]?out/i.test(incident.reason ?? "");
      // Commands that time out unpolled too say the agent itself is not polling.
      const unpolled = evidence.results.filter((r) => r.status === "error" && /TIMED_OUT|not polled/i.test(r.text)).length;
      if (timedOut && unpolled > 0) {
        analysis.candidates.push({
          key: "agent-down",
          cause: `The in-cluster agent is not polling: the health check ended ${incident.status}${reason} and ${formatNumber(unpolled)} diagnostic command${unpolled === 1 ? "" : "s"} timed out unpolled too, so the cause behind it needs a human`,
          fact: `agent not polling (${formatNumber(unpolled)} commands TIMED_OUT)`,
          weight: 0.6,
          appOrInfra: "infra",
          nextStep: "Check the agent pod in the customer's cluster (running, its logs, its task domain and credentials) and the cluster's reachability; re-run the health check once it polls",
          tool: result.tool,
        });
      }
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

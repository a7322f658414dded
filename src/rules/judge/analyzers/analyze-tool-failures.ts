import { podOf } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

const WHAT: Record<string, string> = {
  get_incident_details: "the incident details",
  get_cluster_metrics: "the cluster metrics",
  get_infrastructure_metrics: "the infrastructure metrics",
  get_pods_data: "the pod list",
  get_deployments_info: "the deployments",
  get_pod_events: "the pod events",
  get_top_output: "the top output",
  pull_pod_logs: "the logs",
  get_ingress_info: "the ingress info",
  get_thread_dump: "the thread dump",
  run_sql_select: "the SQL result",
};

/** Tools that failed or returned nothing: said plainly, so a reader knows what was not seen. */
export const analyzeToolFailures: Analyzer = {
  name: "tool failures",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of evidence.results) {
      if (result.status === "ok") continue;
      const pod = podOf(result);
      const what = `${WHAT[result.tool] ?? result.tool}${pod ? ` of ${pod}` : ""}`;
      const detail = result.text.trim().replace(/\s+/g, " ").slice(0, 200);
      analysis.findings.push({
        text: result.status === "error" ? `could not read ${what}: ${detail || "the tool failed"}` : `no data for ${what}${detail ? `: ${detail}` : ""}`,
        tool: result.tool,
        weight: result.status === "error" ? 0.2 : 0.15,
      });
    }
    return analysis;
  },
};

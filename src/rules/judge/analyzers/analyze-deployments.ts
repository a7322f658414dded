import { extractDeployments } from "../../read/read-deployments.ts";
import { formatNumber, hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** Deployments scaled to zero or short of ready replicas: unpolled tasks and missing components. */
export const analyzeDeployments: Analyzer = {
  name: "deployments",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    // A backlog or a workers alert makes an idle worker deployment the likely reason.
    const backlogContext = hasIssue(evidence, "REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE", "WORKERS_HEALTHY", "RESPONSE_TIME");
    for (const result of resultsFor(evidence, "get_deployments_info")) {
      const deployments = extractDeployments(result.data, result.text);
      if (deployments.length === 0) {
        analysis.findings.push({ text: "could not read any deployment (no names with replica counts found)", tool: result.tool, weight: 0.1 });
        continue;
      }
      for (const deployment of deployments) {
        const change = deployment.changeCause ? ` (last change: ${deployment.changeCause})` : "";
        if (deployment.desired === 0) {
          const isWorker = /worker/i.test(deployment.name);
          analysis.findings.push({ text: `deployment ${deployment.name} is scaled to 0 replicas${change}`, tool: result.tool, weight: isWorker ? 0.7 : 0.4, key: "scaled-to-zero" });
          if (isWorker) {
            analysis.candidates.push({
              key: "scaled-to-zero",
              cause: `The ${deployment.name} deployment is scaled to 0 replicas${change}, so the tasks its workers poll are never picked up and their workflows stay RUNNING`,
              weight: backlogContext ? 0.75 : 0.5,
              fact: `${deployment.name} scaled to 0`,
              appOrInfra: "app",
              nextStep: `Confirm with the customer whether ${deployment.name} was scaled to 0 on purpose; if not, scale it back up (a human action) and watch the decider queue drain`,
              tool: result.tool,
            });
          }
        } else if (deployment.desired !== null && deployment.ready !== null && deployment.ready < deployment.desired) {
          analysis.findings.push({
            text: `deployment ${deployment.name}: ${formatNumber(deployment.ready)}/${formatNumber(deployment.desired)} replicas ready${change}`,
            tool: result.tool,
            weight: 0.45,
          });
        }
      }
    }
    return analysis;
  },
};

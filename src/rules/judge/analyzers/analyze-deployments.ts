import { extractDeployments, type DeploymentRecord } from "../../read/read-deployments.ts";
import { matchSignature } from "../../../playbook/k8s-signatures.ts";
import { collectStrings } from "../../read/walk-json.ts";
import { formatNumber, hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, CauseCandidate } from "../../types.ts";

/** Deployments from the output, or from the text an agent wrapped in an object (`{result: "Name: …"}`). */
function readDeployments(data: unknown, text: string): ReturnType<typeof extractDeployments> {
  const direct = extractDeployments(data, text);
  if (direct.length > 0) return direct;
  return collectStrings(data).flatMap((s) => (s.includes("\n") ? extractDeployments(s, s) : []));
}

/**
 * A `ReplicaFailure` condition (status True) says why the controller cannot create the pods (`exceeded
 * quota: …`, an admission webhook): the same reading as the ReplicaSet's FailedCreate event.
 */
function replicaFailures(deployment: DeploymentRecord, tool: string): CauseCandidate[] {
  return deployment.conditions.flatMap((condition) => {
    if (!/^ReplicaFailure$/i.test(condition.type) || !/^true$/i.test(condition.status)) return [];
    const detail = `${condition.reason ?? ""} ${condition.message ?? ""}`.trim();
    const signature = matchSignature(detail);
    if (!signature || !["quota", "create-failed"].includes(signature.key)) return [];
    // How many replicas it asked for, and the change that asked: what ran into the refusal.
    const replicas = deployment.desired !== null && deployment.ready !== null ? `${formatNumber(deployment.ready)} of ${formatNumber(deployment.desired)} replicas ready` : null;
    const change = deployment.changeCause ? `last change: "${deployment.changeCause}"` : null;
    const context = [replicas, change].filter(Boolean).join("; ");
    const cause = `${signature.cause(deployment.name, detail)}${context ? ` (${context})` : ""}`;
    return [{ key: signature.key, cause, subject: deployment.name, weight: signature.weight, appOrInfra: signature.appOrInfra, nextStep: signature.nextStep(deployment.name, detail), tool }];
  });
}

function tagOf(image: string): string {
  return image.split(":").pop() ?? image;
}

/** Deployments scaled to zero or short of ready replicas: unpolled tasks and missing components. */
export const analyzeDeployments: Analyzer = {
  name: "deployments",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    // A backlog or a workers alert makes an idle worker deployment the likely reason.
    const backlogContext = hasIssue(evidence, "REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE", "WORKERS_HEALTHY", "RESPONSE_TIME");
    const saturation = hasIssue(evidence, "CONDUCTOR_HIGH_HEAP_USAGE", "CONDUCTOR_HIGH_CPU_USAGE", "RESPONSE_TIME");
    for (const result of resultsFor(evidence, "get_deployments_info")) {
      const deployments = readDeployments(result.data, result.text);
      // Heap or CPU trouble right after an image change: the change is the first suspect.
      for (const deployment of saturation ? deployments.filter((d) => d.previousImage && d.images.length > 0 && !d.images.includes(d.previousImage)) : []) {
        const image = deployment.images[0] as string;
        const revision = deployment.revision ? ` (revision ${deployment.revision})` : "";
        analysis.findings.push({ text: `deployment ${deployment.name}: image ${image}${revision}`, note: `previously ${deployment.previousImage}`, tool: result.tool, weight: 0.6, key: "recent-upgrade" });
        analysis.candidates.push({
          key: "recent-upgrade",
          cause: `The trouble follows the upgrade of ${deployment.name} from ${deployment.previousImage} to ${image}${revision}: the new version behaves differently under the same load`,
          fact: `upgrade of ${deployment.name} to ${tagOf(image)}${revision}`,
          weight: 0.6,
          appOrInfra: "app",
          nextStep: `Compare the new-image pods of ${deployment.name} with the old ones; if only the new ones degrade, roll back to ${deployment.previousImage} (a human change) and report the regression`,
          tool: result.tool,
        });
      }
      if (deployments.length === 0) {
        analysis.findings.push({ text: "could not read any deployment (no names with replica counts found)", tool: result.tool, weight: 0.1 });
        continue;
      }
      for (const deployment of deployments) {
        analysis.candidates.push(...replicaFailures(deployment, result.tool));
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
        } else if (deployment.desired !== null && deployment.desired > 0 && deployment.ready === 0 && /worker/i.test(deployment.name)) {
          // Workers that exist but none is ready poll nothing either, whatever keeps them down (its own cause, upstream).
          const fact = `${deployment.name}: 0/${formatNumber(deployment.desired)} replicas ready`;
          // The change cause sits elsewhere in the output: beside the fact, not inside what its excerpt must show.
          analysis.findings.push({ text: `deployment ${fact}`, ...(change ? { note: change.trim().replace(/^\(|\)$/g, "") } : {}), tool: result.tool, weight: 0.6, key: "workers-unavailable" });
          analysis.candidates.push({ key: "workers-unavailable", cause: `No pod of ${deployment.name} is ready (0/${formatNumber(deployment.desired)}), so the tasks its workers poll are not picked up`, fact, subject: deployment.name, weight: backlogContext ? 0.6 : 0.45, appOrInfra: "app", tool: result.tool });
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

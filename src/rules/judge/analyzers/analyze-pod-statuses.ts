import { workloadOf } from "../../read/workload-name.ts";
import { extractPods, type PodRecord } from "../../read/read-pods.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";
import { matchSignature } from "../../../playbook/k8s-signatures.ts";
import { IN_CLUSTER_AGENT } from "../../../playbook/component-pods.ts";

const HEALTHY = /^(Running|Completed|Succeeded)$/i;
const MANY_RESTARTS = 3;

/** Pod phases, restart counts and last-state reasons from the pod list. */
export const analyzePodStatuses: Analyzer = {
  name: "pod statuses",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_pods_data")) {
      const pods = extractPods(result.data, result.text);
      if (pods.length === 0) {
        analysis.findings.push({ text: "could not read the pod list (no pod names with a status found)", tool: result.tool, weight: 0.15 });
        continue;
      }
      const troubled = pods.filter(isTroubled).sort((a, b) => podScore(b) - podScore(a));
      if (troubled.length === 0) {
        analysis.findings.push({ text: `all ${pods.length} pods Running with no restarts`, tool: result.tool, weight: 0.3, key: "pods-healthy", ruledOut: true });
        continue;
      }
      for (const pod of troubled.slice(0, 3)) {
        const detail = detailOf(pod);
        const matched = matchSignature([...pod.reasons, ...pod.lastReasons, pod.status ?? "", detail].join(" "));
        // A restart long past on a pod that is Running and ready now is history, not the cause of today's alert;
        // so is how the previous container ended for a pod now waiting to be scheduled (it runs nothing).
        const history = isPast(pod) || (isUnscheduled(pod, pods) && matched !== null && !pod.reasons.some((r) => matched.pattern.test(r)));
        const signature = matched && history ? { ...matched, weight: Math.min(matched.weight, PAST_WEIGHT) } : matched;
        analysis.findings.push({ text: describePod(pod), ...(pod.node ? { note: `node ${pod.node}` } : {}), tool: result.tool, weight: signature?.weight ?? 0.4, ...(signature ? { key: signature.key } : {}) });
        if (signature) {
          analysis.candidates.push({
            key: signature.key,
            cause: signature.cause(pod.name, detail),
            subject: pod.name,
            weight: signature.weight,
            appOrInfra: signature.appOrInfra,
      ...(signature.template ? { template: true } : {}),
            nextStep: signature.nextStep(pod.name, detail),
            tool: result.tool,
          });
        } else if (pod.status && !HEALTHY.test(pod.status)) {
          analysis.candidates.push({ key: "pod-down", cause: `${pod.name} is ${pod.status}`, weight: 0.3, appOrInfra: "unknown", tool: result.tool });
        }
      }
      analysis.candidates.push(...lostNodes(pods, result.tool), ...agentPodsDown(troubled, result.tool));
      // Pods out of service are a link of the chain whatever put them there.
      const allDown = troubled.filter((pod) => isNotReady(pod) || (pod.status !== null && !HEALTHY.test(pod.status)));
      // An alert about one pod: the link shows that pod's workload, not every other pod that is down.
      const alerted = evidence.issues.find((issue) => issue.pod)?.pod;
      const own = alerted ? allDown.filter((pod) => workloadOf(pod.name) === workloadOf(alerted)) : [];
      const down = own.length > 0 ? own : allDown;
      if (down.length > 0) {
        const names = down.slice(0, 2).map((pod) => `${pod.name} ${pod.status ?? ""}`.trim()).join(", ");
        const fact = `${names}${down.length > 2 ? ` (+${down.length - 2} more)` : ""} not ready`;
        analysis.candidates.push({ key: "pod-down", cause: `${fact}`, fact, weight: 0.5, appOrInfra: "unknown", tool: result.tool });
      }
    }
    return analysis;
  },
};

/** A last restart older than this, on a pod Running and ready since, is past. */
const PAST_SECONDS = 3600;
const PAST_WEIGHT = 0.3;

export function isPast(pod: PodRecord): boolean {
  return (pod.lastRestartAgeSeconds ?? 0) > PAST_SECONDS && /^Running$/i.test(pod.status ?? "") && !isNotReady(pod) && pod.reasons.length === 0;
}

/** The in-cluster agent's own pod out of service: whatever keeps it down is why no command is polled. */
function agentPodsDown(troubled: readonly PodRecord[], tool: string): Analysis["candidates"] {
  return troubled
    .filter((pod) => IN_CLUSTER_AGENT.test(workloadOf(pod.name)) && (isNotReady(pod) || (pod.status !== null && !HEALTHY.test(pod.status))))
    .slice(0, 1)
    .map((pod) => ({
      key: "agent-pod-down",
      cause: `The in-cluster agent's own pod ${pod.name} is ${pod.status ?? "down"}${pod.ready ? ` (ready ${pod.ready})` : ""}, so the health check's commands are not polled`,
      fact: `agent pod ${pod.name} ${pod.status ?? "down"}`,
      subject: pod.name,
      weight: 0.6,
      appOrInfra: "infra" as const,
      nextStep: `Read why ${pod.name} is down (its events and previous container's logs) and fix that; the health check passes once the agent polls again`,
      tool,
    }));
}

/**
 * A pod on no node while the list shows the others' nodes (and neither running nor ended): the
 * scheduler has not placed it, so no container of it runs now.
 */
function isUnscheduled(pod: PodRecord, pods: readonly PodRecord[]): boolean {
  const placed = (p: PodRecord) => Boolean(p.node && !/^<none>$/i.test(p.node));
  return !placed(pod) && pods.some(placed) && !/^(Running|Succeeded|Failed|Completed|Unknown|Terminating)$/i.test(pod.phase ?? pod.status ?? "");
}

/** The status messages of a pod (an eviction's `Usage of EmptyDir volume …`, a waiting container's `Back-off pulling image …`) and its node. */
function detailOf(pod: PodRecord): string {
  const placed = pod.node && !/^<none>$/i.test(pod.node) ? `on node ${pod.node}` : null;
  return [pod.message, ...(pod.containers ?? []).map((c) => c.message), placed].filter((m): m is string => Boolean(m?.trim())).join("\n");
}

/** Pods Unknown (or stuck Terminating) on one node: the node stopped reporting, whatever the pods did. */
function lostNodes(pods: readonly PodRecord[], tool: string): Analysis["candidates"] {
  const byNode = new Map<string, PodRecord[]>();
  for (const pod of pods) {
    if (!pod.node || !/^(Unknown|NodeLost)$/i.test(pod.status ?? "")) continue;
    byNode.set(pod.node, [...(byNode.get(pod.node) ?? []), pod]);
  }
  return [...byNode.entries()].map(([node, lost]) => {
    const others = pods.filter((p) => p.node === node && !lost.includes(p) && /Terminating/i.test(p.status ?? ""));
    const names = [...lost, ...others].map((p) => `${p.name} ${p.status}`).slice(0, 3).join(", ");
    return {
      key: "node",
      cause: `Node ${node} went NotReady: its pods are Unknown or Terminating (${names})`,
      fact: `node ${node} NotReady`,
      weight: 0.75,
      appOrInfra: "infra" as const,
      nextStep: `Check node ${node}'s conditions and the cloud instance behind it (kubectl describe node ${node}); its pods reschedule once it is replaced or back`,
      tool,
    };
  });
}

export function isTroubled(pod: PodRecord): boolean {
  return pod.restarts > 0 || (pod.status !== null && !HEALTHY.test(pod.status)) || pod.lastReasons.length > 0 || isNotReady(pod);
}

/** Higher means more likely to explain an incident: used to pick the pod to dig into. */
export function podScore(pod: PodRecord): number {
  const signature = matchSignature([...pod.reasons, ...pod.lastReasons, pod.status ?? ""].join(" "));
  const unhealthy = pod.status !== null && !HEALTHY.test(pod.status) ? 2 : 0;
  return (signature ? signature.weight * 10 : 0) + unhealthy + (isNotReady(pod) ? 1 : 0) + Math.min(pod.restarts, MANY_RESTARTS * 3) / MANY_RESTARTS;
}

export function isNotReady(pod: PodRecord): boolean {
  const match = /^(\d+)\/(\d+)$/.exec(pod.ready ?? "");
  return pod.ready === "false" || (match !== null && match[1] !== match[2]);
}

function describePod(pod: PodRecord): string {
  const parts = [`${pod.name}: ${pod.status ?? "status unknown"}`];
  if (pod.ready) parts.push(`ready ${pod.ready}`);
  parts.push(`${formatNumber(pod.restarts)} restart${pod.restarts === 1 ? "" : "s"}`);
  if (pod.lastReasons.length > 0) parts.push(`last terminated: ${[...new Set(pod.lastReasons)].join(", ")}`);
  if (pod.exitCodes.length > 0) parts.push(`exit code ${pod.exitCodes.join(", ")}`);
  return parts.join(", ");
}

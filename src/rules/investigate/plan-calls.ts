import type { IssueType } from "../../alerts/types.ts";
import { getPlaybookEntry, POD_PLACEHOLDER } from "../../playbook/index.ts";
import type { ToolName } from "../../tools/types.ts";
import { podScore } from "../judge/analyzers/analyze-pod-statuses.ts";
import type { PodRecord } from "../read/read-pods.ts";
import { workloadOf } from "../read/workload-name.ts";
import type { DeploymentRecord } from "../read/read-deployments.ts";
import { CONDUCTOR_SERVER_IMAGE } from "../../playbook/component-pods.ts";

export interface PlannedCall {
  tool: ToolName;
  args: Record<string, string | number>;
  /** True when an argument is the `{pod}` placeholder, so it waits for the pod list. */
  needsPod: boolean;
  /** The playbook's reason for the call. */
  why?: string;
}

/**
 * The playbook's calls for the issue types, round-robin across types so each type gets its
 * first calls within `cap`, duplicates dropped. get_incident_details is left out: it always
 * runs first. When a call needs a pod the alert does not name, the pod list is fetched first.
 */
export function planCalls(types: readonly IssueType[], alertPod: string | null, cap: number): PlannedCall[] {
  const queues = [...new Set(types)].map((type) => getPlaybookEntry(type).tools.filter((step) => step.tool !== "get_incident_details"));
  const planned: PlannedCall[] = [];
  const seen = new Set<string>();
  for (let i = 0; queues.some((queue) => i < queue.length); i += 1) {
    for (const queue of queues) {
      const step = queue[i];
      if (!step) continue;
      const args = step.args ?? {};
      const key = `${step.tool} ${JSON.stringify(args)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      planned.push({ tool: step.tool, args, needsPod: Object.values(args).includes(POD_PLACEHOLDER), why: step.why });
    }
  }
  const needsPodList = alertPod === null && planned.some((call) => call.needsPod) && !planned.some((call) => call.tool === "get_pods_data");
  if (needsPodList) planned.unshift({ tool: "get_pods_data", args: {}, needsPod: false, why: "the pod list, to find the pod to dig into" });
  return planned.slice(0, Math.max(0, cap));
}

/** Pod-name hints of the types, in order (a Prometheus alert looks at prometheus pods first). */
export function podHintsFor(types: readonly IssueType[]): string[] {
  return [...new Set(types.flatMap((type) => getPlaybookEntry(type).podHints))];
}

/**
 * The pod to dig into: the one the alert names; else the most suspicious pod matching a hint
 * (a server alert is about server logs); else the first pod matching a hint; else the most
 * suspicious pod at all.
 */
export function resolvePod(alertPod: string | null, pods: readonly PodRecord[], hints: readonly string[], serverWorkloads: ReadonlySet<string> = new Set()): string | null {
  if (alertPod) return alertPod;
  // A pod whose workload runs Conductor's server image is a server pod under any name (conductor-app), before a looser "server" hint (prometheus-server).
  const matches = (pod: PodRecord, hint: string) => pod.name.includes(hint) || (hint === SERVER_HINT && serverWorkloads.has(workloadOf(pod.name)));
  const matching = hints.map((hint) => pods.filter((pod) => matches(pod, hint))).find((group) => group.length > 0) ?? [];
  return (mostSuspicious(matching) ?? matching[0] ?? mostSuspicious(pods))?.name ?? null;
}

const SERVER_HINT = "conductor-server";

/** Workloads (Deployments, StatefulSets) whose containers run Conductor's server image. */
export function conductorServerWorkloads(deployments: readonly DeploymentRecord[]): Set<string> {
  return new Set(deployments.filter((d) => d.images.some((image) => CONDUCTOR_SERVER_IMAGE.test(image))).map((d) => d.name));
}

/** A clearly troubled pod other than `pod` (unhealthy, OOMKilled or restarting), worth its own events and logs. */
export function findOtherSuspect(pod: string | null, pods: readonly PodRecord[]): string | null {
  return mostSuspicious(pods.filter((p) => p.name !== pod && podScore(p) >= 1))?.name ?? null;
}

function mostSuspicious(pods: readonly PodRecord[]): PodRecord | undefined {
  return [...pods].filter((pod) => podScore(pod) > 0).sort((a, b) => podScore(b) - podScore(a))[0];
}

/** The call's input with `{pod}` replaced; null when it needs a pod and there is none. */
export function bindPod(call: PlannedCall, pod: string | null): Record<string, string | number> | null {
  const args: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(call.args)) {
    if (value !== POD_PLACEHOLDER) args[key] = value;
    else if (pod !== null) args[key] = pod;
    // get_top_output can run without a pod (the agent picks its default); others cannot.
    else if (call.tool !== "get_top_output") return null;
  }
  return args;
}

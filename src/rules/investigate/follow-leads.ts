import { IN_CLUSTER_AGENT, SECRET_SYNC } from "../../playbook/component-pods.ts";
import { LEADS, type Lead } from "../../playbook/leads.ts";
import type { ToolName } from "../../tools/types.ts";
import { podScore } from "../judge/analyzers/analyze-pod-statuses.ts";
import { podOf, resultsFor } from "../evidence.ts";
import type { PodRecord } from "../read/read-pods.ts";
import { workloadOf } from "../read/workload-name.ts";
import type { Evidence } from "../types.ts";

export interface LeadStep {
  tool: ToolName;
  args: Record<string, string | number>;
  /** Why it is made: the lead it follows. */
  reason: string;
}

export interface LeadContext {
  /** Graph nodes with evidence so far, alert nodes included. */
  open: ReadonlySet<string>;
  pods: readonly PodRecord[];
  /** The task nobody polls, when a finding named one. */
  pendingTask: string | null;
  /** Calls already made, as `tool canonical-args`. */
  made: ReadonlySet<string>;
  /** Pods whose log pull failed (a restarting container's previous logs are often gone). */
  unreadPods?: ReadonlySet<string>;
  /** Workloads running Conductor's server image (a server under any name). */
  serverWorkloads?: ReadonlySet<string>;
  /** The workload that should complete the waiting WAIT/HUMAN/EVENT tasks and has its switch off. */
  signaller?: string | null;
}

/**
 * The calls the open leads ask for, first lead first, none repeated and none aimed at a pod that
 * cannot be named. Pure; at most `room` steps.
 */
export function planLeadCalls(ctx: LeadContext, room: number, leads: readonly Lead[] = LEADS): LeadStep[] {
  const steps: LeadStep[] = [];
  const seen = new Set(ctx.made);
  for (const lead of leads) {
    if (!lead.opensOn.some((node) => ctx.open.has(node)) || lead.closedBy?.some((node) => ctx.open.has(node))) continue;
    for (const call of lead.calls) {
      const args = bindTargets(call.args, ctx);
      if (!args) continue;
      const key = callKey(call.tool, args);
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push({ tool: call.tool, args, reason: `lead ${lead.id}: ${lead.why}` });
    }
  }
  return steps.slice(0, Math.max(0, room));
}

/** `tool {sorted args}`, the same whoever asks; a pod's logs are one read whatever the line count. */
export function callKey(tool: string, args: Record<string, unknown>): string {
  const entries = Object.entries(args)
    .filter(([key]) => key !== "executionId" && !(tool === "pull_pod_logs" && key === "lines"))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${tool} ${JSON.stringify(entries)}`;
}

/** The pods whose logs were already read. */
export function pulledPods(evidence: Evidence): Set<string> {
  return new Set(resultsFor(evidence, "pull_pod_logs").flatMap((r) => podOf(r) ?? []));
}

function bindTargets(args: Record<string, string | number>, ctx: LeadContext): Record<string, string | number> | null {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(args)) {
    if (typeof value !== "string" || !value.startsWith("{")) {
      out[key] = value;
      continue;
    }
    const pod = resolveTarget(value, ctx);
    if (!pod) return null;
    out[key] = pod;
  }
  return out;
}

function resolveTarget(target: string, ctx: LeadContext): string | null {
  const ranked = [...ctx.pods].sort((a, b) => podScore(b) - podScore(a));
  const byImage = ranked.filter((p) => ctx.serverWorkloads?.has(workloadOf(p.name)));
  const servers = byImage.length > 0 ? byImage : ranked.filter((p) => /conductor-server|(^|-)server(-|$)/.test(p.name));
  switch (target) {
    case "{workerPod}": {
      const workers = ranked.filter((p) => /worker/.test(p.name));
      const words = (ctx.pendingTask ?? "").toLowerCase().split(/[-_]/).filter((w) => w.length >= 3);
      // The workers named like the task (rate_quote_fetch → quote-workers), else the most troubled worker pod.
      return (workers.find((p) => words.some((w) => workloadOf(p.name).includes(w))) ?? workers[0])?.name ?? null;
    }
    case "{crashedPod}":
      return ranked.find((p) => podScore(p) >= 1)?.name ?? null;
    case "{unreadCrashedPod}": {
      // Only when a crashed pod's logs could not be read: a replica of the same workload says the same.
      const unread = [...(ctx.unreadPods ?? [])].map(workloadOf);
      return ranked.find((p) => podScore(p) >= 1 && unread.includes(workloadOf(p.name)) && !pulledBefore(p.name, ctx))?.name ?? null;
    }
    case "{serverPod}":
      return servers[0]?.name ?? null;
    case "{signallerPod}":
      return ranked.find((p) => ctx.signaller && workloadOf(p.name) === ctx.signaller)?.name ?? null;
    case "{dnsPod}":
      return ranked.find((p) => /coredns|kube-dns/.test(p.name))?.name ?? null;
    case "{siblingServerPod}":
      return servers.find((p) => !pulledBefore(p.name, ctx))?.name ?? null;
    case "{uninspectedTroubledPod}":
      // The most troubled pod whose events nobody asked for yet (a second crash-looping workload, a Pending pod).
      return ranked.find((p) => podScore(p) >= 1 && !ctx.made.has(callKey("get_pod_events", { pod: p.name })))?.name ?? null;
    case "{agentPod}":
      return ranked.find((p) => IN_CLUSTER_AGENT.test(workloadOf(p.name)))?.name ?? null;
    case "{secretSyncPod}":
      return ranked.find((p) => SECRET_SYNC.test(p.name))?.name ?? null;
    default:
      return null;
  }
}

/** True when a log pull for this pod was already made (answered or not). */
function pulledBefore(pod: string, ctx: LeadContext): boolean {
  return [...ctx.made].some((key) => key.startsWith("pull_pod_logs") && key.includes(`"${pod}"`));
}

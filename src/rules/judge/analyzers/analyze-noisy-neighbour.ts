import { extractNodes } from "../../read/read-nodes.ts";
import { extractPods, type PodRecord } from "../../read/read-pods.ts";
import { readMetrics } from "../../read/read-metrics.ts";
import { extractUsage } from "../../read/read-usage.ts";
import { readString, walkObjects } from "../../read/walk-json.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { getPlaybookEntry } from "../../../playbook/index.ts";
import { formatNumber, hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** A neighbour using at least this many times the alerted pod's CPU, on a node at least this busy, is what burns it. */
const TIMES_THE_POD = 2;
const NODE_BUSY = 85;
/** Without the node's own reading: a neighbour this large (millicores) and this many times the pod. */
const BIG_NEIGHBOUR = 2000;
const TIMES_WITHOUT_NODE = 3;

/**
 * A noisy neighbour: the alerted pod's node is near its CPU capacity and another pod on that same
 * node (pods -o wide, usage by pod) uses several times the alerted pod's CPU — the pod's CPU
 * reading is the node's (a JVM's system_cpu_usage is the host's), while its own process is modest.
 */
export const analyzeNoisyNeighbour: Analyzer = {
  name: "noisy neighbour",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    if (!hasIssue(evidence, "CONDUCTOR_HIGH_CPU_USAGE", "RESPONSE_TIME")) return analysis;
    const podsResult = resultsFor(evidence, "get_pods_data").find((r) => r.status === "ok");
    const pods = podsResult ? extractPods(podsResult.data, podsResult.text) : [];
    const usage = cpuByPod(evidence, pods);
    for (const victim of alertedPods(evidence, pods)) {
      const node = victim.node;
      if (!node) continue;
      const own = usage.get(victim.name) ?? null;
      const neighbour = pods
        .filter((p) => p.node === node && p.name !== victim.name && workloadOf(p.name) !== workloadOf(victim.name) && usage.has(p.name))
        .sort((a, b) => (usage.get(b.name) ?? 0) - (usage.get(a.name) ?? 0))[0];
      const theirs = neighbour ? (usage.get(neighbour.name) ?? 0) : 0;
      if (!neighbour || own === null || theirs < own * TIMES_THE_POD) continue;
      const nodeCpu = nodeCpuOf(evidence, node);
      if (nodeCpu !== null ? nodeCpu < NODE_BUSY : theirs < BIG_NEIGHBOUR || theirs < own * TIMES_WITHOUT_NODE) continue;
      const qos = qosOf(evidence, neighbour.name);
      const host = hostVersusProcess(evidence, victim.name);
      analysis.findings.push({
        // One row of the pod list says where the neighbour runs; the alerted pod's row is elsewhere: it goes in the note.
        text: `${neighbour.name} runs on ${node}`,
        note: `the node of ${victim.name}; ${neighbour.name} ${formatNumber(Math.round(theirs))}m CPU against ${victim.name}'s ${formatNumber(Math.round(own))}m${nodeCpu !== null ? `; node at ${formatNumber(nodeCpu)}% CPU` : ""}${qos ? `; ${qos}` : ""}`,
        tool: podsResult?.tool ?? "get_pods_data",
        weight: 0.85,
        key: "noisy-neighbour",
      });
      analysis.candidates.push({
        key: "noisy-neighbour",
        cause: `Noisy neighbour on node ${node}: pod ${neighbour.name} (${workloadOf(neighbour.name)}) uses ${formatNumber(Math.round(theirs))}m CPU${qos ? ` (${qos})` : ""} on the same node as ${victim.name}, which itself uses ${formatNumber(Math.round(own))}m${nodeCpu !== null ? `; the node is at ${formatNumber(nodeCpu)}% CPU` : ""}${host ? `; the server's reading is the host's (${host})` : ""}`,
        fact: `${workloadOf(neighbour.name)} uses ${formatNumber(Math.round(theirs))}m on node ${node}`,
        weight: 0.85,
        appOrInfra: "infra",
        nextStep: `Give ${workloadOf(neighbour.name)} CPU requests and limits (or a node selector/anti-affinity that keeps it off the Conductor servers' nodes); moving ${victim.name} to a quieter node relieves it now`,
        tool: podsResult?.tool ?? "get_pods_data",
      });
      break;
    }
    return analysis;
  },
};

/** The pods the alert names; with none named, the pods its playbook inspects (the servers), most specific hint first. */
function alertedPods(evidence: Evidence, pods: readonly PodRecord[]): PodRecord[] {
  const named = evidence.issues.flatMap((issue) => (issue.pod ? [issue.pod] : []));
  if (named.length > 0) return pods.filter((p) => named.includes(p.name));
  for (const issue of evidence.issues) {
    for (const hint of getPlaybookEntry(issue.type).podHints ?? []) {
      const matching = pods.filter((p) => p.name.includes(hint));
      if (matching.length > 0) return matching;
    }
  }
  return [];
}

/** CPU per pod in millicores: kubectl top / usage records naming a listed pod, and per-pod CPU series in cores. */
function cpuByPod(evidence: Evidence, pods: readonly PodRecord[]): Map<string, number> {
  const listed = new Set(pods.map((p) => p.name));
  const usage = new Map<string, number>();
  for (const result of resultsFor(evidence, "get_infrastructure_metrics", "get_cluster_metrics", "get_top_output")) {
    if (result.status !== "ok") continue;
    for (const record of extractUsage(result.data, result.text)) {
      if (listed.has(record.name) && record.cpuMillis !== null && !usage.has(record.name)) usage.set(record.name, record.cpuMillis);
    }
    for (const sample of readMetrics(result.data, result.text)) {
      const pod = sample.labels.pod;
      if (!pod || !listed.has(pod) || usage.has(pod) || sample.role !== "value" || !/cpu.*(cores|seconds)|cpu_usage_cores/i.test(sample.name)) continue;
      usage.set(pod, sample.value * 1000);
    }
  }
  return usage;
}

function nodeCpuOf(evidence: Evidence, node: string): number | null {
  for (const result of resultsFor(evidence, "get_infrastructure_metrics", "get_cluster_metrics")) {
    const record = extractNodes(result.data, result.text).find((n) => n.name === node);
    if (record?.cpuPercent !== null && record?.cpuPercent !== undefined) return record.cpuPercent;
  }
  return null;
}

/** `qosClass BestEffort`, or no limits, as the usage output describes the pod. */
function qosOf(evidence: Evidence, pod: string): string | null {
  let found: string | null = null;
  for (const result of evidence.results) {
    walkObjects(result.data, (object) => {
      if (found || readString(object, "pod", "name") !== pod) return false;
      const qos = readString(object, "qosClass", "qos");
      const limits = "limits" in object ? object.limits : undefined;
      found = qos === "BestEffort" ? "BestEffort: no CPU requests or limits" : qos ? `qosClass ${qos}` : limits === null ? "no CPU limit" : null;
      return found !== null;
    });
    if (found) return found;
  }
  return null;
}

/** A JVM reports the host's CPU (system_cpu_usage) beside its own (process_cpu_usage). */
function hostVersusProcess(evidence: Evidence, pod: string): string | null {
  for (const result of evidence.results) {
    const samples = readMetrics(result.data, result.text).filter((s) => s.labels.pod === pod);
    const system = samples.find((s) => /system_cpu_usage/i.test(s.name));
    const process = samples.find((s) => /process_cpu_usage/i.test(s.name));
    if (system && process && process.value < system.value / 2) return `system_cpu_usage ${system.value} against process_cpu_usage ${process.value}`;
  }
  return null;
}

import { extractDeployments, type ContainerSpec, type DeploymentRecord } from "../../read/read-deployments.ts";
import { extractEvents } from "../../read/read-events.ts";
import { readMetrics } from "../../read/read-metrics.ts";
import { extractPods } from "../../read/read-pods.ts";
import { parseMemory } from "../../read/read-usage.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { isObject, walkObjects } from "../../read/walk-json.ts";
import { podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * A JVM whose heap may grow to (nearly) the container's memory limit has no room for what it needs
 * besides the heap (metaspace, thread stacks, direct buffers, code cache): the kernel kills it at
 * the limit while the heap itself is not full. Fires only for a workload whose pods were OOMKilled.
 */
export const analyzeJvmHeadroom: Analyzer = {
  name: "jvm headroom",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const killed = oomKilledWorkloads(evidence);
    if (killed.size === 0) return analysis;
    const heapOom = heapOutOfMemory(evidence);
    for (const result of resultsFor(evidence, "get_deployments_info")) {
      for (const deployment of extractDeployments(result.data, result.text)) {
        if (!killed.has(deployment.name)) continue;
        const heap = heapReading(evidence, deployment.name);
        const args = commandLines(result.data, result.text, deployment.name);
        for (const container of containersOf(deployment)) {
          const sizing = heapSizing(container, args);
          if (!sizing || sizing.ratio < NO_HEADROOM) continue;
          const setting = `${sizing.setting} against limits.memory ${container.limits.memory}`;
          analysis.findings.push({ text: `deployment ${deployment.name}: ${sizing.variable} ${sizing.flag}, memory limit ${container.limits.memory}`, note: `the heap may take ${Math.round(sizing.ratio * 100)}% of the limit`, tool: result.tool, weight: 0.75, key: "heap-no-headroom" });
          const heapNote = heap !== null && heap < HEAP_NOT_FULL ? `; the heap itself is at ${heap}%, so what grows is outside it` : "";
          analysis.candidates.push({
            key: "heap-no-headroom",
            cause: `${deployment.name} is OOMKilled by the kernel: its JVM heap (${sizing.flag}) may take ${sizing.ratio >= 1 ? "all" : `${Math.round(sizing.ratio * 100)}%`} of the ${container.limits.memory} container memory limit, leaving no headroom for native memory (metaspace, thread stacks, direct buffers) on top of the heap${heapNote} (${setting})`,
            fact: `${sizing.flag} with a ${container.limits.memory} memory limit: no headroom for native memory`,
            subject: deployment.name,
            // A heap OutOfMemoryError in the logs means the heap did fill: then this is only part of it.
            weight: heapOom ? 0.5 : 0.88,
            appOrInfra: "infra",
            nextStep: `Give the ${deployment.name} JVM headroom below its ${container.limits.memory} limit: lower ${sizing.flag} to about 75% of it (or raise limits.memory above heap + native use), and check what native memory grows (NMT: jcmd VM.native_memory summary)`,
            tool: result.tool,
          });
        }
      }
    }
    return analysis;
  },
};

/** The containers with their limits and env; `kubectl describe` text gives them for the deployment as a whole (one container). */
function containersOf(deployment: DeploymentRecord): ContainerSpec[] {
  const whole = { name: null, image: null, limits: deployment.limits, requests: deployment.requests, env: deployment.env };
  if (deployment.containers.length === 0) return [whole];
  if (deployment.containers.length > 1) return deployment.containers;
  const [only] = deployment.containers as [ContainerSpec];
  return [{ ...only, limits: only.limits.memory ? only.limits : deployment.limits, env: Object.keys(only.env).length > 0 ? only.env : deployment.env }];
}

/** The heap may take this share of the container limit or more: too little left for native memory. */
const NO_HEADROOM = 0.9;
/** A heap reading below this (percent of its max) is not a full heap. */
const HEAP_NOT_FULL = 85;
const UNIT: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** `-Xmx4g` (or `-XX:MaxRAMPercentage=95`) in the container's env or command line, as a share of its memory limit. */
export function heapSizing(container: ContainerSpec, args: readonly string[] = []): { flag: string; variable: string; setting: string; ratio: number } | null {
  const limit = parseMemory(container.limits.memory);
  if (!limit) return null;
  for (const [variable, value] of [...Object.entries(container.env), ...args.map((line) => ["args", line] as const)]) {
    const xmx = /-Xmx(\d+(?:\.\d+)?)([kmgt]?)\b/i.exec(value);
    if (xmx?.[1]) {
      const bytes = Number(xmx[1]) * (UNIT[(xmx[2] ?? "").toLowerCase()] ?? 1);
      return { flag: xmx[0], variable, setting: `${variable} "${value.trim()}"`, ratio: bytes / limit };
    }
    const percent = /-XX:MaxRAMPercentage=(\d+(?:\.\d+)?)/i.exec(value);
    if (percent?.[1]) return { flag: percent[0], variable, setting: `${variable} "${value.trim()}"`, ratio: Number(percent[1]) / 100 };
  }
  return null;
}

/** The JVM flags a workload's command line carries (`args`/`command` of its containers, or describe's `Args:`/`Command:` lines). */
function commandLines(data: unknown, text: string, workload: string): string[] {
  const lines: string[] = [];
  walkObjects(data, (object) => {
    const metadata = isObject(object.metadata) ? object.metadata : null;
    if (object.name !== workload && metadata?.name !== workload) return false;
    walkObjects(object, (inner) => {
      for (const key of ["args", "command"]) {
        const value = inner[key];
        const words = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : typeof value === "string" ? [value] : [];
        if (words.some((w) => JVM_HEAP_FLAG.test(w))) lines.push(words.join(" "));
      }
      return false;
    });
    return true;
  });
  if (lines.length > 0 || (data !== null && typeof data === "object")) return lines;
  const block = text.split(/^(?=Name:\s)/m).find((b) => new RegExp(`^Name:\\s+${workload.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`, "m").test(b));
  return (block ?? "").split(/\r?\n/).filter((line) => JVM_HEAP_FLAG.test(line) && !/^\s*[A-Z][A-Z0-9_]+:/.test(line)).map((line) => line.trim());
}
const JVM_HEAP_FLAG = /-Xmx\d|-XX:MaxRAMPercentage=/i;

/** Workloads with a pod OOMKilled now or in its last run (pod list) or an OOMKilling event. */
function oomKilledWorkloads(evidence: Evidence): Set<string> {
  const names = new Set<string>();
  for (const result of resultsFor(evidence, "get_pods_data")) {
    for (const pod of extractPods(result.data, result.text)) {
      if ([...pod.reasons, ...pod.lastReasons].some((r) => /OOMKill/i.test(r))) names.add(workloadOf(pod.name));
    }
  }
  for (const result of resultsFor(evidence, "get_pod_events")) {
    const pod = podOf(result);
    if (pod && extractEvents(result.data, result.text).some((e) => /OOMKill|out of memory/i.test(`${e.reason} ${e.message}`) && (e.ageSeconds ?? 0) < 24 * 3600)) names.add(workloadOf(pod));
  }
  return names;
}

function heapOutOfMemory(evidence: Evidence): boolean {
  return resultsFor(evidence, "pull_pod_logs").some((result) => /OutOfMemoryError: Java heap space/i.test(result.text));
}

/**
 * The highest heap reading in percent of this workload, null when none is given: metrics that name
 * its pods, or the cluster data's heap when the workload is the Conductor server (whose heap it is).
 */
function heapReading(evidence: Evidence, workload: string): number | null {
  const server = /conductor-server|(^|-)server$/.test(workload);
  const readings = [...resultsFor(evidence, "get_cluster_metrics"), ...resultsFor(evidence, "get_incident_details")]
    .filter((result) => server || result.text.includes(workload))
    .flatMap((result) => readMetrics(result.data, result.text))
    .filter((sample) => sample.role === "value" && sample.unit === "%" && /heap/i.test(sample.name) && !/non-?heap/i.test(sample.name));
  return readings.length > 0 ? Math.max(...readings.map((sample) => sample.value)) : null;
}

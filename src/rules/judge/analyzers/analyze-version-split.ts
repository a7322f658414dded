import { readMetrics, type MetricSample } from "../../read/read-metrics.ts";
import { isObject, readString, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** A heap (or memory) reading per pod over a range. */
const HEAP = /jvm_memory_used|heap/i;
/** Grew by half over the range: climbing. Within a fifth of where it started: flat. */
const CLIMBING = 1.5;
const FLAT = 0.2;

interface Trend {
  pod: string;
  version: string;
  first: number;
  last: number;
  peak: number;
}

/**
 * Replicas of one workload running two versions side by side (a canary, a paused rollout): when
 * the heap climbs on every pod of one version and stays flat on every pod of the other, under the
 * same workload, the difference is the version — a leak in it, not load or sizing. Reads the pods'
 * images (pod list) and the per-pod heap range (Prometheus matrix).
 */
export const analyzeVersionSplit: Analyzer = {
  name: "version split",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const versions = podVersions(evidence);
    if (versions.size === 0) return analysis;
    for (const result of resultsFor(evidence, "get_cluster_metrics", "get_infrastructure_metrics")) {
      const trends = readMetrics(result.data, result.text).flatMap((s) => trendOf(s, versions));
      for (const workload of new Set(trends.map((t) => workloadOf(t.pod)))) {
        const mine = trends.filter((t) => workloadOf(t.pod) === workload);
        const byVersion = new Map<string, Trend[]>();
        for (const t of mine) byVersion.set(t.version, [...(byVersion.get(t.version) ?? []), t]);
        if (byVersion.size < 2) continue;
        // Still at its highest at the end of the range: a climb, not a warm-up that levelled off.
        const climbing = [...byVersion.entries()].filter(([, ts]) => ts.every((t) => t.last >= t.first * CLIMBING && t.last >= t.peak * 0.9));
        const flat = [...byVersion.entries()].filter(([, ts]) => ts.every((t) => Math.abs(t.last - t.first) <= t.first * FLAT));
        if (climbing.length !== 1 || flat.length !== byVersion.size - 1) continue;
        const [version, leaking] = climbing[0] as [string, Trend[]];
        const others = flat.map(([v]) => v).join(", ");
        const show = (t: Trend) => `${t.pod} ${formatNumber(t.first)} → ${formatNumber(t.last)}`;
        for (const t of leaking) analysis.findings.push({ text: `${t.pod}: heap ${formatNumber(t.first)} → ${formatNumber(t.last)}`, note: `runs ${version}: climbing`, tool: result.tool, weight: 0.8, key: "version-leak" });
        for (const [v, ts] of flat) for (const t of ts) analysis.findings.push({ text: `${t.pod}: heap ${formatNumber(t.first)} → ${formatNumber(t.last)}`, note: `runs ${v}: flat`, tool: result.tool, weight: 0.6, key: "version-leak" });
        analysis.candidates.push({
          key: "version-leak",
          cause: `A heap leak in ${workload} version ${version}: heap climbs only on its ${version} pods (${leaking.map(show).join("; ")} bytes) while the ${others} pods of the same workload stay flat (${flat.flatMap(([, ts]) => ts).map(show).join("; ")} bytes)`,
          fact: `heap climbs only on ${workload}'s ${version} pods`,
          weight: 0.84,
          appOrInfra: "app",
          nextStep: `Halt the ${version} rollout and roll ${workload}'s ${version} pods back to ${others}; take a heap histogram of a ${version} pod in a maintenance window (not from the bot) to find what accumulates`,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

function trendOf(sample: MetricSample, versions: ReadonlyMap<string, string>): Trend[] {
  const pod = sample.labels.pod;
  if (!pod || sample.first === null || sample.first <= 0 || !HEAP.test(sample.name) || sample.role !== "value") return [];
  if (sample.labels.area && sample.labels.area !== "heap") return [];
  const version = versions.get(pod);
  return version ? [{ pod, version, first: sample.first, last: sample.value, peak: sample.peak ?? sample.value }] : [];
}

/** Each pod's image tag (its first container's), from a pod list of any JSON shape. */
function podVersions(evidence: Evidence): Map<string, string> {
  const versions = new Map<string, string>();
  for (const result of resultsFor(evidence, "get_pods_data")) {
    walkObjects(result.data, (object: JsonObject) => {
      const metadata = object.metadata;
      const name = isObject(metadata) ? readString(metadata, "name") : readString(object, "pod", "name");
      if (!name) return false;
      const image = readString(object, "image") ?? containerImage(object);
      const tag = image ? /:([^:/@]+)$/.exec(image)?.[1] : undefined;
      if (!tag) return false;
      // A pod claimed: its containers are not pods.
      if (!versions.has(name)) versions.set(name, tag);
      return true;
    });
  }
  return versions;
}

function containerImage(pod: JsonObject): string | null {
  const spec = pod.spec;
  const containers = isObject(spec) && Array.isArray(spec.containers) ? spec.containers : [];
  const first = containers.find(isObject);
  return first ? readString(first, "image") : null;
}

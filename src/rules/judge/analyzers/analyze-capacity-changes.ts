import { currentRevision, extractHelmHistory } from "../../read/read-helm.ts";
import { extractSettingChanges, type SettingChange } from "../../read/read-changes.ts";
import { readMetrics, type MetricSample } from "../../read/read-metrics.ts";
import { formatNumber, hasIssue } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, ToolEvidence } from "../../types.ts";

/** A ceiling that fell by at least this share while the reading it bounds stayed within USAGE_FLAT. */
const STEP_DOWN = 0.25;
const USAGE_FLAT = 1.25;

interface Resource {
  /** Its ceiling, as the cause names it, and what the alert measures against it. */
  label: string;
  usage: string;
  /** The settings that bound it, by key or by the path they sit under. */
  setting: (change: SettingChange) => boolean;
  /** Metric names of its ceiling (a limit series) in the cluster metrics. */
  ceiling: RegExp;
}

const REDIS: Resource = {
  label: "Redis's memory ceiling",
  usage: "Redis usage",
  setting: (c) => /^maxmemory$/i.test(c.key) || (/^memory$/i.test(c.key) && c.path.some((p) => /redis/i.test(p)) && c.path.some((p) => /^limits?$/i.test(p))),
  ceiling: /redis.*(max|limit)|maxmemory/i,
};
const HEAP: Resource = { label: "The JVM heap ceiling", usage: "heap usage", setting: (c) => /xmx|heap/i.test(c.key), ceiling: /heap.*(max|limit)|jvm_memory_max/i };
const POSTGRES: Resource = { label: "Postgres's connection limit", usage: "the connection count", setting: (c) => /max[_-]?connections/i.test(c.key), ceiling: /max[_-]?connections/i };

/**
 * A capacity setting a recorded change lowered (Redis maxmemory, -Xmx, max_connections), under
 * an alert on what it bounds: the same load now reads a higher share of a smaller ceiling. Read
 * from a diff of the release's values (the old and new lines are quoted), or from the ceiling's
 * own metric stepping down while the usage stayed flat.
 */
export const analyzeCapacityChanges: Analyzer = {
  name: "capacity changes",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const resource = hasIssue(evidence, "REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE") ? REDIS : hasIssue(evidence, "CONDUCTOR_HIGH_HEAP_USAGE") ? HEAP : hasIssue(evidence, "CONDUCTOR_HEALTHY", "RESPONSE_TIME") ? POSTGRES : null;
    if (!resource) return analysis;
    const usage = usageOf(evidence, resource);
    for (const result of evidence.results) {
      if (result.status !== "ok" || result.tool === "pull_pod_logs") continue;
      const lowered = extractSettingChanges(result.text).filter((c) => c.lowered && resource.setting(c));
      // The setting itself (maxmemory) before a limit that makes room for it.
      const change = lowered.find((c) => !/^memory$/i.test(c.key)) ?? lowered[0];
      if (!change) continue;
      const when = revisionOf(result);
      const flat = usage && usage.first !== null && usage.value <= usage.first * USAGE_FLAT ? `, while the data it holds stayed flat (${describe(usage)})` : "";
      // Usage that grew as well shares the blame: the cut is then one cause of two.
      const grew = usage !== null && usage.first !== null && usage.value > usage.first * USAGE_FLAT;
      const setting = [...change.path.slice(-2), change.key].join(".");
      // The diff lines sit together in the output; the revision row is elsewhere: it goes in the note.
      analysis.findings.push({ text: `values diff: ${change.lines.map((l) => `"${l.replace(/\s+/g, " ")}"`).join(" then ")}`, note: when ?? undefined, tool: result.tool, weight: 0.85, key: "capacity-lowered" });
      analysis.candidates.push({
        key: "capacity-lowered",
        cause: `${resource.label} was cut by a change: ${setting} lowered from ${change.from} to ${change.to}${when ? ` in ${when}` : ""} (${change.lines.map((l) => `"${l.replace(/\s+/g, " ")}"`).join(" → ")})${flat}; the same load now reads a higher share of the smaller ceiling`,
        fact: `${change.key} lowered ${change.from} → ${change.to}${when ? ` (${when})` : ""}`,
        weight: grew ? 0.6 : 0.85,
        appOrInfra: "infra",
        nextStep: `Restore ${setting} to ${change.from} (roll back ${when ?? "the change"}, or size it to the measured usage plus headroom) and watch ${resource.usage} fall back below its threshold`,
        tool: result.tool,
      });
      return analysis;
    }
    // No recorded diff: the ceiling's own series stepping down under a flat usage says the same.
    for (const result of evidence.results) {
      const ceiling = readMetrics(result.data, result.text).find((s) => s.role === "limit" && resource.ceiling.test(s.name) && s.first !== null && s.value <= s.first * (1 - STEP_DOWN));
      if (!ceiling || ceiling.first === null) continue;
      const flat = usage && usage.first !== null && usage.value <= usage.first * USAGE_FLAT ? usage : null;
      if (!flat) continue;
      analysis.findings.push({ text: `${ceiling.name} ${formatNumber(ceiling.first)} → ${formatNumber(ceiling.value)}; ${describe(flat)}`, tool: result.tool, weight: 0.7, key: "capacity-lowered" });
      analysis.candidates.push({
        key: "capacity-lowered",
        cause: `${resource.label} was lowered: ${ceiling.name} fell from ${formatNumber(ceiling.first)} to ${formatNumber(ceiling.value)} within the window while the usage stayed flat (${describe(flat)}); the same load reads a higher share of a smaller ceiling`,
        fact: `${ceiling.name} ${formatNumber(ceiling.first)} → ${formatNumber(ceiling.value)}`,
        weight: 0.7,
        appOrInfra: "infra",
        nextStep: `Find the change that lowered ${ceiling.name} (helm history, the config) and restore the previous value`,
        tool: result.tool,
      });
      break;
    }
    return analysis;
  },
};

/** The reading the ceiling bounds, over the window (first and latest): used memory, heap used, connections. */
function usageOf(evidence: Evidence, resource: Resource): MetricSample | null {
  const name = resource === REDIS ? /redis.*used|used_memory/i : resource === HEAP ? /heap.*used|jvm_memory_used/i : /connections|numbackends|activity_count/i;
  for (const result of evidence.results) {
    const sample = readMetrics(result.data, result.text).find((s) => s.role === "value" && name.test(s.name) && s.first !== null);
    if (sample) return sample;
  }
  return null;
}

function describe(sample: MetricSample): string {
  return `${sample.name} ${formatNumber(sample.first ?? sample.value)} → ${formatNumber(sample.value)}`;
}

/** The helm revision live now, as `revision 38 at Tue Dec 1 10:41:57 2026`, when the same output lists the history. */
function revisionOf(result: ToolEvidence): string | null {
  const current = currentRevision(extractHelmHistory(result.data, result.text));
  return current ? `helm revision ${current.revision}${current.updated ? ` at ${current.updated.replace(/\s+/g, " ")}` : ""}` : null;
}

import { extractUsage, type UsageRecord } from "../../read/read-usage.ts";
import { findMetric } from "../../read/read-metrics.ts";
import { formatNumber, hasIssue, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** The hot pod (or process) by CPU or memory, from top output or metrics; heap/CPU % from cluster data. */
export const analyzeHotPod: Analyzer = {
  name: "hot pod",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const cpuAlert = hasIssue(evidence, "CONDUCTOR_HIGH_CPU_USAGE");
    const heapAlert = hasIssue(evidence, "CONDUCTOR_HIGH_HEAP_USAGE");
    for (const result of resultsFor(evidence, "get_top_output", "get_infrastructure_metrics", "get_cluster_metrics")) {
      const usage = extractUsage(result.data, result.text);
      const pod = podOf(result);
      const byCpu = topBy(usage, (u) => u.cpuPercent ?? u.cpuMillis);
      if (byCpu) {
        const others = usage.length > 1 ? ` (${usage.length} listed; next ${describeCpu(byCpu.next)})` : "";
        analysis.findings.push({ text: `hottest by CPU: ${pod && byCpu.top.cpuPercent !== null ? `${pod} / ` : ""}${describeCpu(byCpu.top)}${others}`, tool: result.tool, weight: cpuAlert ? 0.6 : 0.3, key: "cpu-hot" });
        if (cpuAlert) {
          analysis.candidates.push({
            key: "cpu-hot",
            cause: `CPU is consumed by ${pod ?? byCpu.top.name} (${describeCpu(byCpu.top)}); what it is doing is not yet known`,
            weight: 0.4,
            appOrInfra: "unknown",
            nextStep: `Look at the busiest RUNNABLE threads in a thread dump of ${pod ?? byCpu.top.name}, and compare with the decider queue`,
            tool: result.tool,
          });
        }
      }
      const byMemory = topBy(usage, (u) => u.memoryBytes);
      if (byMemory && heapAlert) {
        analysis.findings.push({ text: `most memory: ${byMemory.top.name} at ${formatBytes(byMemory.top.memoryBytes ?? 0)}`, tool: result.tool, weight: 0.5, key: "heap" });
      }
      const heap = findMetric(result.data, result.text, /heap/);
      if (heap !== null && heapAlert) analysis.findings.push({ text: `heap reading: ${formatNumber(heap)}${heap <= 100 ? "%" : ""}`, tool: result.tool, weight: 0.45, key: "heap" });
    }
    return analysis;
  },
};

function topBy(usage: UsageRecord[], value: (u: UsageRecord) => number | null): { top: UsageRecord; next: UsageRecord | undefined } | null {
  const ranked = usage.filter((u) => value(u) !== null).sort((a, b) => (value(b) ?? 0) - (value(a) ?? 0));
  const top = ranked[0];
  return top ? { top, next: ranked[1] } : null;
}

function describeCpu(usage: UsageRecord | undefined): string {
  if (!usage) return "none";
  if (usage.cpuPercent !== null) return `${usage.name} at ${formatNumber(usage.cpuPercent)}% CPU`;
  return `${usage.name} at ${formatNumber(Math.round(usage.cpuMillis ?? 0))}m CPU`;
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

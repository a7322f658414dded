import { formatNumber, logTextOf, resultsFor } from "../../evidence.ts";
import { readMetrics, type MetricSample } from "../../read/read-metrics.ts";
import { extractUsage, parseCpu } from "../../read/read-usage.ts";
import { readSettings, readWorkloads } from "../../read/read-settings.ts";
import { asText } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence, RuleFinding } from "../../types.ts";

/** The cluster DNS server's pods and deployment. */
const DNS_SERVER = /coredns|kube-dns/i;
/** Throttled for this share of its CFS periods, a container cannot keep up with what it is asked. */
const THROTTLED = 0.25;

/**
 * The cluster DNS server overloaded: CoreDNS CPU-throttled at its CPU limit (CFS throttled
 * periods, usage at the limit) while its query rate climbs, so lookups queue and time out. When
 * pods resolve with a high `ndots` and several search domains, every external name is first tried
 * under each search suffix (NXDOMAIN answers in CoreDNS's log), which multiplies the queries:
 * named as the amplifier when the outputs show it.
 */
export const analyzeDnsLoad: Analyzer = {
  name: "cluster DNS load",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const limit = dnsCpuLimit(evidence);
    const throttle = throttling(evidence) ?? usageAtLimit(evidence, limit?.cpu ?? null);
    if (!throttle) return analysis;
    analysis.findings.push(throttle.finding);
    if (limit) analysis.findings.push(limit.finding);
    const rate = queryRate(evidence);
    if (rate) analysis.findings.push(rate.finding);
    const ndots = searchFanOut(evidence);
    analysis.findings.push(...(ndots?.findings ?? []));
    const server = limit?.name ?? throttle.pod ?? "CoreDNS";
    const limitText = limit ? ` at its ${limit.cpu} CPU limit` : " at its CPU limit";
    const rising = rate ? `, while its query rate rose from ${formatNumber(rate.first)} to ${formatNumber(rate.peak)}/s` : "";
    const amplifier = ndots ? `; ${ndots.option} with search domains makes each external lookup try every search suffix first (${ndots.nxdomain} NXDOMAIN answers in its log), multiplying the queries` : "";
    analysis.candidates.push({
      key: "dns-overload",
      cause: `The cluster DNS server (CoreDNS, ${server}) is CPU-throttled${limitText} (${throttle.measured})${rising}${amplifier}, so lookups queue and time out`,
      fact: `CoreDNS throttled${limitText}`,
      weight: limit ? 0.82 : 0.7,
      appOrInfra: "infra",
      nextStep: `Raise ${server}'s CPU limit (${limit?.cpu ?? "resources.limits.cpu"}) or add replicas (cluster-proportional-autoscaler)${ndots ? `, and lower ndots (dnsConfig options ndots: 1–2) or use fully qualified names (a trailing dot) in the workloads that resolve external names` : ""}`,
      tool: throttle.finding.tool,
    });
    return analysis;
  },
};

function dnsSample(sample: MetricSample): string | null {
  const pod = sample.labels.pod ?? sample.labels.container ?? sample.labels.deployment ?? "";
  return DNS_SERVER.test(pod) ? pod : DNS_SERVER.test(sample.name) ? sample.name : null;
}

/** CFS throttling of a DNS server pod: a ratio (0.9) or a percentage (90) of periods throttled. */
interface Throttle {
  /** What was measured, for the cause: `90% of CFS periods throttled`, `98m of its 100m`. */
  measured: string;
  pod: string | null;
  finding: RuleFinding;
}

function throttling(evidence: Evidence): Throttle | null {
  for (const result of resultsFor(evidence, "get_cluster_metrics")) {
    const worst = readMetrics(result.data, result.text)
      .filter((s) => /throttl/i.test(s.name) && dnsSample(s) !== null)
      .map((s) => ({ s, ratio: s.value > 1 ? s.value / 100 : s.value }))
      .sort((a, b) => b.ratio - a.ratio)[0];
    if (!worst || worst.ratio < THROTTLED) continue;
    const pod = worst.s.labels.pod ?? null;
    return { measured: `${Math.round(worst.ratio * 100)}% of CFS periods throttled`, pod, finding: { text: `${pod ?? "CoreDNS"}: CFS throttled ${worst.s.value}`, note: `${Math.round(worst.ratio * 100)}% of CPU periods throttled (${worst.s.name})`, tool: result.tool, weight: 0.8, key: "dns-overload" } };
  }
  return null;
}

/** Without a throttling series: a DNS pod's CPU use (kubectl top, metrics in cores) at 90% or more of its limit. */
function usageAtLimit(evidence: Evidence, limit: string | null): Throttle | null {
  const limitMillis = limit ? parseCpu(limit) : null;
  if (!limitMillis) return null;
  for (const result of resultsFor(evidence, "get_top_output", "get_cluster_metrics")) {
    const fromTop = result.tool === "get_top_output" ? extractUsage(result.data, result.text).filter((u) => DNS_SERVER.test(u.name) && u.cpuMillis !== null).map((u) => ({ ...u, raw: `${u.cpuMillis}m` })) : [];
    const fromMetrics = result.tool === "get_cluster_metrics"
      ? readMetrics(result.data, result.text)
          .filter((s) => s.role === "value" && /cpu/i.test(s.name) && !/throttl|limit|request/i.test(s.name) && dnsSample(s) !== null && s.value < 64)
          .map((s) => ({ name: dnsSample(s) as string, cpuMillis: s.value * 1000, raw: `${s.value}` }))
      : [];
    const busiest = [...fromTop, ...fromMetrics].sort((a, b) => (b.cpuMillis ?? 0) - (a.cpuMillis ?? 0))[0];
    if (!busiest?.cpuMillis || busiest.cpuMillis < 0.9 * limitMillis) continue;
    const used = `${Math.round(busiest.cpuMillis)}m`;
    return { measured: `${used} used of its ${limit}`, pod: busiest.name, finding: { text: `${busiest.name}: CPU ${busiest.raw}`, note: `${used} at its ${limit} limit`, tool: result.tool, weight: 0.7, key: "dns-overload" } };
  }
  return null;
}

/** The DNS server deployment's CPU limit, as its deployment shows it. */
function dnsCpuLimit(evidence: Evidence): { name: string; cpu: string; finding: RuleFinding } | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const dns = readWorkloads(result.data, result.text).find((d) => DNS_SERVER.test(d.name) && d.limits.cpu);
    if (dns?.limits.cpu) return { name: dns.name, cpu: dns.limits.cpu, finding: { text: `deployment ${dns.name}: limits cpu ${dns.limits.cpu}`, tool: result.tool, weight: 0.7, key: "dns-overload" } };
  }
  return null;
}

/** The DNS request rate from its first to its highest sample (a range query), when it at least tripled. */
function queryRate(evidence: Evidence): { first: number; peak: number; finding: RuleFinding } | null {
  for (const result of resultsFor(evidence, "get_cluster_metrics")) {
    const sample = readMetrics(result.data, result.text).find((s) => /dns.*requests?|requests?.*dns/i.test(s.name) && s.first !== null && s.peak !== null && s.peak >= 3 * s.first && s.first > 0);
    if (sample?.first != null && sample.peak != null) {
      return { first: sample.first, peak: sample.peak, finding: { text: `${dnsSample(sample) ?? sample.name}: DNS requests ${sample.first} → ${sample.peak}`, note: `per second (${sample.name})`, tool: result.tool, weight: 0.6, key: "dns-overload" } };
    }
  }
  return null;
}

/** `ndots=5` / `ndots:5` (≥ 2) in the workloads' DNS config or resolv.conf, with CoreDNS answering NXDOMAIN for names tried under search suffixes. */
function searchFanOut(evidence: Evidence): { option: string; nxdomain: number; findings: RuleFinding[] } | null {
  const findings: RuleFinding[] = [];
  let option: string | null = null;
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const setting = readSettings(result.data, result.text).find((s) => s.key.toLowerCase() === "ndots" && Number(s.value) >= 2);
    if (setting) {
      option = `ndots=${setting.value}`;
      findings.push({ text: `${setting.workload ? `deployment ${setting.workload}: ` : ""}ndots=${setting.value}`, tool: result.tool, weight: 0.6, key: "dns-overload" });
      break;
    }
  }
  let nxdomain = 0;
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const text = logTextOf(result);
    if (!option) {
      const match = /\bndots[:=](\d+)/.exec(asText(text));
      if (match?.[1] && Number(match[1]) >= 2) option = `ndots:${match[1]}`;
    }
    // A name queried with a cluster or search suffix appended (`api.example.com.ns.svc.cluster.local.`) and not found.
    nxdomain += text.split(/\r?\n/).filter((line) => /\bNXDOMAIN\b/.test(line) && /\b[\w-]+\.[a-z]{2,}\.[\w-]+(?:\.[\w-]+)+\.?"?\s/i.test(line)).length;
  }
  return option && nxdomain >= 3 ? { option, nxdomain, findings } : null;
}

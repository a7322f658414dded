import { extractPods } from "../../read/read-pods.ts";
import { walkObjects } from "../../read/walk-json.ts";
import { logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, RuleFinding } from "../../types.ts";

/**
 * Times that cannot be true: a token "not yet valid", a timestamp "in the future", a negative age,
 * a request signature from the past. When only the pods of one node print them, that node's clock
 * is off — its time synchronisation (NTP, chrony) stopped — and the node's own time-sync readings
 * (sync status, offset, the daemon's unit state) say so when the metrics carry them.
 */
export const analyzeClockSkew: Analyzer = {
  name: "clock skew",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const pulled = resultsFor(evidence, "pull_pod_logs").flatMap((result) => {
      const pod = podOf(result);
      if (!pod) return [];
      const lines = logTextOf(result).split(/\r?\n/).filter((line) => (CLOCK_SKEW.test(line) || FUTURE.test(line)) && !EXPIRED.test(line));
      return [{ pod, lines, tool: result.tool }];
    });
    // "In the future" alone is a scheduled time as often as a wrong clock: it counts beside an unambiguous line only.
    if (!pulled.some((p) => p.lines.some((line) => CLOCK_SKEW.test(line)))) return analysis;
    const skewed = pulled.filter((p) => p.lines.length > 0);
    const line = bestLine(skewed.flatMap((p) => p.lines.filter((l) => CLOCK_SKEW.test(l))));
    for (const p of skewed) analysis.findings.push({ text: `${p.pod}: ${quoteLine(bestLine(p.lines))}`, note: `×${p.lines.length} times that cannot be true (clock skew)`, tool: p.tool, weight: 0.7, key: "clock-skew" });

    const nodes = podNodes(evidence);
    const nodeOf = (pod: string) => nodes.get(pod)?.node ?? null;
    const skewedNodes = [...new Set(skewed.map((p) => nodeOf(p.pod)))];
    const clean = pulled.filter((p) => p.lines.length === 0 && nodeOf(p.pod) !== null);
    const only = skewedNodes.length === 1 ? skewedNodes[0] : null;
    const confined = only !== null && only !== undefined && clean.length > 0 && clean.every((p) => nodeOf(p.pod) !== only);
    // The node whose own time sync is down is the answer, whichever side logs: a node whose clock runs
    // ahead issues tokens the others reject as not yet valid.
    const drifted = [...new Set([...nodes.values()].map((n) => n.node))].map((node) => ({ node, sync: timeSync(evidence, node) })).filter((n) => n.sync.facts.length > 0 || n.sync.offset !== null);
    const node = drifted.length === 1 ? (drifted[0]?.node ?? null) : confined ? only : null;
    const quoted = quoteLine(line, 160);
    const tool = skewed[0]?.tool ?? "pull_pod_logs";
    if (!node) {
      analysis.candidates.push({
        key: "clock-skew",
        cause: `Clocks disagree between ${skewed.map((p) => p.pod).slice(0, 3).join(", ")} and the clients or servers it talks to: its logs show times that cannot be true (${quoted}); a clock whose time sync (NTP, chrony) stopped`,
        fact: `clock skew: ${quoted}`,
        weight: 0.5,
        template: true,
        appOrInfra: "infra",
        nextStep: "Compare the clocks of the nodes these pods run on (node_timex_offset_seconds, chronyc tracking) and restart the time-sync daemon on the node that drifted",
        tool,
      });
      return analysis;
    }
    const onNode = skewed.filter((p) => nodeOf(p.pod) === node);
    for (const p of onNode) {
      const record = nodes.get(p.pod);
      if (record) analysis.findings.push({ text: `${p.pod} runs on node ${node}`, tool: record.tool, weight: 0.6, key: "clock-skew" });
    }
    const sync = drifted.find((n) => n.node === node)?.sync ?? timeSync(evidence, node);
    analysis.findings.push(...sync.findings);
    const names = (list: typeof pulled) => list.map((p) => p.pod).slice(0, 3).join(", ");
    const elsewhere = [...new Set(clean.map((p) => nodeOf(p.pod) as string))].filter((n) => n !== node).slice(0, 2).join(", ");
    const offset = sync.offset !== null ? ` by ${sync.offset} s` : "";
    const symptom =
      onNode.length > 0
        ? `the pods on that node (${names(onNode)}) log times that cannot be true (${quoted})${elsewhere ? ` while the pods on other nodes (${elsewhere}) do not` : ""}`
        : `pods on other nodes (${names(skewed)}) reject its times (${quoted})`;
    // Measured on the node (a time daemon down, unsynchronised, an offset): direct evidence; else the usual reading.
    const measured = sync.facts.length > 0 || sync.offset !== null;
    analysis.candidates.push({
      key: "clock-skew",
      cause:
        sync.facts.length > 0
          ? `The clock of node ${node} is off${offset}: its time synchronisation (NTP) stopped (${sync.facts.join(", ")}), so ${symptom}`
          : measured
            ? `The clock of node ${node} is off${offset} (its time synchronisation, NTP, is not keeping it), so ${symptom}`
            : `The clock of one node, ${node}, is off: ${symptom}; its time synchronisation (NTP, chrony) is not keeping it`,
      fact: `node ${node}: clock off${offset}${sync.facts.length > 0 ? ` (${sync.facts[0]})` : ""}`,
      subject: node,
      weight: measured ? 0.88 : 0.75,
      ...(measured ? {} : { template: true }),
      appOrInfra: "infra",
      nextStep: `Restore time sync on node ${node} (restart chronyd/ntpd there and check chronyc tracking), or cordon and drain it; its pods recover once its clock is right`,
      tool,
    });
    return analysis;
  },
};

/** Log lines whose times cannot be true on a synchronised clock. */
const CLOCK_SKEW =
  /\bnot (yet )?valid yet\b|\bnot yet valid\b|\bused before (issued|its nbf)|\bclock (skew|drift)|\bskewed clock|\btime skew|\bnegative age\b|RequestTimeTooSkewed|\bis now earlier than\b|\btime (is )?out of sync|\bclock is (ahead|behind)|\bjwt not active\b|\bnot yet current\b|PrematureJwt|must not be accepted before|\bissued in the future/i;
/** Go's x509 "has expired or is not yet valid: current time X is after Y" is an expired certificate, not a wrong clock. */
const EXPIRED = /has expired or is not yet valid[^\n]*\bis after\b/i;
/** Times in the future: telling only beside an unambiguous line. */
const FUTURE = /\bis in the future\b|\bin the future relative to\b/i;
/** A line carrying a long token is not one to quote. */
const TOKEN = /eyJ[\w-]{8,}|[A-Za-z0-9+/_-]{40,}/;

function bestLine(lines: readonly string[]): string {
  return lines.find((line) => !TOKEN.test(line)) ?? (lines[0] ?? "").replace(TOKEN, "…");
}

/** Each pod's node, from the pod lists (`-o wide`, JSON spec.nodeName), with the call that says so. */
function podNodes(evidence: Evidence): Map<string, { node: string; tool: string }> {
  const nodes = new Map<string, { node: string; tool: string }>();
  for (const result of resultsFor(evidence, "get_pods_data")) {
    for (const pod of extractPods(result.data, result.text)) {
      if (pod.node && !/^<none>$/i.test(pod.node)) nodes.set(pod.name, { node: pod.node, tool: result.tool });
    }
  }
  return nodes;
}

/**
 * The node's time-sync readings in the infrastructure metrics: lines naming the node (or its short
 * name) that speak of sync status, offset, or the time daemon's unit state.
 */
export function timeSync(evidence: Evidence, node: string): { facts: string[]; offset: number | null; findings: RuleFinding[] } {
  const short = node.split(".")[0] ?? node;
  const facts: string[] = [];
  const findings: RuleFinding[] = [];
  let offset: number | null = null;
  // Text output line by line (Prometheus exposition, `chronyc`-style lines); JSON below, object by object.
  for (const result of resultsFor(evidence, "get_infrastructure_metrics").filter((r) => r.data === null || typeof r.data !== "object")) {
    for (const line of result.text.split(/\r?\n/)) {
      if (!mentionsNode(line, short) || !/chrony|ntp|timesync|timex|clock|time.?sync/i.test(line)) continue;
      const unit = /\b(chronyd|chrony|ntpd|systemd-timesyncd)(\.service)?/i.exec(line)?.[0];
      const unitDown = unit && (/state="?(failed|inactive|dead)"?[^\n]*\}\s+1(\.0)?\s*$/i.test(line) || (!/\}\s+[\d.]+\s*$/.test(line) && /\b(failed|inactive|dead|stopped)\b/i.test(line)));
      const unsynced = /sync\w*[^\n]*?(\}\s*|[:=]\s*)(0|false)\s*,?\s*$/i.test(line) && !/offset/i.test(line);
      const drift = /offset[^\n]*?(?:\}\s*|[:=]\s*)(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s*(?:s|seconds)?\s*,?\s*$/i.exec(line);
      const fact = unitDown ? `${unit} ${/inactive|dead|stopped/i.exec(line)?.[0] ?? "failed"}` : unsynced ? "clock not synchronised" : drift && Math.abs(Number(drift[1])) >= MIN_OFFSET ? `offset ${Number(drift[1])} s` : null;
      if (!fact) continue;
      if (drift && offset === null && Math.abs(Number(drift[1])) >= MIN_OFFSET) offset = Number(drift[1]);
      if (!facts.includes(fact)) facts.push(fact);
      findings.push({ text: `node ${short}: ${line.trim().slice(0, 160)}`, tool: result.tool, weight: 0.7, key: "clock-skew" });
    }
  }
  for (const result of resultsFor(evidence, "get_infrastructure_metrics")) {
    walkObjects(result.data, (object) => {
      if (!Object.values(object).some((v) => typeof v === "string" && (v === node || v === short || v.startsWith(`${short}.`)))) return false;
      for (const [path, value] of leaves(object, "", 0)) {
        const reading = readSyncLeaf(path, value);
        if (!reading) continue;
        if (reading.offset !== undefined && offset === null) offset = reading.offset;
        if (reading.fact && !facts.includes(reading.fact)) facts.push(reading.fact);
        findings.push({ text: `node ${short}: ${path.split(".").pop()} ${String(value)}`, tool: result.tool, weight: 0.7, key: "clock-skew" });
      }
      return true;
    });
  }
  return { facts: facts.filter((f) => !f.startsWith("offset")), offset, findings: findings.slice(0, 3) };
}

/** An offset below this (seconds) is ordinary jitter, not a clock that stopped being synchronised. */
const MIN_OFFSET = 5;

/** True when the line names this node (`ip-10-0-3-17` is not `ip-10-0-3-170`). */
function mentionsNode(line: string, short: string): boolean {
  return new RegExp(`(^|[^\\w-])${short.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`).test(line);
}

/** A node object's leaves as `path → value` (`ntp.synchronized → false`), a few levels deep. */
function leaves(value: unknown, path: string, depth: number): [string, unknown][] {
  if (depth > 3 || value === null || typeof value !== "object") return path ? [[path, value]] : [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key, depth + 1));
}

/** What one JSON leaf says about a node's time sync: unsynchronised, an offset (seconds), or its daemon down. */
function readSyncLeaf(path: string, value: unknown): { fact?: string; offset?: number } | null {
  const daemon = /chronyd?|ntpd?|timesyncd/i.exec(path)?.[0] ?? (typeof value === "string" ? /chronyd?|ntpd?|timesyncd/i.exec(value)?.[0] : undefined);
  if (/offset|skew|drift/i.test(path) && typeof value === "number") {
    const seconds = /ms\b|millis/i.test(path) ? value / 1000 : value;
    return Math.abs(seconds) >= MIN_OFFSET ? { offset: seconds } : null;
  }
  if (/sync/i.test(path) && (value === false || value === 0 || (typeof value === "string" && /^(no|false|unsynchroni[sz]ed|not synchroni[sz]ed)$/i.test(value)))) return { fact: "clock not synchronised" };
  if (daemon && typeof value === "string" && /\b(failed|inactive|dead|stopped)\b/i.test(value)) return { fact: `${daemon} ${/failed|inactive|dead|stopped/i.exec(value)?.[0]}` };
  return null;
}

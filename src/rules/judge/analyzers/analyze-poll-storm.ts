import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { readMetrics } from "../../read/read-metrics.ts";
import { readSettings, readWorkloads, type Setting } from "../../read/read-settings.ts";
import { normalizeKey } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence, RuleFinding } from "../../types.ts";
import { sameThing } from "../rank-along-graph.ts";

/** A poll interval this short (ms) turns every worker thread into a busy loop of empty polls. */
const TIGHT_MS = 10;

/**
 * A worker fleet polling in a tight loop: a poll interval of a few milliseconds (often with batch
 * size 1 and no long-poll timeout) on many replicas makes the server answer tens of thousands of
 * empty polls a second, which is where its CPU goes. Read from the workers' configured interval
 * (any env key naming a poll interval), confirmed by the server's poll counts (mostly empty, HTTP
 * 204) in metrics or logs.
 */
export const analyzePollStorm: Analyzer = {
  name: "poll storm",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const tight = resultsFor(evidence, "get_deployments_info").flatMap((result) => {
      const workloads = readWorkloads(result.data, result.text);
      const settings = readSettings(result.data, result.text);
      return settings.flatMap((setting) => {
        const ms = intervalMs(setting);
        if (ms === null || ms > TIGHT_MS || !setting.workload) return [];
        const replicas = workloads.find((w) => w.name === setting.workload)?.desired ?? null;
        const batch = settings.find((s) => s.workload === setting.workload && /batch.?size|poll.?count/i.test(s.key));
        return [{ setting, ms, replicas, batch, tool: result.tool }];
      });
    });
    const polls = pollEvidence(evidence);
    if (tight.length === 0) {
      // No interval in sight: a flood of empty polls for one task type still names the workers that poll it.
      const flood = polls.find((p) => p.task && p.rate !== null && p.rate >= FLOOD_PER_SECOND);
      const workload = flood?.task ? pollers(evidence, flood.task) : null;
      if (flood && workload) {
        analysis.findings.push(flood.finding);
        analysis.candidates.push({
          key: "poll-storm",
          cause: `The ${workload.name} deployment${workload.replicas !== null ? ` (${formatNumber(workload.replicas)} replica${workload.replicas === 1 ? "" : "s"})` : ""} polls ${flood.task} in a tight loop: ${flood.said}, almost all empty polls, so the Conductor servers spend their CPU and request threads answering them (its poll interval is far too short)`,
          fact: `${workload.name} flooding empty polls`,
          weight: 0.65,
          appOrInfra: "app",
          nextStep: `Ask the owner of ${workload.name} for its poll interval and batch size, and to raise the interval (100–1000 ms) or use long polling`,
          tool: flood.finding.tool,
          subject: workload.name,
        });
      }
      return analysis;
    }
    analysis.findings.push(...polls.map((p) => p.finding));
    for (const { setting, ms, replicas, batch, tool } of tight) {
      const workload = setting.workload as string;
      // The setting as printed; its workload goes in the note (a describe block may name it far above the line).
      analysis.findings.push({ text: `${setting.key}=${setting.value}`, note: `${workload}: a ${ms} ms poll interval${replicas !== null ? ` on ${formatNumber(replicas)} replicas` : ""}`, tool, weight: 0.75, key: "poll-storm" });
      const fleet = replicas !== null ? ` (${formatNumber(replicas)} replica${replicas === 1 ? "" : "s"})` : "";
      const load = polls[0] ? `; the server answers mostly empty polls (${polls[0].said})` : "";
      analysis.candidates.push({
        key: "poll-storm",
        cause: `The ${workload} deployment${fleet} polls in a tight loop: a poll interval of ${ms} ms (${setting.key}=${setting.value}${batch ? `, ${batch.key}=${batch.value}` : ""})${load}, so the Conductor servers spend their CPU and request threads on empty polls`,
        fact: `${workload} polling every ${ms} ms`,
        weight: polls.length > 0 ? 0.8 : 0.6,
        appOrInfra: "app",
        nextStep: `Ask the owner of ${workload} to raise its poll interval (${setting.key}, e.g. 100–1000 ms) and batch size, or use long polling; the servers' CPU falls as soon as the fleet restarts with it`,
        tool,
        subject: workload,
      });
    }
    return analysis;
  },
};

/** The interval in milliseconds when the key names a poll interval: `…POLL_INTERVAL_MS=1`, `pollingInterval: 5ms`, `poll_interval_seconds=0`. */
function intervalMs(setting: Setting): number | null {
  const key = normalizeKey(setting.key);
  if (!/poll(?:ing)?(?:interval|delay|period)/.test(key)) return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/i.exec(setting.value);
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  const unit = match[2]?.toLowerCase() ?? (/(ms|millis\w*)$/.test(key) ? "ms" : /(seconds|secs|sec|s)$/.test(key) ? "s" : "ms");
  return unit === "s" ? value * 1000 : unit === "m" ? value * 60_000 : value;
}

/** The server's side of it: poll request rates answered 204 (empty) in metrics, or its poll counts with the share that was empty in logs. */
interface PollLoad {
  finding: RuleFinding;
  said: string;
  task: string | null;
  /** Empty polls per second, when a metric says. */
  rate: number | null;
}

/** Empty polls per second that no normal fleet makes (a few workers at 100 ms make tens). */
const FLOOD_PER_SECOND = 1_000;

/** The deployment named like the task it polls (`scan_file` → `scan-workers`), with its replicas. */
function pollers(evidence: Evidence, task: string): { name: string; replicas: number | null } | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const match = readWorkloads(result.data, result.text).find((d) => d.name !== task && sameThing(d.name, task) && !/conductor|server/i.test(d.name));
    if (match) return { name: match.name, replicas: match.desired };
  }
  return null;
}

function pollEvidence(evidence: Evidence): PollLoad[] {
  const found: PollLoad[] = [];
  for (const result of resultsFor(evidence, "get_cluster_metrics")) {
    const empty = readMetrics(result.data, result.text)
      .filter((s) => s.role === "value" && /poll/i.test(`${s.name} ${Object.values(s.labels).join(" ")}`) && Object.values(s.labels).includes("204"))
      .sort((a, b) => b.value - a.value)[0];
    if (empty && empty.value >= 100) {
      const task = empty.labels.taskType ?? empty.labels.task_type ?? empty.labels.tasktype;
      found.push({
        finding: { text: `${empty.name}${task ? ` ${task}` : ""} status 204: ${empty.value}`, note: "polls answered empty, per second", tool: result.tool, weight: 0.7, key: "poll-storm" },
        said: `${formatNumber(Math.round(empty.value))}/s answered 204${task ? ` for ${task}` : ""}`,
        task: task ?? null,
        rate: empty.value,
      });
    }
  }
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const line = logTextOf(result).split(/\r?\n/).find((l) => /\bpolls?\b/i.test(l) && /\bempty\b/i.test(l));
    if (line) {
      found.push({ finding: { text: `${podOf(result) ?? "the pod"}: ${quoteLine(line, 160)}`, tool: result.tool, weight: 0.7, key: "poll-storm" }, said: quoteLine(line, 120), task: null, rate: null });
      break;
    }
  }
  return found;
}

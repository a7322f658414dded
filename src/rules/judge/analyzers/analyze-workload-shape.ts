import { readMetrics } from "../../read/read-metrics.ts";
import { extractRows } from "../../read/read-rows.ts";
import { scanWorkload, type WorkloadScan } from "../../read/scan-workload.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, hasIssue, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

const SATURATION_TYPES = ["REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE", "CONDUCTOR_HIGH_HEAP_USAGE", "CONDUCTOR_HIGH_CPU_USAGE", "RESPONSE_TIME"];

/**
 * What fills Redis or the heap when it is not a backlog: workflows with oversized payloads, a
 * dynamic fork creating thousands of tasks, API requests asking for thousands of results, and
 * the Full GCs that follow. Causes only under a saturation alert; elsewhere they are context.
 */
export const analyzeWorkloadShape: Analyzer = {
  name: "workload shape",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const relevant = hasIssue(evidence, ...SATURATION_TYPES);
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result) ?? "the pod";
      const scan = scanWorkload(logTextOf(result));
      const tool = result.tool;
      const gc = describeGc(scan);
      if (gc) analysis.findings.push({ text: `${pod}: Full GC${scan.fullGc?.reclaim ? ` ${scan.fullGc.reclaim}` : ""}`, note: gc, tool, weight: 0.6, key: "heap" });
      // A full heap with no driver in sight (no big payloads, fan-out or searches): the live set fills it (a leak, or too small a heap).
      const full = scan.payloads || scan.fanOut || scan.requests ? null : fullHeap(scan);
      if (full) {
        const xmx = /-Xmx(\d+[kmgKMG])/.exec(logTextOf(result))?.[1];
        analysis.findings.push({ text: `${pod}: Full GC ${full.reclaim}${xmx ? ` with -Xmx${xmx}` : ""}`, note: gc ?? "", tool, weight: 0.7, key: "heap-too-small" });
        analysis.candidates.push({
          key: "heap-too-small",
          cause: `The ${pod} heap${xmx ? ` (-Xmx${xmx})` : ""} is exhausted by what it retains: it sits at its maximum and stop-the-world Full GC pauses (${full.reclaim}) reclaim little (live objects accumulate faster than they are freed: a leak, or a heap too small for the load), stalling the JVM long enough for requests and liveness probes to time out`,
          fact: `Full GC ${full.reclaim}${xmx ? `, -Xmx${xmx}` : ""}`,
          weight: 0.75,
          appOrInfra: "infra",
          nextStep: `Raise ${pod}'s heap (-Xmx) together with its container memory limit, or find what grew the live set (backlog, payloads, searches) before the next restart`,
          tool,
          subject: pod,
        });
      }
      const { payloads, fanOut, requests } = scan;
      if (payloads) {
        const storage = payloads.externalStorageOff ? "; external payload storage is disabled, so they are stored inline" : "";
        const subject = payloads.subject ? ` of ${payloads.subject}` : "";
        analysis.findings.push({ text: `${pod}: ${quoteLine(payloads.sample)}`, note: `${formatNumber(payloads.count)} oversized payloads${subject} (up to ${payloads.largest})${storage}`, tool, weight: 0.75, key: "payload" });
        if (relevant && payloads.count >= 3) {
          analysis.candidates.push({
            key: "payload",
            cause: payloads.task
              ? `Large task payloads fill Redis and the heap: task ${payloads.task}${payloads.subject ? ` (workflow ${payloads.subject})` : ""} carries ${payloads.direction ?? "input/output"} payloads up to ${payloads.largest} (×${formatNumber(payloads.count)} in ${pod}'s logs: ${quoteLine(payloads.sample, 200)})${storage}`
              : `Large workflow payloads fill Redis and the heap: ${payloads.subject ? `${payloads.subject} workflows` : "workflows"} carry inputs/outputs up to ${payloads.largest} (×${formatNumber(payloads.count)} in ${pod}'s logs)${storage}`,
            fact: payloads.task ? `task ${payloads.task} ${payloads.direction ?? "payloads"} up to ${payloads.largest}` : undefined,
            weight: 0.8,
            appOrInfra: "app",
            nextStep: `Enable external payload storage for this cluster, or ask the owner of ${payloads.task ? `task ${payloads.task}` : (payloads.subject ?? "these workflows")} to pass large data by reference instead of inline`,
            tool,
          });
        }
      }
      if (fanOut) {
        const via = fanOut.taskType ? ` via ${fanOut.taskType}` : "";
        analysis.findings.push({ text: `${pod}: ${quoteLine(fanOut.sample)}`, note: `${formatNumber(fanOut.count)} workflows${fanOut.subject ? ` of ${fanOut.subject}` : ""} with up to ${fanOut.largest}${via}`, tool, weight: 0.75, key: "fan-out" });
        if (relevant) {
          analysis.candidates.push({
            key: "fan-out",
            cause: `${fanOut.subject ?? "A workflow"} fans out into ${fanOut.largest ?? "thousands of tasks"} per workflow${via}; every task sits in Redis and every decide loads them all into the heap`,
            weight: 0.82,
            appOrInfra: "app",
            nextStep: `Ask the owner of ${fanOut.subject ?? "the workflow"} to batch the fan-out (sub-workflows of a few hundred tasks each)`,
            tool,
          });
        }
      }
      if (requests) {
        const periodic = requests.cadence !== null ? `, repeated every ~${Math.max(1, Math.round(requests.cadence))} s (a periodic caller, such as a dashboard's auto-refresh or a scheduled export)` : "";
        const by = `${requests.client ? ` by ${requests.client}` : ""}${periodic}`;
        const what = `${requests.endpoint ?? "API"} requests with ${requests.largest ?? "thousands of results"}`;
        analysis.findings.push({ text: `${pod}: ${quoteLine(requests.sample)}`, note: `${formatNumber(requests.count)} ${what}${by}`, tool, weight: 0.7, key: "large-requests" });
        if (relevant && requests.count >= 3) {
          analysis.candidates.push({
            key: "large-requests",
            cause: `Oversized ${what}${by} fill the heap of ${pod} (×${formatNumber(requests.count)} in its logs)${gc ? `, with ${gc}` : ""}`,
            weight: gc ? 0.85 : 0.7,
            appOrInfra: "app",
            nextStep: `Ask the owner of ${requests.client ?? "the client"} to page ${requests.endpoint ?? "its requests"} with a small page size (size <= 100) or run it off-peak`,
            tool,
          });
        }
      }
    }
    if (relevant) largestTaskPayload(evidence, analysis);
    return analysis;
  },
};

const BIG_PAYLOAD_BYTES = 2 ** 20;
const TASK_LABELS = ["taskType", "task_type", "taskDefName", "task_def_name", "task", "taskName"];

/**
 * Payload sizes by task type, from metrics (`conductor_task_output_size_bytes{taskType=...}`) or
 * SQL rows (a task column beside an output/input size column): the task whose payloads reach
 * megabytes is named, whatever the logs say.
 */
function largestTaskPayload(evidence: Evidence, analysis: Analysis): void {
  let best: { task: string; bytes: number; shown: string; what: string; tool: string } | null = null;
  const consider = (task: string | undefined | null, bytes: number | null, shown: string, what: string, tool: string) => {
    if (task && bytes !== null && bytes >= BIG_PAYLOAD_BYTES && (!best || bytes > best.bytes)) best = { task, bytes, shown, what, tool };
  };
  for (const result of resultsFor(evidence, "get_cluster_metrics", "get_infrastructure_metrics")) {
    for (const sample of readMetrics(result.data, result.text)) {
      if (sample.role !== "value" || !/(payload|output|input)/i.test(sample.name) || !/(size|bytes)/i.test(sample.name) || /_count$|_sum$/.test(sample.name)) continue;
      const task = TASK_LABELS.map((label) => sample.labels[label]).find(Boolean);
      // The value as a number may be written otherwise (9.874e6): the finding names the series, the size goes in the note.
      consider(task, sample.value, sample.name, /input/i.test(sample.name) ? "input" : "output", result.tool);
    }
  }
  for (const result of resultsFor(evidence, "run_sql_select")) {
    for (const row of extractRows(result.data, result.text)) {
      const entries = Object.entries(row).map(([k, v]) => [normalizeKey(k), k, v] as const);
      const task = entries.find(([k]) => /^(tasktype|taskdefname|taskname|task|reference|taskref)$/.test(k))?.[2];
      for (const [k, key, value] of entries) {
        const unit = /(output|input|payload)\w*?(kb|mb|bytes)$/.exec(k)?.[2];
        const n = toNumber(value);
        if (!unit || n === null) continue;
        consider(typeof task === "string" ? task : null, n * (unit === "kb" ? 1024 : unit === "mb" ? 2 ** 20 : 1), `${key} ${String(value)}`, /input/.test(k) ? "input" : "output", result.tool);
      }
    }
  }
  const found = best as { task: string; bytes: number; shown: string; what: string; tool: string } | null;
  if (!found) return;
  const size = `${(found.bytes / 2 ** 20).toFixed(1)} MiB`;
  analysis.findings.push({ text: `${found.task}: ${found.shown}`, note: `≈ ${size} per ${found.what}`, tool: found.tool, weight: 0.75, key: "payload" });
  analysis.candidates.push({
    key: "payload",
    cause: `Large task payloads fill Redis and the heap: task ${found.task} carries ${found.what} payloads of about ${size} (${found.shown}${/\d/.test(found.shown) ? "" : ` ${formatNumber(Math.round(found.bytes))} bytes`})`,
    fact: `task ${found.task} ${found.what} ≈ ${size}`,
    weight: 0.75,
    appOrInfra: "app",
    nextStep: `Enable external payload storage for this cluster, or ask the owner of task ${found.task} to pass large data by reference instead of inline`,
    tool: found.tool,
  });
}

/** Full GCs that reclaim under a tenth of a heap that is at its maximum: the live set fills the heap. */
function fullHeap(scan: WorkloadScan): { reclaim: string } | null {
  const gc = scan.fullGc;
  const match = gc?.reclaim ? /(\d+)([MGK])->(\d+)[MGK]\((\d+)[MGK]\)/.exec(gc.reclaim) : null;
  if (!gc || !match || gc.count < 2) return null;
  const [before, after, max] = [Number(match[1]), Number(match[3]), Number(match[4])];
  return after >= max * 0.85 && before - after < max * 0.1 ? { reclaim: gc.reclaim as string } : null;
}

function describeGc(scan: WorkloadScan): string | null {
  const gc = scan.fullGc;
  if (!gc) return null;
  return `${formatNumber(gc.count)} Full GC pause${gc.count === 1 ? "" : "s"}${gc.reclaim ? ` reclaiming little (${gc.reclaim})` : ""}`;
}

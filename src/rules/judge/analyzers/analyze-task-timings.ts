import { extractRows } from "../../read/read-rows.ts";
import { isObject, normalizeKey, readString, toNumber, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { formatNumber, hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** System tasks that evaluate an expression on the server's own threads: their cost is the server's CPU (not DO_WHILE: its time is its iterations'). */
const EXPRESSION_TASK = /^(INLINE|JSON_JQ_TRANSFORM|LAMBDA|SWITCH|DECISION)$/;
/** One evaluation slower than this (ms) is costly when a workflow runs it on every execution. */
const SLOW_MS = 500;
const DURATION_KEYS = ["p50", "p50ms", "median", "avgms", "avg", "meanms", "mean", "durationms", "ms", "p90", "p99"];
const RATE_KEYS = ["persecond", "ratepersecond", "rate", "completedlasthour", "countlasthour", "executionslasthour", "count"];

/**
 * Task timings by task type (metrics or SQL on the task table): an INLINE / JSON_JQ_TRANSFORM
 * task whose every evaluation takes seconds, in a workflow run often, is what burns the servers'
 * CPU. Names the task reference and its workflow.
 */
export const analyzeTaskTimings: Analyzer = {
  name: "task timings",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    if (!hasIssue(evidence, "CONDUCTOR_HIGH_CPU_USAGE", "RESPONSE_TIME")) return analysis;
    let worst: { task: Timing; tool: string } | null = null;
    for (const result of resultsFor(evidence, "get_cluster_metrics", "get_infrastructure_metrics", "run_sql_select")) {
      if (result.status !== "ok") continue;
      const records: JsonObject[] = [];
      walkObjects(result.data, (object) => (records.push(object), false));
      if (result.tool === "run_sql_select") records.push(...extractRows(result.data, result.text).filter(isObject));
      for (const record of records) {
        const task = timingOf(record);
        if (task && task.ms >= SLOW_MS && (!worst || task.ms * (task.rate ?? 1) > worst.task.ms * (worst.task.rate ?? 1))) worst = { task, tool: result.tool };
      }
    }
    if (!worst) return analysis;
    const { task, tool } = worst;
    const where = task.workflow ? ` of workflow ${task.workflow}` : "";
    const rate = task.rate !== null ? ` at ${formatNumber(task.rate)} ${task.rateKey}` : "";
    analysis.findings.push({ text: `${task.type} ${task.ref}: ${task.msKey} ${task.msShown}`, note: rate.trim() || undefined, tool, weight: 0.75, key: "inline-script" });
    analysis.candidates.push({
      key: "inline-script",
      cause: `The ${task.type} task ${task.ref}${where} takes ${task.msShown} ms per evaluation (${task.msKey})${rate}: its ${task.type === "JSON_JQ_TRANSFORM" ? "jq expression" : "script"} runs on the servers' system-task threads on every execution of ${task.workflow ? "that" : "its"} workflow, and that is what burns their CPU`,
      fact: `${task.type} ${task.ref}${where}: ${task.msShown} ms per run`,
      weight: 0.75,
      appOrInfra: "app",
      nextStep: `Tell the owner of ${task.workflow ? `workflow ${task.workflow}` : "the workflow"} that task ${task.ref} costs ${task.msShown} ms of server CPU per run (simplify the expression, or compute it once outside the hot path)`,
      tool,
    });
    return analysis;
  },
};

interface Timing {
  type: string;
  ref: string;
  workflow: string | null;
  ms: number;
  msKey: string;
  msShown: string;
  rate: number | null;
  rateKey: string;
}

function timingOf(record: JsonObject): Timing | null {
  const type = readString(record, "taskType", "task_type", "type");
  if (!type || !EXPRESSION_TASK.test(type)) return null;
  const ref = readString(record, "taskRef", "reference", "taskReferenceName", "task_reference_name", "ref", "referenceTaskName", "name");
  if (!ref || ref === type) return null;
  const entries = Object.entries(record).map(([k, v]) => [normalizeKey(k), k, v] as const);
  const duration = DURATION_KEYS.map((wanted) => entries.find(([k]) => k === wanted || k === `${wanted}ms` || (k.startsWith(wanted) && k.endsWith("ms")))).find((e) => e && toNumber(e[2]) !== null);
  if (!duration) return null;
  const ms = toNumber(duration[2]) ?? 0;
  const rate = RATE_KEYS.map((wanted) => entries.find(([k]) => k === wanted)).find((e) => e && toNumber(e[2]) !== null);
  return {
    type,
    ref,
    workflow: readString(record, "workflow", "workflowName", "workflow_name", "workflowType"),
    ms,
    msKey: duration[1],
    msShown: String(duration[2]),
    rate: rate ? toNumber(rate[2]) : null,
    rateKey: rate ? rate[1] : "",
  };
}

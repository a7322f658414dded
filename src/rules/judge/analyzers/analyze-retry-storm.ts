import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { extractRows } from "../../read/read-rows.ts";
import { collectStrings, isObject, parseNested, toNumber } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** `retry 913 of 1000`, `retry 2/3`, `attempt 880/1000`, `retryCount=914/1000`. */
const RETRY = /\b(?:retry|retries|attempt)\b\D{0,12}?(\d[\d,]*)\s*(?:of|\/)\s*(\d[\d,]*)/i;
/** The retry is rescheduled at once: `delay 0s`, `delay=0`, `retryDelaySeconds: 0`, `no delay`. */
const NO_DELAY = /\bdelay\b\D{0,6}?\b0(?:\.0+)?\s*(?:s|ms|sec\w*)?\b|retryDelaySeconds\D{0,4}0\b|\b(?:no|without)\s+(?:delay|backoff)\b|\bretry(?:ing)?\s+immediately\b/i;
/** Attempts this far in are no longer "a transient failure retried". */
const MANY = 50;
const TASK = /\btask\s+(?:def(?:inition)?\s+)?'?([A-Za-z][\w.-]*[A-Za-z0-9])'?/i;
const WORKFLOW = /\bworkflow\s+'?([A-Za-z][\w.-]*[A-Za-z0-9])'?\s*[/(]/i;

/**
 * A task that fails and is retried at once, hundreds of times: each failure is rescheduled with
 * no delay, so its workflows never finish and the decider and task queues in Redis fill with them.
 * Read from the server's retry lines (`retry 913 of 1000 scheduled with delay 0s`) or from a task
 * definition (`retryCount` in the hundreds with `retryDelaySeconds` 0) in SQL rows. A few retries
 * with a delay (`retry 2/3`) are the normal case and say nothing.
 */
export const analyzeRetryStorm: Analyzer = {
  name: "retry storm",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const defs = taskDefinitions(evidence);
    for (const def of defs) {
      analysis.findings.push({ text: `task definition ${def.name}: retryCount ${def.retryCount}, retryDelaySeconds ${def.retryDelaySeconds}`, tool: "run_sql_select", weight: 0.75, key: "retry-storm" });
    }
    const named = new Set<string>();
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const lines = logTextOf(result)
        .split(/\r?\n/)
        .map(messageOf)
        .filter((line) => {
          const match = RETRY.exec(line);
          const [index, max] = [toNumber(match?.[1]), toNumber(match?.[2])];
          return index !== null && max !== null && index <= max && (index >= MANY || (NO_DELAY.test(line) && index >= 3));
        });
      if (lines.length < 2) continue;
      const sample = lines.find((l) => NO_DELAY.test(l)) ?? (lines[0] as string);
      // `Task check_address of workflow …`, else the task a line opens with (`check_address failed (attempt 880/1000)`).
      const task = mostFrequent(lines.map((l) => TASK.exec(l)?.[1] ?? /^\s*([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\s+(?:failed|error)/i.exec(l)?.[1] ?? null));
      // A client reconnecting again and again is not a task retrying: the lines must name the task.
      if (!task) continue;
      const workflow = mostFrequent(lines.map((l) => WORKFLOW.exec(l)?.[1] ?? null));
      const pod = podOf(result) ?? "the pod";
      const noDelay = lines.some((l) => NO_DELAY.test(l));
      analysis.findings.push({ text: `${pod}: ${quoteLine(sample, 160)}`, note: `${formatNumber(lines.length)} lines retrying${task ? ` ${task}` : ""}${noDelay ? " with no delay" : ""}`, tool: result.tool, weight: 0.75, key: "retry-storm" });
      const def = defs.find((d) => d.name === task);
      named.add(task);
      analysis.candidates.push(candidate(task, workflow, noDelay || def !== undefined, quoteLine(sample, 140), result.tool, def));
    }
    // A definition alone (no retry lines read) is the setting without its effect: a weaker reading.
    for (const def of defs.filter((d) => !named.has(d.name))) analysis.candidates.push({ ...candidate(def.name, null, true, `retryCount ${def.retryCount}, retryDelaySeconds 0`, "run_sql_select"), weight: 0.6 });
    return analysis;
  },
};

interface TaskDefinition {
  name: string;
  retryCount: number;
  retryDelaySeconds: number;
}

function candidate(task: string | null, workflow: string | null, noDelay: boolean, quote: string, tool: string, def?: TaskDefinition) {
  const what = task ? `Task ${task}` : "A task";
  const setting = def ? `; its task definition has retryCount ${def.retryCount} and retryDelaySeconds ${def.retryDelaySeconds}` : "";
  return {
    key: "retry-storm",
    cause: `${what} fails and is retried ${noDelay ? "with no delay" : "hundreds of times"}, again and again (${quote}${setting}): every failure is rescheduled at once, so ${workflow ? `its ${workflow} workflows` : "its workflows"} never finish and pile up in the decider and task queues in Redis`,
    fact: `${task ?? "a task"} retried ${noDelay ? "with no delay" : "hundreds of times"}`,
    weight: def ? 0.85 : noDelay ? 0.8 : 0.65,
    appOrInfra: "app" as const,
    nextStep: `Ask the owner of ${task ?? "the task"} to give its task definition a retry delay (retryDelaySeconds, EXPONENTIAL_BACKOFF) and a small retryCount, and to fix the input it fails on; then the stuck workflows can be terminated or left to finish`,
    tool,
    ...(task ? { subject: task } : {}),
  };
}

/** Task definitions (a JSON column or columns) with a retry count in the hundreds and no delay between retries. */
function taskDefinitions(evidence: Evidence): TaskDefinition[] {
  const out: TaskDefinition[] = [];
  for (const result of resultsFor(evidence, "run_sql_select")) {
    const objects = [...extractRows(result.data, result.text), ...collectStrings(result.data).map((s) => parseNested(s)).filter(isObject)];
    for (const object of objects) {
      const values = Object.values(object).map((v) => parseNested(v));
      const def = [object, ...values.filter(isObject)].find((o) => "retryCount" in o && "retryDelaySeconds" in o);
      if (!def) continue;
      const [count, delay] = [toNumber(def.retryCount), toNumber(def.retryDelaySeconds)];
      const name = typeof def.name === "string" ? def.name : null;
      if (name && count !== null && delay === 0 && count >= MANY && !out.some((d) => d.name === name)) out.push({ name, retryCount: count, retryDelaySeconds: delay });
    }
  }
  return out;
}

/** A JSON log record's message (ECS, logstash, bunyan), else the line itself. */
function messageOf(line: string): string {
  if (!line.trimStart().startsWith("{")) return line;
  try {
    const record: unknown = JSON.parse(line);
    const message = isObject(record) ? (record.message ?? record.msg) : undefined;
    return typeof message === "string" ? message : line;
  } catch {
    return line;
  }
}

function mostFrequent(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

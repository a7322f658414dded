import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, parseNested, toNumber, walkObjects } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** Iterations of one DO_WHILE execution past which its condition is not going to turn false (loops run tens or hundreds). */
const RUNAWAY = 1_000;
/** Conductor names each iteration's tasks `ref__N`; its DoWhile logs the condition and the next iteration. */
const ITERATION_LINE = /\b([a-z][\w-]*?)__(\d+)\b[^\n]*?\bworkflow\s+([0-9a-f][0-9a-f-]{7,})[^\n]*?\biteration\s+(\d+)/i;
/** A workflow the server names with its definition: `Workflow <id> (settlement_reconciler v7)`. */
const WORKFLOW_NAMED = /\bworkflow\s+([0-9a-f][0-9a-f-]{7,})\s*\(([\w.-]+)\s+v(\d+)\)/i;
/** The server's own size readings of that workflow: `has 43390 tasks`, `tasks=45018`, `Slow decide … 3902 ms`. */
const TASK_COUNT = /\bhas\s+(\d+)\s+tasks\b|\btasks\s*=\s*(\d+)/i;
const SLOW_DECIDE = /\bslow decide\b[^\n]*?\bworkflow\s+([0-9a-f][0-9a-f-]{7,})[^\n]*?(\d+)\s*ms/i;

export interface RunawayLoop {
  ref: string;
  workflowId: string | null;
  workflowName: string | null;
  iterations: number;
  tasks: number | null;
  decideMs: number | null;
  condition: string | null;
  pod: string | null;
  tool: string;
  /** The log line with the highest iteration, quoted as the finding. */
  line: string | null;
  /** The iteration the task table reports, when a query read it. */
  tableIterations: number | null;
}

/**
 * A DO_WHILE whose condition never turns false: its iteration count for one execution keeps
 * growing (server logs, the task table), each iteration adds tasks, and every decide of that
 * workflow reads them all — CPU, Redis and slow decides that one execution causes.
 */
export const analyzeRunawayLoop: Analyzer = {
  name: "runaway loop",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const loop = runawayLoop(evidence);
    if (!loop) return analysis;
    const of = loop.workflowName && loop.workflowId ? `${loop.workflowName} workflow ${loop.workflowId}` : loop.workflowName ? `the ${loop.workflowName} workflow` : loop.workflowId ? `workflow ${loop.workflowId}` : "its workflow";
    const size = [loop.tasks !== null ? `${formatNumber(loop.tasks)} tasks` : null, loop.decideMs !== null ? `decides taking ${formatNumber(loop.decideMs)} ms` : null].filter(Boolean).join(", ");
    const note = `a loop past ${formatNumber(RUNAWAY)} iterations does not end`;
    if (loop.line && loop.pod) analysis.findings.push({ text: `${loop.pod}: ${quoteLine(loop.line, 180)}`, note, tool: "pull_pod_logs", weight: 0.85, key: "runaway-loop" });
    if (loop.tableIterations !== null) analysis.findings.push({ text: `DO_WHILE ${loop.ref} iteration ${loop.tableIterations}`, note, tool: "run_sql_select", weight: 0.85, key: "runaway-loop" });
    if (loop.condition) analysis.findings.push({ text: `${loop.ref} loop condition: ${loop.condition}`, tool: "run_sql_select", weight: 0.7, key: "runaway-loop" });
    analysis.candidates.push({
      key: "runaway-loop",
      cause: `A DO_WHILE loop never ends: ${loop.ref} of ${of} is at iteration ${formatNumber(loop.iterations)}${loop.condition ? ` (its loop condition ${loop.condition} stays true)` : " (its loop condition keeps evaluating to true)"}${size ? `; the execution holds ${size}` : ""}, so every decide of it burns the server's CPU${loop.pod ? ` on ${loop.pod}` : ""}`,
      fact: `DO_WHILE ${loop.ref} at iteration ${formatNumber(loop.iterations)}`,
      weight: 0.86,
      appOrInfra: "app",
      nextStep: `Terminate ${loop.workflowId ? `workflow ${loop.workflowId}` : `the ${loop.ref} execution`} and fix ${loop.ref}'s loop condition (the key it reads must exist in the task's output) before re-running ${loop.workflowName ?? "it"}`,
      tool: loop.line ? "pull_pod_logs" : "run_sql_select",
      ...(loop.pod ? { subject: loop.pod } : {}),
    });
    return analysis;
  },
};

export function runawayLoop(evidence: Evidence): RunawayLoop | null {
  const loops: RunawayLoop[] = [];
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const text = logTextOf(result);
    const byKey = new Map<string, RunawayLoop>();
    for (const line of text.split(/\r?\n/)) {
      const m = ITERATION_LINE.exec(line);
      if (!m) continue;
      const iterations = Math.max(Number(m[2]), Number(m[4]));
      const key = `${m[1]} ${m[3]}`;
      const known = byKey.get(key);
      if (!known || known.iterations < iterations) byKey.set(key, { ref: m[1] ?? "", workflowId: m[3] ?? null, workflowName: null, iterations, tasks: null, decideMs: null, condition: null, pod: podOf(result), tool: result.tool, line: line.trim(), tableIterations: null });
    }
    for (const loop of byKey.values()) {
      for (const line of text.split(/\r?\n/)) {
        if (!loop.workflowId || !line.includes(loop.workflowId)) continue;
        loop.workflowName ??= WORKFLOW_NAMED.exec(line)?.[2] ?? null;
        const count = TASK_COUNT.exec(line);
        const tasks = count ? Number(count[1] ?? count[2]) : null;
        if (tasks !== null && tasks > (loop.tasks ?? 0)) loop.tasks = tasks;
        const decide = SLOW_DECIDE.exec(line);
        if (decide && Number(decide[2]) > (loop.decideMs ?? 0)) loop.decideMs = Number(decide[2]);
      }
      loops.push(loop);
    }
  }
  const rows = resultsFor(evidence, "run_sql_select").flatMap((r) => extractRows(r.data, r.text).map((row) => ({ row: normalized(row), tool: r.tool })));
  for (const { row, tool } of rows) {
    if (!/^DO_WHILE$/i.test(String(row.tasktype ?? row.type ?? ""))) continue;
    const iterations = toNumber(row.iteration ?? row.iterations);
    const ref = row.taskref ?? row.referencetaskname ?? row.taskrefname;
    if (iterations === null || typeof ref !== "string") continue;
    const known = loops.find((l) => l.ref === ref);
    if (known) {
      known.iterations = Math.max(known.iterations, iterations);
      known.tableIterations = iterations;
      known.workflowName ??= str(row.workflowname);
    } else loops.push({ ref, workflowId: str(row.workflowid), workflowName: str(row.workflowname), iterations, tasks: null, decideMs: null, condition: null, pod: null, tool, line: null, tableIterations: iterations });
  }
  const top = loops.filter((l) => l.iterations >= RUNAWAY).sort((a, b) => b.iterations - a.iterations)[0];
  if (!top) return null;
  // The loop's definition, when a query read it: the condition that never turns false, quoted.
  const condition = loopCondition(evidence, top.ref);
  top.condition = condition ? `\`${condition}\`` : null;
  return top;
}

/** The loop's condition from a definition a query read: a row (`task_ref`, `loop_condition`) or a DO_WHILE inside a workflow definition's JSON (stored as text). */
function loopCondition(evidence: Evidence, ref: string): string | null {
  for (const result of resultsFor(evidence, "run_sql_select")) {
    const found = conditionIn(result.data, ref, 0);
    if (found) return found;
  }
  return null;
}

function conditionIn(value: unknown, ref: string, depth: number): string | null {
  if (depth > 3) return null;
  let found: string | null = null;
  walkObjects(value, (object) => {
    if (found) return true;
    const row = normalized(object);
    if ((row.taskref ?? row.taskreferencename ?? row.referencetaskname) === ref && typeof row.loopcondition === "string") found = row.loopcondition.trim();
    // A definition kept as JSON text (meta_workflow_def.json_data).
    for (const text of Object.values(object)) {
      if (found || typeof text !== "string" || !/^\s*[{[]/.test(text)) continue;
      found = conditionIn(parseNested(text), ref, depth + 1);
    }
    return found !== null;
  });
  return found;
}

function normalized(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [normalizeKey(k), v]));
}

function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

import { collectStrings } from "../../read/walk-json.ts";
import { formatNumber, logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

const MANY_BLOCKED = 5;
const HOT_FRAME = 5;
/** Frames of the JavaScript engines INLINE tasks run in (GraalJS/Truffle, Nashorn). */
const SCRIPT_ENGINE = /truffle|graalvm?|graaljs|nashorn|\.js\.nodes\./i;
/** Frames of the jq engine JSON_JQ_TRANSFORM tasks run in (jackson-jq). */
const JQ_ENGINE = /jackson\.jq|\bjq\.internal\b|JsonJqTransform/i;

/** A thread dump: where it was saved and, when its text came back, what the busy threads run. */
export const analyzeThreadDump: Analyzer = {
  name: "thread dump",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_thread_dump")) {
      const pod = podOf(result) ?? "the pod";
      const text = logTextOf(result);
      const states = countStates(text);
      if (states.total === 0) {
        const paths = collectStrings(result.data ?? result.text).flatMap((s) => s.match(/(?:s3|gs|https?):\/\/\S+|\/[\w./-]+\.(?:txt|tdump|log|dump)/g) ?? []);
        const where = paths.length > 0 ? `saved at ${paths.slice(0, 2).join(", ")}` : "taken, but its content did not come back";
        analysis.findings.push({ text: `thread dump of ${pod} ${where}`, tool: result.tool, weight: 0.35, key: "cpu-hot" });
        continue;
      }
      const frame = topRunnableFrame(text);
      analysis.findings.push({
        text: `thread dump of ${pod}${frame ? `: RUNNABLE in ${frame.frame}` : ""}`,
        note: `${formatNumber(states.total)} threads, ${formatNumber(states.runnable)} RUNNABLE, ${formatNumber(states.blocked)} BLOCKED${frame ? `; ${frame.count} in the busiest frame` : ""}`,
        tool: result.tool,
        weight: 0.55,
        key: states.blocked >= MANY_BLOCKED ? "lock-contention" : "cpu-hot",
      });
      if (states.blocked >= MANY_BLOCKED) {
        analysis.candidates.push({ key: "lock-contention", cause: `Lock contention in ${pod}: ${states.blocked} threads BLOCKED`, weight: 0.6, appOrInfra: "app", nextStep: "Open an engineering ticket with the thread dump: find the lock the BLOCKED threads wait on", tool: result.tool });
      } else if (frame && SCRIPT_ENGINE.test(frame.frame)) {
        analysis.candidates.push({ key: "inline-script", cause: `${frame.count} RUNNABLE thread${frame.count === 1 ? "" : "s"} in ${pod} loop inside the script engine (${frame.frame}): an INLINE task's script does not finish`, fact: `threads looping in the script engine`, weight: 0.6, appOrInfra: "app", nextStep: "Find the INLINE task whose script loops (server logs name the task and workflow) and fix its script", tool: result.tool });
      } else if (frame && JQ_ENGINE.test(frame.frame)) {
        analysis.candidates.push({ key: "inline-script", cause: `${frame.count} RUNNABLE thread${frame.count === 1 ? "" : "s"} in ${pod} evaluate jq expressions (${frame.frame}): a JSON_JQ_TRANSFORM task's expression is costly on every run`, fact: `threads busy in the jq engine`, weight: 0.6, appOrInfra: "app", nextStep: "Find the JSON_JQ_TRANSFORM task and workflow that run it (server logs, task timings by reference name) and simplify its expression", tool: result.tool });
      } else if (frame && frame.count >= HOT_FRAME) {
        analysis.candidates.push({ key: "cpu-hot", cause: `${frame.count} RUNNABLE threads in ${pod} are in ${frame.frame}`, weight: 0.55, appOrInfra: "app", nextStep: `Find what drives ${frame.frame} (a backlog being swept, a hot workflow) and open an engineering ticket with the dump`, tool: result.tool });
      }
    }
    return analysis;
  },
};

function countStates(text: string): { total: number; runnable: number; blocked: number } {
  const states = [...text.matchAll(/java\.lang\.Thread\.State:\s*(\w+)/g)].map((m) => m[1]);
  return { total: states.length, runnable: states.filter((s) => s === "RUNNABLE").length, blocked: states.filter((s) => s === "BLOCKED").length };
}

/** The first application frame under each RUNNABLE state line, counted. */
function topRunnableFrame(text: string): { frame: string; count: number } | null {
  const counts = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!/Thread\.State:\s*RUNNABLE/.test(line)) return;
    const frame = lines.slice(i + 1, i + 12).map((l) => /^\s*at\s+([\w$.]+)\(/.exec(l)?.[1]).find((f) => f && !/^(java|jdk|sun)\./.test(f));
    if (frame) counts.set(frame, (counts.get(frame) ?? 0) + 1);
  });
  const [frame, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  return frame && count ? { frame, count } : null;
}

import { summarizeLogs, type ExceptionCount, type LogSummary } from "../../read/read-logs.ts";
import { formatNumber, hasIssue, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, CauseCandidate, Evidence } from "../../types.ts";
import { matchException } from "../../../playbook/exception-signatures.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { rolloutJustBefore } from "./analyze-error-since-change.ts";

/** The dominant exception (or, without one, the dominant ERROR/WARN message) in pulled logs. */
export const analyzeLogExceptions: Analyzer = {
  name: "log exceptions",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result) ?? "the pod";
      const summary = summarizeLogs(logTextOf(result));
      if (summary.lines === 0) {
        analysis.findings.push({ text: `${pod}: no log lines returned`, tool: result.tool, weight: 0.1 });
        continue;
      }
      const top = pickDominant(summary.exceptions);
      if (top) {
        addException(analysis, top, summary, pod, result.tool);
        // The dominant error's first occurrence within a day after its workload's rollout: say so.
        const since = rolloutJustBefore(evidence, workloadOf(pod), logTextOf(result), (r) => r.exception?.name === top.name || r.causes.some((c) => c.name === top.name));
        const added = analysis.candidates.at(-1);
        if (since && added) added.cause = `${added.cause}; ${since}`;
      }
      addMessages(analysis, summary, evidence, pod, result.tool, top !== null);
    }
    outweighRepeats(analysis.candidates);
    return analysis;
  },
};

/** How often each candidate's message repeats in its pod's logs. */
const repeatsOf = new WeakMap<CauseCandidate, number>();

function pushCounted(analysis: Analysis, count: number, candidate: CauseCandidate): void {
  repeatsOf.set(candidate, count);
  analysis.candidates.push(candidate);
}

/**
 * Between pods, the message repeated ×197 speaks for the logs, not one seen once in another pod:
 * of the candidates of one kind, those with fewer repeats step just below the most repeated one
 * (never past a candidate of another kind).
 */
function outweighRepeats(candidates: CauseCandidate[]): void {
  const repeats = (c: CauseCandidate) => repeatsOf.get(c) ?? 0;
  for (const key of new Set(candidates.map((c) => c.key))) {
    const same = candidates.filter((c) => c.key === key);
    const most = Math.max(...same.map(repeats));
    for (const c of same) if (repeats(c) < most) c.weight = Math.max(0, c.weight - 0.01);
  }
}

/** Highest count wins; on a tie the class that names a known cause beats a generic wrapper. */
function pickDominant(exceptions: ExceptionCount[]): ExceptionCount | null {
  return (
    [...exceptions].sort((a, b) => b.count - a.count || (matchException(b.name)?.weight ?? 0) - (matchException(a.name)?.weight ?? 0))[0] ??
    null
  );
}

function addException(analysis: Analysis, top: ExceptionCount, summary: LogSummary, pod: string, tool: string): void {
  const root = top.root ? `, caused by ${top.root}` : "";
  // The more specific of the exception and its Caused-by root explains more (a Conductor wrapper
  // around a Jedis error is a Redis problem; a Jedis error around ConnectException is still Redis).
  // A name that does not resolve is upstream of whatever failed to connect: the root's signature speaks then.
  const rootSignature = top.root ? matchException(top.root) : null;
  const signature =
    rootSignature?.key === "dns"
      ? rootSignature
      : [matchException(top.name), rootSignature].filter((s) => s !== null).sort((a, b) => b.weight - a.weight)[0];
  // The root's own message usually says more than the wrapper's ("Connection is not available ... active=20, idle=0").
  const rootSample = top.root ? summary.exceptions.find((e) => e.name === top.root)?.sample.replace(/^Caused by:\s*/, "") : undefined;
  analysis.findings.push({
    text: `${pod}: ${quoteLine(top.sample)}`,
    note: `dominant exception ${top.name} ×${formatNumber(top.count)}${root} (${formatNumber(summary.errorLines)} ERROR lines of ${formatNumber(summary.lines)})${rootSample ? `; root: ${quoteLine(rootSample, 100)}` : ""}`,
    tool,
    weight: 0.7,
    key: signature?.key ?? `exception-${top.name}`,
  });
  const often = top.count >= 20 ? 0.05 : 0;
  pushCounted(
    analysis,
    top.count,
    signature
      ? {
          key: signature.key,
          cause: `${capitalize(signature.cause)}: ${top.name}${root} ×${formatNumber(top.count)} in ${pod}'s logs${said(top.sample)}`,
          subject: pod,
          fact: `${shortName(top.name)} ×${formatNumber(top.count)} in ${pod}'s logs${rootSample ? ` (${said(rootSample).replace(/^: "|"$/g, "").slice(0, 50)})` : ""}`,
          weight: signature.weight + often,
          appOrInfra: signature.appOrInfra,
          nextStep: signature.nextStep,
          tool,
        }
      : {
          key: `exception-${top.name}`,
          cause: `${top.name}${root} dominates ${pod}'s logs (×${formatNumber(top.count)})${said(top.sample)}`,
          fact: `${shortName(top.name)} ×${formatNumber(top.count)} in ${pod}'s logs`,
          weight: 0.45 + often,
          appOrInfra: "app",
          nextStep: `Read the ${top.name} stack traces in ${pod}'s logs and find the workflow or dependency they name`,
          tool,
        },
  );
  const second = summary.exceptions.find((e) => e.name !== top.name && e.name !== top.root);
  if (second) {
    analysis.findings.push({ text: `${pod}: ${second.name}`, note: `next most frequent exception, ×${formatNumber(second.count)}`, tool, weight: 0.3 });
  }
}

/** The dominant ERROR message (when no exception names the cause) and the dominant warnings, as context. */
function addMessages(analysis: Analysis, summary: LogSummary, evidence: Evidence, pod: string, tool: string, hasException: boolean): void {
  const [topError] = summary.errors;
  if (topError && !hasException) {
    const relevant = hasIssue(evidence, "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD");
    analysis.findings.push({ text: `${pod}: ${quoteLine(topError.sample)}`, note: `most frequent error, ×${formatNumber(topError.count)}`, tool, weight: 0.45, key: "log-error" });
    pushCounted(analysis, topError.count, { key: "log-error", cause: `the error "${messageOf(topError.sample)}" repeats ×${formatNumber(topError.count)} in ${pod}'s logs`, fact: `error ×${formatNumber(topError.count)} in ${pod}'s logs`, weight: relevant ? 0.5 : 0.35, appOrInfra: "unknown", tool });
  }
  // A warning is context unless warnings are the alert itself.
  const relevant = hasIssue(evidence, "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD");
  summary.warns.slice(0, 2).forEach((warn, i) => {
    if (i > 0 && warn.count < 3) return;
    analysis.findings.push({
      text: `${pod}: ${quoteLine(warn.sample)}`,
      note: `${i === 0 ? "most frequent" : "next"} WARN, ×${formatNumber(warn.count)} of ${formatNumber(summary.warnLines)}`,
      tool,
      weight: (relevant ? 0.5 : 0.35) - i * 0.05,
      key: "log-warn",
    });
    if (i === 0) pushCounted(analysis, warn.count, { key: "log-warn", cause: `the warning "${messageOf(warn.sample)}" dominates ${pod}'s logs (×${formatNumber(warn.count)})`, fact: `warning ×${formatNumber(warn.count)} in ${pod}'s logs`, weight: relevant ? 0.5 : 0.2, appOrInfra: "unknown", tool });
  });
  if (!hasException && !topError && summary.warns.length === 0) {
    analysis.findings.push({ text: `${pod}: no errors, warnings or exceptions`, note: `${formatNumber(summary.lines)} log lines read`, tool, weight: 0.2, ruledOut: true });
  }
}

/** `com.netflix.conductor.core.exception.NotFoundException` → `NotFoundException`. */
function shortName(name: string): string {
  return name.split(".").pop() ?? name;
}

/** The message of a log line, without its timestamp, level, thread and logger. */
function messageOf(line: string): string {
  const message = / (?:ERROR|FATAL|SEVERE|WARN(?:ING)?)\b.*?\s:\s(.*)$/.exec(line)?.[1] ?? line.replace(/^\S*\d{2}:\d{2}\S*\s+/, "");
  return message.trim().slice(0, 200);
}

/**
 * `: "No such workflow found by name: payment_refund"` — what the exception itself says; when the
 * line names what failed before the class (`Failed to invoke HTTP task verify_x …: java.net.…`),
 * the whole message, since that is the object the error is about.
 */
function said(sample: string): string {
  const line = quoteLine(sample, 200).slice(1, -1);
  const at = /(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b/.exec(line);
  if (at && at.index > 0 && /\w/.test(line.slice(0, at.index))) return `: "${line.slice(0, 200)}"`;
  const message = /(?:Exception|Error)\b:?\s*(.+)$/.exec(sample)?.[1]?.trim();
  return message ? `: "${message.slice(0, 160)}"` : "";
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

import { extractPods, type PodRecord } from "../../read/read-pods.ts";
import { parseLogRecords, type LogRecord } from "../../read/read-logs.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { extractChanges, type Change } from "../../read/read-changes.ts";
import { extractDeployments } from "../../read/read-deployments.ts";
import { objectName, walkObjects } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, CauseCandidate, Evidence } from "../../types.ts";
import { CLUSTER_DNS } from "../../../playbook/component-pods.ts";
import { architectureStatements, isArchitectureError, runtimeMeaning } from "../../../playbook/runtime-errors.ts";

/** kubectl's own answer instead of logs: the container has not started, or its previous instance is gone. */
const NO_LOGS = /^(?:Error from server \(BadRequest\):|error: )?.*(?:is waiting to start|previous terminated container .* not found|unable to retrieve container logs|container .* (?:is terminated|has not started))/i;

/** Last-state reasons the kernel or the node gives: the container did not fail by its own error. */
const NOT_ITS_OWN = /OOMKilled|Evicted|ContainerStatusUnknown/i;

/**
 * A container that crash-loops on its own error (exit code ≠ 0, not OOMKilled) says why in its
 * logs: the error it printed before exiting is the cause of the crash, quoted as it was written —
 * an exception's class and message with its deepest `Caused by`, or the fatal/error message a
 * non-JVM program logs. Logs of a replica of the same workload count (the previous container of
 * one pod is often gone).
 */
export const analyzeCrashErrors: Analyzer = {
  name: "crash errors",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
    const crashing = pods.filter(crashesOnItsOwn);
    if (crashing.length === 0) return analysis;
    const seen = new Set<string>();
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result);
      if (!pod) continue;
      const workload = workloadOf(pod);
      const crashed = crashing.find((p) => p.name === pod) ?? crashing.find((p) => workloadOf(p.name) === workload);
      if (!crashed || seen.has(workload)) continue;
      const text = logTextOf(result);
      // What kubectl answers when it has no logs to give is not the container's error.
      if (NO_LOGS.test(text.trim())) continue;
      const said = whatItSaid(text);
      if (!said) continue;
      seen.add(workload);
      analysis.findings.push({ text: `${pod}: ${said.quotes[0]}`, note: `the error ${crashed.name} exits on`, tool: result.tool, weight: 0.75, key: keyFor(crashed.name) });
      const arch = isArchitectureError(said.text) ? architectures(evidence, workloadOf(crashed.name)) : [];
      for (const statement of arch) analysis.findings.push({ text: `"${statement.text}"`, note: "an architecture the evidence names", tool: statement.tool, weight: 0.6, key: keyFor(crashed.name) });
      const withArch = arch.length > 0 ? { ...said, text: `${said.text}; the evidence names ${arch.map((a) => `"${a.text}" (${a.tool})`).join(", ")}` } : said;
      const setting = settingNamed(evidence, workloadOf(crashed.name), withArch.text);
      const withSetting = setting ? { ...withArch, text: `${withArch.text}; its deployment sets ${setting}` } : withArch;
      analysis.candidates.push(crashCandidate(crashed, pod, withSetting, latestChange(evidence, workloadOf(crashed.name)), result.tool));
    }
    return analysis;
  },
};

/**
 * What the evidence says about CPU architectures, at most three: the crashing workload's own
 * (its deployment's or pod's platform, within that object only) and the nodes' (any node listing).
 */
function architectures(evidence: Evidence, workload: string): { text: string; tool: string }[] {
  const found: { text: string; tool: string }[] = [];
  for (const result of resultsFor(evidence, "get_deployments_info", "get_pods_data")) {
    walkObjects(result.data, (object) => {
      const name = objectName(object, "name", "deployment", "pod");
      if (!name || workloadOf(name) !== workload) return false;
      found.push(...statementsIn(object, result.output).map((text) => ({ text, tool: result.tool })));
      return true;
    });
  }
  for (const result of resultsFor(evidence, "get_infrastructure_metrics")) {
    const statements = typeof result.data === "string" || result.data === null || result.data === undefined ? architectureStatements(result.text) : statementsIn(result.data, result.output);
    found.push(...statements.map((text) => ({ text, tool: result.tool })));
  }
  return found.filter((f, i) => found.findIndex((g) => g.text === f.text) === i).slice(0, 3);
}

/** `key: value` statements of architecture inside one object, kept only as the output shows them. */
function statementsIn(object: unknown, output: string): string[] {
  const flat = output.replace(/\s+/g, " ");
  const out: string[] = [];
  walkObjects(object, (child) => {
    for (const [key, value] of Object.entries(child)) {
      if (typeof value === "string") out.push(...architectureStatements(`${key}: ${value}`).filter((statement) => flat.includes(statement)));
    }
    return false;
  });
  return out;
}

/**
 * The environment variable the error names, as the workload's deployment sets it (`NAME=value`, or
 * the Secret/ConfigMap key it comes from — a Secret's value is never read): the config behind the error.
 */
function settingNamed(evidence: Evidence, workload: string, said: string): string | null {
  const names = [...new Set([...said.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g)].map((m) => m[0]))];
  if (names.length === 0) return null;
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const deployment = extractDeployments(result.data, result.text).find((d) => d.name === workload);
    const name = names.find((n) => deployment?.env[n] !== undefined);
    // A credential's value is never repeated, even a literal one.
    if (deployment && name) return /SECRET|PASSWORD|PASSWD|TOKEN|KEY|CREDENTIAL/i.test(name) ? `${name} (value withheld)` : `${name}=${deployment.env[name]}`;
  }
  return null;
}

/** Crash-looping or restarted after exiting with an error of its own. */
export function crashesOnItsOwn(pod: PodRecord): boolean {
  const reasons = [...pod.reasons, ...pod.lastReasons, pod.status ?? ""].join(" ");
  if (NOT_ITS_OWN.test(reasons)) return false;
  // 137/143: killed from outside (SIGKILL, SIGTERM after a failed liveness probe), not its own error.
  const exitedBadly = pod.exitCodes.some((code) => code !== 0 && code !== 137 && code !== 143);
  const killed = pod.exitCodes.length > 0 && !exitedBadly;
  return !killed && (/CrashLoopBackOff/i.test(reasons) || (pod.restarts > 0 && (exitedBadly || /\bError\b/.test(pod.lastReasons.join(" ")))));
}

const FAILURE_WORDS = /\b(error|fatal|panic|failed|failure|invalid|unknown|cannot|denied|refused)\b/i;

/**
 * The most specific thing the logs say went wrong, as written: the first thrown exception with its
 * message and its deepest `Caused by` (what the wrapper hides), else the first two error messages
 * (a non-JVM program's fatal line). The warning logged just before it often names the bad setting.
 */
export function whatItSaid(text: string): { text: string; quotes: string[] } | null {
  const { records } = parseLogRecords(text);
  const isError = (r: LogRecord) => r.level === "ERROR" || r.level === "FATAL" || (r.level === null && FAILURE_WORDS.test(r.message));
  const thrownAt = records.findIndex((r) => r.exception !== null && (r.level === null || r.level === "ERROR" || r.level === "FATAL"));
  if (thrownAt >= 0) {
    const record = records[thrownAt] as LogRecord;
    const thrown = record.exception as NonNullable<LogRecord["exception"]>;
    const deepest = record.causes.at(-1);
    const main = quoteLine(`${thrown.name}${thrown.message ? `: ${thrown.message}` : ""}`, 160);
    const root = deepest && deepest.name !== thrown.name ? `, caused by ${quoteLine(`${deepest.name}${deepest.message ? `: ${deepest.message}` : ""}`, 160)}` : "";
    const warned = [...records.slice(0, thrownAt)].reverse().find((r) => r.level === "WARN");
    const after = warned ? ` after the warning ${quoteLine(warned.message, 160)}` : "";
    return { text: `${main}${root}${after}`, quotes: [main] };
  }
  // A crash loop prints the same error once per start: each distinct one once.
  const errors = [...new Set(records.filter(isError).map((r) => quoteLine(r.message, 160)))].slice(0, 2);
  const meaning = runtimeMeaning(errors.join(" "));
  return errors.length > 0 ? { text: `${errors.join("; ")}${meaning ? ` — ${meaning}` : ""}`, quotes: errors } : null;
}

/** The workload's latest recorded change (rollout cause, image change), when the deployments say. */
function latestChange(evidence: Evidence, workload: string): Change | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const change = extractChanges(result.data, result.text).find((c) => c.workload === workload);
    if (change) return change;
  }
  return null;
}

function crashCandidate(crashed: PodRecord, logPod: string, { text: said, quotes }: { text: string; quotes: string[] }, change: Change | null, tool: string): CauseCandidate {
  const exit = crashed.exitCodes.find((code) => code !== 0);
  const state = [crashed.status, exit !== undefined ? `exit code ${exit}` : null].filter(Boolean).join(", ");
  const from = logPod === crashed.name ? "its logs" : `the logs of ${logPod}`;
  return {
    key: keyFor(crashed.name),
    cause: `${crashed.name} fails on its own error and restarts (${state}); ${from} say: ${said}${change ? `; the workload's latest change: ${[change.revision ? `revision ${change.revision}` : null, change.time].filter(Boolean).join(" at ")} "${change.description}"` : ""}`,
    fact: `${workloadOf(crashed.name)} exits on its own error (${(quotes[0] ?? said).slice(0, 60)})`,
    subject: crashed.name,
    weight: 0.8,
    appOrInfra: "app",
    nextStep: `Fix what ${workloadOf(crashed.name)}'s error names (its configuration, a changed ConfigMap or Secret, or the image's new version), then let it restart; roll back the last change if it started with it`,
    tool,
  };
}

/** The cluster DNS server failing is a cause of its own kind: every name lookup in the cluster fails with it. */
function keyFor(pod: string): string {
  return CLUSTER_DNS.test(workloadOf(pod)) ? "dns-server" : "startup-error";
}

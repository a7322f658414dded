import { extractIngresses } from "../../read/read-ingresses.ts";
import { parseLogRecords, type LogRecord } from "../../read/read-logs.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { formatNumber, logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, ToolEvidence } from "../../types.ts";

/** An HTTP or OAuth rejection of the caller's credential (not a permission on one object). */
const REJECTED = /\b401\b|unauthori[sz]ed|invalid_client|invalid_token|invalid_grant|unauthorized_client|(?:token|secret|credential|key)s? (?:has |is )?(?:expired|revoked|invalid)/i;
/** The credential itself (the client secret, key or grant), not a short-lived token derived from it: the deeper reason. */
const CREDENTIAL_ITSELF = /invalid_client|invalid_grant|unauthorized_client|(?:client[ _-]?)?secret (?:has |is )?(?:expired|revoked|invalid)|(?:api[ _-]?)?key (?:has |is )?(?:expired|revoked|invalid)|credentials? (?:have |has |are |is )?(?:expired|revoked|invalid)/i;
const URL_HOST = /\bhttps?:\/\/([a-z0-9][a-z0-9.-]*[a-z0-9])(?::\d+)?(\/\S*)?/i;
/** Conductor's own API paths (polls, updates, workflow starts): whatever the host is called, that is the server. */
const CONDUCTOR_API = /^\/api\/(?:tasks|workflow|metadata|event|queue|scheduler)\b/i;
/** Conductor's own server log of a task the worker failed: `... FAILED by worker <workload>: <reason>`. */
const FAILED_BY_WORKER = /\bFAILED by worker\s+([a-z0-9][a-z0-9.-]*[a-z0-9])\s*:\s*(.*)$/i;
const FAILED_TASK = /\bTask\s+([A-Za-z0-9_.-]+)\b.*\bFAILED by worker\b/;
/** The server itself (its API, its in-cluster service): a 401 from it is the workers' auth to Conductor, another cause. */
const OWN_SERVER = /(?:^|[.-])(?:conductor|orkes)(?:[.-]|$)/i;
const MAX_QUOTE = 180;

export interface Rejection {
  host: string;
  workload: string;
  quote: string;
  /** The task type the server says failed, when the line is its relay of the worker's failure. */
  task: string | null;
  deep: boolean;
  result: ToolEvidence;
  pod: string;
}

/**
 * A third-party dependency rejecting the credential a worker calls it with: errors (in any pod's
 * logs) that carry both an HTTP/OAuth rejection (401, invalid_client, secret expired) and the URL
 * of a host that is not Conductor's own. The workload is the one whose call failed (Conductor's
 * "FAILED by worker X" names it when the line is the server's); the deepest reason (the client
 * secret itself rather than the token derived from it) is quoted.
 */
export const analyzeDependencyAuth: Analyzer = {
  name: "dependency auth",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const top = findDependencyRejection(evidence);
    if (!top) return analysis;
    const first = top[0] as Rejection;
    const deep = top.find((r) => r.deep);
    const { workload } = first;
    const host = mostFrequent(top.map((r) => r.host));
    const owner = possessive(workload);
    const task = top.find((r) => r.task)?.task;
    analysis.findings.push({ text: `${first.pod}: "${first.quote}"`, note: `×${formatNumber(top.length)}: ${host} rejects ${owner} credential`, tool: first.result.tool, weight: 0.8, key: "dependency-auth" });
    if (deep && deep.quote !== first.quote) analysis.findings.push({ text: `${deep.pod}: "${deep.quote}"`, note: "the credential itself is rejected", tool: deep.result.tool, weight: 0.85, key: "dependency-auth" });
    const reason = deep ?? first;
    analysis.candidates.push({
      key: "dependency-auth",
      cause: `The external service ${host} rejects ${owner} credential: "${reason.quote}"${deep && deep !== first ? ` (and every call since: "${first.quote}")` : ""} ×${formatNumber(top.length)} — ${task ? `task ${task}` : `${owner} tasks`} fail${task ? "s" : ""} on it`,
      fact: `${host} rejects ${owner} credential`,
      weight: deep ? 0.84 : 0.8,
      appOrInfra: "app",
      nextStep: `Check ${owner} credential for ${host} (client secret or API key expiry, revocation in the provider's portal); rotate it into the Secret ${workload} reads and restart ${workload} — a human change`,
      tool: reason.result.tool,
    });
    return analysis;
  },
};

/** The third party rejecting one workload's credential most often (three errors at least), its errors first seen first. */
export function findDependencyRejection(evidence: Evidence): Rejection[] | null {
  const own = ownHosts(evidence);
  const found: Rejection[] = [];
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const pod = podOf(result);
    if (!pod) continue;
    for (const record of parseLogRecords(logTextOf(result)).records) {
      if (record.level !== "ERROR" && record.level !== "FATAL") continue;
      const rejection = readRejection(record, pod, result, own);
      if (rejection) found.push(rejection);
    }
  }
  // The provider's API and its token endpoint share a domain (api.x.com, auth.x.com): one dependency.
  const groups = new Map<string, Rejection[]>();
  for (const r of found) groups.set(`${baseDomain(r.host)} ${r.workload}`, [...(groups.get(`${baseDomain(r.host)} ${r.workload}`) ?? []), r]);
  const top = [...groups.values()].sort((a, b) => b.length - a.length)[0];
  return top && top.length >= 3 ? top : null;
}

function readRejection(record: LogRecord, pod: string, result: ToolEvidence, own: ReadonlySet<string>): Rejection | null {
  const chain = [record.message, record.exception?.message ?? "", ...record.causes.map((c) => c.message ?? "")].join(" ");
  if (!REJECTED.test(chain)) return null;
  const url = URL_HOST.exec(chain);
  const host = url?.[1]?.toLowerCase();
  if (!host || OWN_SERVER.test(host) || own.has(host) || CONDUCTOR_API.test(url?.[2] ?? "")) return null;
  const relayed = FAILED_BY_WORKER.exec(record.message);
  const workload = relayed?.[1] ?? workloadOf(pod);
  const quote = clip(relayed?.[2] ?? record.message);
  const deep = CREDENTIAL_ITSELF.test(chain);
  return { host, workload, quote, task: FAILED_TASK.exec(record.message)?.[1] ?? null, deep, result, pod };
}

/** The hosts the cluster serves itself (its ingresses): a rejection from them is not a third party's. */
function ownHosts(evidence: Evidence): Set<string> {
  return new Set(resultsFor(evidence, "get_ingress_info").flatMap((r) => extractIngresses(r.data, r.text).flatMap((i) => i.hosts.map((h) => h.toLowerCase()))));
}

function mostFrequent(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
}

function possessive(name: string): string {
  return name.endsWith("s") ? `${name}'` : `${name}'s`;
}

function baseDomain(host: string): string {
  return host.split(".").slice(-2).join(".");
}

function clip(text: string): string {
  const flat = text.trim().replace(/\s+/g, " ");
  return flat.length <= MAX_QUOTE ? flat : flat.slice(0, MAX_QUOTE).replace(/\s+\S*$/, "");
}

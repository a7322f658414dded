import { matchMechanism, type ErrorMechanism } from "../../../playbook/error-mechanisms.ts";
import { extractChanges } from "../../read/read-changes.ts";
import { extractDeployments } from "../../read/read-deployments.ts";
import { extractPods } from "../../read/read-pods.ts";
import { extractRows } from "../../read/read-rows.ts";
import { parseLogRecords, type LogRecord } from "../../read/read-logs.ts";
import { collectStrings, isObject, readString, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { SECRET_SYNC } from "../../../playbook/component-pods.ts";
import type { Analysis, Analyzer, Evidence, RuleFinding, ToolEvidence } from "../../types.ts";

/**
 * An error that names its mechanism (src/playbook/error-mechanisms.ts), correlated with the change
 * that brought it: the workload's last rollout, a database failover, a Secret updated after the
 * pods started. The cause quotes the error, says what it means and names the change:
 * "<error> since <change>". Without the change, the mechanism alone (when it is evidence at all).
 */
export const analyzeErrorSinceChange: Analyzer = {
  name: "error since change",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const done = new Set<string>();
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result);
      if (!pod) continue;
      const workload = workloadOf(pod);
      const text = rawLogText(result);
      const hit = firstHit(parseLogRecords(text).records);
      if (!hit || done.has(`${hit.mechanism.key} ${workload}`)) continue;
      done.add(`${hit.mechanism.key} ${workload}`);
      const { mechanism } = hit;
      const errorFinding: RuleFinding = { text: `${pod}: ${hit.quote}`, note: `×${hit.count}: ${mechanism.meaning}`, tool: result.tool, weight: 0.75, key: mechanism.key };
      if (mechanism.change.includes("secret") && mechanism.alone === null) {
        // Rejected credentials alone: a lead (what changed?), not yet a cause.
        analysis.findings.push({ ...errorFinding, key: "credentials-rejected" });
        analysis.candidates.push({ key: "credentials-rejected", cause: `${workload}'s credentials are rejected: ${hit.quote}`, fact: `${workload}: ${hit.quote.slice(0, 80)}`, weight: 0.5, appOrInfra: "unknown", subject: pod, tool: result.tool });
      }
      const change = findChange(mechanism, evidence, workload, hit.time);
      const corroborated = mechanism.corroboration ? corroborating(text, mechanism.corroboration) : null;
      if (!change && mechanism.alone === null) continue;
      analysis.findings.push(errorFinding);
      if (corroborated) analysis.findings.push({ text: `${pod}: ${corroborated}`, note: "the mechanism at work", tool: result.tool, weight: 0.6, key: mechanism.key });
      if (change) analysis.findings.push({ ...change.finding, key: mechanism.key });
      const standby = mechanism.key === "db-read-only" ? inRecovery(evidence) : null;
      if (standby) analysis.findings.push({ ...standby, key: mechanism.key });
      const weight = change ? mechanism.withChange : (mechanism.alone as number);
      analysis.candidates.push({
        key: mechanism.key,
        cause: `${workload}: ${hit.quote} — ${mechanism.meaning}${corroborated ? ` (its logs: ${corroborated})` : ""}${standby ? ` (the database it reaches: ${standby.text})` : ""}${change ? ` — since ${change.since}` : ""}`,
        fact: `${workload}: ${hit.quote.slice(0, 70)}${change ? ` since ${change.short}` : ""}`,
        weight: Math.min(0.9, weight + ((corroborated || standby) && change ? 0.05 : 0)),
        appOrInfra: mechanism.appOrInfra,
        nextStep: mechanism.nextStep(workload),
        subject: pod,
        tool: result.tool,
      });
    }
    return analysis;
  },
};

/** JSON-lines logs as returned (a single record arrives parsed, which would lose its time and fields), else the log text. */
function rawLogText(result: ToolEvidence): string {
  return /^\s*\{/.test(result.text) ? result.text : logTextOf(result);
}

interface Hit {
  mechanism: ErrorMechanism;
  quote: string;
  count: number;
  /** When the first such error was logged, when the log says. */
  time: string | null;
}

/**
 * The mechanism the logs' errors name most often (a thrown exception, its Caused-by, an error
 * line), quoted as first written. It must be a good share of the errors, not one stray line among
 * many others: it refines what the dominant error means. Warnings count only in logs without
 * errors (a warning often guesses).
 */
function firstHit(records: readonly LogRecord[]): Hit | null {
  const errors = records.filter((r) => r.exception || r.level === "ERROR" || r.level === "FATAL");
  const pool = errors.length > 0 ? errors : records.filter((r) => r.level === "WARN");
  const hits = new Map<string, Hit>();
  for (const record of pool) {
    const texts = [record.exception, ...record.causes].filter((e) => e !== null).map((e) => `${e.name}${e.message ? `: ${e.message}` : ""}`);
    texts.push(record.message);
    for (const text of texts) {
      const mechanism = matchMechanism(text);
      if (!mechanism) continue;
      const known = hits.get(mechanism.key);
      if (known) known.count += 1;
      else hits.set(mechanism.key, { mechanism, quote: text === record.message ? quoteLine(text, 160) : quoteText(text, 160), count: 1, time: isoTime(record.time) });
      break;
    }
  }
  const best = [...hits.values()].sort((a, b) => b.count - a.count)[0];
  return best && best.count >= Math.max(1, DOMINANT_SHARE * pool.length) ? best : null;
}

/** The share of a log's errors a mechanism must account for. */
const DOMINANT_SHARE = 0.25;

/** A line that shows the mechanism at work, quoted. */
function corroborating(text: string, pattern: RegExp): string | null {
  const line = text.split(/\r?\n/).find((l) => pattern.test(l));
  return line ? quoteLine(line, 100) : null;
}

/** An exception as written (`x.y.FooException: message`), flattened and cut on a word edge. */
function quoteText(text: string, max: number): string {
  const flat = text.trim().replace(/\s+/g, " ");
  return `"${flat.length <= max ? flat : flat.slice(0, max).replace(/\s+\S*$/, "")}"`;
}

interface FoundChange {
  /** When the change happened, when recorded. */
  time?: string | null;
  /** The change as the cause states it. */
  since: string;
  short: string;
  finding: RuleFinding;
}

function findChange(mechanism: ErrorMechanism, evidence: Evidence, workload: string, firstError: string | null): FoundChange | null {
  for (const kind of mechanism.change) {
    const found = kind === "rollout" ? rolloutOf(evidence, workload) : kind === "failover" ? failoverFor(evidence, workload) : secretUpdatedFor(evidence, workload, firstError);
    if (found) return found;
  }
  return null;
}

/** How soon after a rollout an error's first occurrence is taken to come from it. */
const ROLLOUT_WINDOW_MS = 24 * 3600 * 1000;

/**
 * `since the rollout of W at T: "…"` when the workload rolled out at most a day before the error
 * first appears in these logs (both times known): any dominant error, mechanism or not.
 */
export function rolloutJustBefore(evidence: Evidence, workload: string, logText: string, matches: (record: LogRecord) => boolean): string | null {
  const first = isoTime(parseLogRecords(logText).records.find(matches)?.time ?? null);
  const change = first ? rolloutOf(evidence, workload) : null;
  const at = change?.time ? Date.parse(change.time) : Number.NaN;
  if (!first || !change || Number.isNaN(at)) return null;
  const gap = Date.parse(first) - at;
  return gap >= 0 && gap <= ROLLOUT_WINDOW_MS ? `since ${change.since}` : null;
}

/**
 * The workload's last recorded rollout (change-cause, image bump), else the release's helm
 * revision when it deployed the version the workload's image runs.
 */
function rolloutOf(evidence: Evidence, workload: string): FoundChange | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const changes = extractChanges(result.data, result.text);
    const deployment = extractDeployments(result.data, result.text).find((d) => d.name === workload);
    const tag = deployment?.images[0]?.split(":").pop() ?? null;
    const own = changes.find((c) => c.workload === workload);
    const release = own ? null : changes.find((c) => c.version && tag && c.version.replace(/^v/, "") === tag.replace(/^v/, ""));
    const change = own ?? release;
    if (!change) continue;
    const what = release ? `helm revision ${change.revision}${change.moved ? ` (${change.moved})` : ""}: "${change.description}"` : `"${change.description}"`;
    const verbatim = own ? (deployment?.changeCause ?? change.description) : change.description;
    return {
      time: isoTime(change.time),
      since: `the rollout of ${workload}${change.time ? ` at ${change.time}` : ""}: ${what}`,
      short: `the rollout ${(change.moved ?? change.description).slice(0, 50)}`,
      finding: { text: release ? `${change.revision} ${change.description}` : `${workload}: ${verbatim}`, note: `${release ? "the release's" : "its"} last rollout${change.time ? `, ${change.time}` : ""}`, tool: result.tool, weight: 0.7 },
    };
  }
  return null;
}

/** The SQL answer saying the database reached is a standby: `pg_is_in_recovery = true` (or read-only on). */
function inRecovery(evidence: Evidence): RuleFinding | null {
  for (const result of resultsFor(evidence, "run_sql_select")) {
    for (const row of extractRows(result.data, result.text)) {
      const entries = Object.entries(row);
      const recovery = entries.find(([key]) => /in_recovery/i.test(key));
      if (recovery && (recovery[1] === true || recovery[1] === "t" || recovery[1] === "true")) {
        return { text: `${recovery[0]}: ${String(recovery[1])}`, note: "the connection reaches a standby", tool: result.tool, weight: 0.7 };
      }
    }
  }
  return null;
}

const FAILOVER = /\bfail(?:ed)?[- ]?over\b|\bpromot(?:ed|ion)\b|\bswitchover\b|\bnew (?:primary|writer|master)\b/i;
const DB_URL = /jdbc:\w+:\/\/([a-z0-9][a-z0-9.-]*)|\bpostgres(?:ql)?:\/\/(?:[^@/\s]+@)?([a-z0-9][a-z0-9.-]*)/i;

/** A failover recorded anywhere in the evidence, with the host the workload's datasource still names. */
function failoverFor(evidence: Evidence, workload: string): FoundChange | null {
  const event = failoverEvent(evidence, workload);
  const datasource = datasourceOf(evidence, workload);
  const host = datasource?.host.split(".")[0] ?? null;
  // A host named as the read-only endpoint (`-ro`, `reader`, `replica`) is a wrong datasource whatever happened.
  const readOnlyHost = host !== null && READ_ONLY_HOST.test(host);
  if (!event && !readOnlyHost) return null;
  const demoted = host ? notWriter(evidence, host) : false;
  const onHost =
    host && readOnlyHost
      ? ` — its datasource ${datasource?.variable} names ${host}, a read-only endpoint`
      : host && event && !event.text.includes(host)
        ? ` — its datasource still names ${host}${demoted ? ", now a reader (the old primary)" : " (an instance host, not the writer endpoint)"}`
        : "";
  if (!event) {
    const variable = datasource?.variable ?? "datasource";
    return {
      since: `its datasource was set to a read-only endpoint${onHost}`,
      short: `datasource ${host}`,
      finding: { text: `${variable}: ${datasource?.host}`, note: "a read-only endpoint", tool: "get_deployments_info", weight: 0.7 },
    };
  }
  return {
    since: `the failover (${event.time ? `${event.time}: ` : ""}"${event.text}")${onHost}`,
    short: `the failover${host ? `; datasource ${host}` : ""}`,
    finding: { text: event.text, note: `${event.time ?? "recorded"}: the database failed over`, tool: event.tool, weight: 0.75 },
  };
}

/** A failover line is about a database when it says so (a "promotion" in an app's logs is not). */
const DATABASE_WORDS = /\b(primary|leader|master|writer|replica|standby|instance|database|db|cluster|postgres\w*|mysql|aurora|rds|patroni|redis|sentinel)\b/i;

const READ_ONLY_HOST = /(^|[-_])(ro|reader|replica|read|standby|secondary)([-_]|$)/i;

/** A failover or promotion: a field of a structured answer, or a line of another pod's logs (Patroni, an operator) or events. */
function failoverEvent(evidence: Evidence, workload: string): { text: string; time: string | null; tool: string } | null {
  let best: { text: string; time: string | null; tool: string; done: boolean } | null = null;
  const consider = (text: string, time: string | null, tool: string) => {
    const done = /\bcomplet|\bfinish|\bsucceed|\bpromoted\b/i.test(text);
    if (!best || (done && !best.done)) best = { text, time, tool, done };
  };
  for (const result of evidence.results.filter((r) => r.status === "ok")) {
    if (result.tool === "pull_pod_logs" || result.tool === "get_pod_events") {
      // The workload's own logs say what it saw, not what the database did.
      if (result.tool === "pull_pod_logs" && workloadOf(podOf(result) ?? "") === workload) continue;
      for (const line of rawLogText(result).split(/\r?\n/)) {
        if (line.length <= 400 && FAILOVER.test(line) && DATABASE_WORDS.test(line)) consider(quoteLine(line, 160).slice(1, -1).replace(/^[\s:|-]+/, ""), lineTime(line), result.tool);
      }
      continue;
    }
    if (typeof result.data === "string") {
      for (const line of result.data.split(/\r?\n/)) if (line.length <= 300 && FAILOVER.test(line) && DATABASE_WORDS.test(line)) consider(line.trim(), lineTime(line), result.tool);
      continue;
    }
    walkObjects(result.data, (object) => {
      for (const value of Object.values(object)) {
        if (typeof value === "string" && value.length <= 300 && FAILOVER.test(value) && DATABASE_WORDS.test(value)) consider(value, readString(object, "time", "timestamp", "date", "at", "lastTimestamp"), result.tool);
      }
      return false;
    });
  }
  return best;
}

/** The database host the workload (else any deployment) connects to, from its env. */
function datasourceOf(evidence: Evidence, workload: string): { host: string; variable: string } | null {
  const found: { host: string; variable: string; own: boolean }[] = [];
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    for (const deployment of extractDeployments(result.data, result.text)) {
      for (const [variable, value] of Object.entries(deployment.env)) {
        const m = DB_URL.exec(value);
        const host = m?.[1] ?? m?.[2];
        if (host) found.push({ host, variable, own: deployment.name === workload });
      }
    }
  }
  return found.find((f) => f.own) ?? found[0] ?? null;
}

/** True when an object naming this instance says it is not the writer/primary (isClusterWriter false, role replica). */
function notWriter(evidence: Evidence, host: string): boolean {
  let demoted = false;
  for (const result of evidence.results.filter((r) => r.status === "ok")) {
    walkObjects(result.data, (object) => {
      if (!Object.values(object).some((v) => typeof v === "string" && v.split(".")[0] === host)) return false;
      for (const [key, value] of Object.entries(object)) {
        if (/writer|primary|master/i.test(key) && value === false) demoted = true;
        if (/^role$|^state$/i.test(key) && typeof value === "string" && /replica|reader|standby|secondary/i.test(value)) demoted = true;
      }
      return false;
    });
  }
  return demoted;
}

const SECRET_UPDATED = /\bsecret\b[^\n]*\b(updated|rotated|changed|refreshed|new version)\b|\b(updated|rotated|refreshed)\b[^\n]*\bsecret\b/i;

/** Errors starting this soon after a Secret update are taken to follow from it (when the update's line cannot name the Secret). */
const SOON_AFTER_MS = 15 * 60 * 1000;

/**
 * A Secret the workload reads, updated (by a secret-sync controller, per its logs) after the
 * workload last rolled out. The update's line names the Secret, or (names redacted) the errors
 * began within minutes after it.
 */
function secretUpdatedFor(evidence: Evidence, workload: string, firstError: string | null): FoundChange | null {
  const referenced = secretsOf(evidence, workload);
  if (referenced.length === 0) return null;
  const rolledOut = lastRollout(evidence, workload);
  const restarted = restartedPods(evidence, workload);
  const recorded = secretObjectUpdate(evidence, referenced, rolledOut, restarted);
  if (recorded) return recorded;
  for (const result of resultsFor(evidence, "pull_pod_logs", "get_pod_events")) {
    const pod = podOf(result) ?? "events";
    // The workload's own logs say what it saw; its events may record the Secret's update.
    if (result.tool === "pull_pod_logs" && workloadOf(pod) === workload) continue;
    const source = result.tool === "get_pod_events" ? "events" : pod;
    for (const line of rawLogText(result).split(/\r?\n/)) {
      if (!SECRET_UPDATED.test(line)) continue;
      const time = lineTime(line);
      const named = referenced.find((name) => line.includes(name));
      const justBefore = time !== null && firstError !== null && Date.parse(firstError) >= Date.parse(time) && Date.parse(firstError) - Date.parse(time) <= SOON_AFTER_MS;
      if (!named && !(justBefore && SECRET_SYNC.test(pod))) continue;
      const secret = named ?? referenced.join(", ");
      const fresh = restarted !== null || (time !== null && rolledOut !== null && rolledOut >= time);
      const said = named ? around(line, named) : `"${SECRET_UPDATED.exec(line)?.[0] ?? "secret updated"}"`;
      return {
        since: `${named ? `the Secret ${secret} was updated` : `a Secret was updated by ${pod} (${workload} reads ${secret})`}${time ? ` at ${time}` : ""}${!named && firstError ? `, just before the first failure at ${firstError}` : ""} (${source}: ${said})${fresh ? "" : rolledOut ? ` while ${workload}'s pods date from ${rolledOut}` : ""}: ${fresh ? staleOrMismatch(restarted) : STILL_OLD}`,
        short: `Secret ${secret} updated${time ? ` ${time}` : ""}`,
        finding: { text: said, note: `${source}: the Secret ${workload} reads changed${time ? ` at ${time}` : ""}`, tool: result.tool, weight: 0.75 },
      };
    }
  }
  return null;
}

/** The words of a line up to and including `needle`, at most ~120 characters, verbatim. */
function around(line: string, needle: string): string {
  const end = line.indexOf(needle) + needle.length;
  const start = Math.max(0, end - 120);
  const cut = start === 0 ? line.slice(0, end) : line.slice(start, end).replace(/^\S*\s*/, "");
  return cut.trim().replace(/\s+/g, " ");
}

/** A line's own time: an ISO timestamp, or epoch seconds in a `ts`/`time` field. */
function lineTime(line: string): string | null {
  const iso = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?/.exec(line)?.[0];
  if (iso) return isoTime(iso);
  const epoch = /"(?:ts|time|timestamp)"\s*:\s*"?(\d{10}(?:\.\d+)?|\d{13})\b/.exec(line)?.[1];
  return epoch ? isoTime(epoch) : null;
}

/** A Secret object listed with its own update time (a Secret's metadata, an ExternalSecret's refresh), later than the rollout. */
function secretObjectUpdate(evidence: Evidence, referenced: readonly string[], rolledOut: string | null, restarted: string | null): FoundChange | null {
  let found: FoundChange | null = null;
  for (const result of evidence.results.filter((r) => r.status === "ok" && r.tool !== "pull_pod_logs")) {
    walkObjects(result.data, (object) => {
      if (found) return true;
      const metadata = isObject(object.metadata) ? (object.metadata as JsonObject) : {};
      const name = readString(object, "secret", "secretName", "name") ?? readString(metadata, "name");
      if (!name || !referenced.includes(name.replace(/^[\w-]+\//, ""))) return false;
      const kind = readString(object, "kind") ?? "";
      if (kind && !/secret/i.test(kind)) return false;
      const time = isoTime(readString(object, "updated", "lastUpdated", "updatedAt", "modified", "rotated", "rotatedAt", "refreshTime", "lastSync", "lastSyncTime") ?? readString(metadata, "updated", "lastUpdated"));
      if (!time) return false;
      const fresh = restarted !== null || (rolledOut !== null && rolledOut >= time);
      found = {
        since: `the Secret ${name} was updated at ${time}${fresh || !rolledOut ? "" : ` while the pods date from ${rolledOut}`}: ${fresh ? staleOrMismatch(restarted) : STILL_OLD}`,
        short: `Secret ${name} updated ${time}`,
        finding: { text: `${name} updated ${time}`, note: "the Secret's own update time", tool: result.tool, weight: 0.7 },
      };
      return true;
    });
  }
  return found;
}

const STILL_OLD = "the rotated credentials changed and the running pods still hold the old ones (a Secret is read at pod start)";

/** Pods that started after the update read the new value: then the rotation left the Secret and the service out of sync. */
function staleOrMismatch(restarted: string | null): string {
  return `the pods ${restarted ? `restart (${restarted}) and ` : ""}read the rotated credentials, which are rejected: the rotation left the Secret and the service it authenticates to out of sync`;
}

/** `CrashLoopBackOff, 7 restarts` for the workload's pods that restarted, else null. */
function restartedPods(evidence: Evidence, workload: string): string | null {
  const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text)).filter((p) => workloadOf(p.name) === workload && p.restarts > 0);
  const pod = pods[0];
  return pod ? [pod.status, `${pod.restarts} restarts`].filter(Boolean).join(", ") : null;
}

/** Names of the Secrets a workload's deployment references (envFrom, secretKeyRef, volumes). */
function secretsOf(evidence: Evidence, workload: string): string[] {
  const names = new Set<string>();
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    walkObjects(result.data, (object) => {
      if (readString(object, "name", "deployment") !== workload && readString(isObject(object.metadata) ? (object.metadata as JsonObject) : {}, "name") !== workload) return false;
      for (const s of collectStrings(object)) {
        const m = /^secrets?\/([a-z0-9][a-z0-9.-]*)$/i.exec(s) ?? /^<secret ([a-z0-9][a-z0-9.-]*)\//i.exec(s);
        if (m?.[1]) names.add(m[1]);
      }
      walkObjects(object, (child) => {
        for (const [key, value] of Object.entries(child)) {
          if (/^(secretName|secretRef|secretKeyRef)$/i.test(key)) {
            const name = typeof value === "string" ? value : isObject(value) ? readString(value, "name") : null;
            if (name) names.add(name);
          }
        }
        return false;
      });
      return true;
    });
    // `kubectl describe deployment`: `<set to the key 'password' in secret 'app-db'>`, `app-db  Secret  Optional: false`.
    for (const block of describedBlocks(result.text, workload)) {
      for (const m of block.matchAll(/in secret '([^']+)'/g)) if (m[1]) names.add(m[1]);
      for (const m of block.matchAll(/^\s*([a-z0-9][a-z0-9.-]*)\s+Secret\s+Optional:/gm)) if (m[1]) names.add(m[1]);
    }
    for (const deployment of extractDeployments(result.data, result.text).filter((d) => d.name === workload)) {
      for (const value of Object.values(deployment.env)) {
        const m = /^<secret ([^/>]+)\//.exec(value);
        if (m?.[1]) names.add(m[1]);
      }
    }
  }
  return [...names];
}

/** The `describe` sections (from one `Name:` line to the next) about this workload. */
function describedBlocks(text: string, workload: string): string[] {
  return text.split(/^(?=Name:\s)/m).filter((block) => /^Name:\s+(\S+)/m.exec(block)?.[1] === workload);
}

function lastRollout(evidence: Evidence, workload: string): string | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const deployment = extractDeployments(result.data, result.text).find((d) => d.name === workload);
    const time = isoTime(deployment?.lastChange ?? null);
    if (time) return time;
  }
  return null;
}

/** An ISO time from an ISO string or epoch seconds/milliseconds; null otherwise. */
function isoTime(value: string | null): string | null {
  if (!value) return null;
  if (/^\d{9,10}(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
  if (/^\d{12,13}$/.test(value)) return new Date(Number(value)).toISOString().replace(/\.\d{3}Z$/, "Z");
  // A time without a zone is read as UTC (what cluster logs print), the same on every machine.
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value) ? `${value.replace(" ", "T")}Z` : value);
  return /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(t) ? new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z") : null;
}


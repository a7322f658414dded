import { extractDeployments } from "../../read/read-deployments.ts";
import { readMetrics } from "../../read/read-metrics.ts";
import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** Sessions idle in transaction hold their connection (and locks) while doing nothing. */
const IDLE_IN_TRANSACTION = /idle in transaction/i;
const MANY = 5;

interface SessionGroup {
  state: string;
  application: string | null;
  count: number;
}

/** Postgres sessions by state and client (pg_stat_activity): who holds the connections a pool waits for. */
export const analyzeDbSessions: Analyzer = {
  name: "database sessions",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "run_sql_select")) {
      const groups = readSessions(result.data, result.text);
      if (groups.length === 0) continue;
      const total = groups.reduce((sum, g) => sum + g.count, 0);
      const idle = groups.filter((g) => IDLE_IN_TRANSACTION.test(g.state)).sort((a, b) => b.count - a.count);
      const idleCount = idle.reduce((sum, g) => sum + g.count, 0);
      analysis.findings.push({
        text: `Postgres sessions: ${groups.slice(0, 4).map((g) => `${g.state}${g.application ? ` (${g.application})` : ""} ${formatNumber(g.count)}`).join("; ")}`,
        note: `${formatNumber(total)} in all`,
        tool: result.tool,
        weight: idleCount >= MANY ? 0.8 : 0.4,
        key: idleCount >= MANY ? "db-idle-transaction" : "database",
      });
      const holder = idle[0];
      if (!holder || idleCount < MANY || idleCount < total / 4) continue;
      const who = holder.application ? ` by ${holder.application}` : "";
      analysis.candidates.push({
        key: "db-idle-transaction",
        fact: `${formatNumber(idleCount)} of ${formatNumber(total)} connections idle in transaction${who}`,
        cause: `${formatNumber(idleCount)} of ${formatNumber(total)} Postgres connections are held idle in transaction${who}, starving the server's connection pool (HikariPool waits, requests and health probes time out)`,
        weight: 0.88,
        appOrInfra: "app",
        nextStep: `Ask the owner of ${holder.application ?? "the idle sessions"} to commit or close its transactions (set idle_in_transaction_session_timeout); terminating those sessions is a human decision`,
        tool: result.tool,
      });
    }
    analyzeConnectionHolders(evidence, analysis);
    return analysis;
  },
};

/** Postgres refusing new connections: every slot is taken. */
const OUT_OF_SLOTS = /too many clients|remaining connection slots are reserved|too many connections|connection slots? (?:are )?(?:exhausted|full)/i;
/** A client holding at least this share of the slots is the one that takes them. */
const HOLDER_SHARE = 0.5;

/**
 * When Postgres refuses connections ("too many clients"), who holds the slots: pg_stat_activity
 * grouped by application or user (SQL rows, or the exporter's pg_stat_activity_count series),
 * against max_connections. A client other than the Conductor server holding most of them is the
 * cause; the server's connection errors are what it produces.
 */
function analyzeConnectionHolders(evidence: Evidence, analysis: Analysis): void {
  const refused = evidence.results.find((r) => OUT_OF_SLOTS.test(r.output));
  if (!refused) return;
  const quoted = /(?:FATAL:\s*)?(?:sorry,\s*)?(?:too many clients|remaining connection slots|too many connections)[^"\n}]*/i.exec(refused.output)?.[0]?.trim().slice(0, 120) ?? null;
  for (const result of evidence.results) {
    const clients = clientsOf(result.data, result.text, result.tool);
    if (clients.length < 2) continue;
    const total = clients.reduce((sum, c) => sum + c.count, 0);
    const max = maxConnectionsOf(evidence);
    const [top] = clients;
    if (!top || /conductor/i.test(top.name) || top.count < (max ?? total) * HOLDER_SHARE) continue;
    const states = top.states.size > 1 ? ` (${[...top.states.entries()].map(([state, n]) => `${formatNumber(n)} ${state}`).join(", ")})` : "";
    const of = max ? `${formatNumber(top.count)} of max_connections ${formatNumber(max)}` : `${formatNumber(top.count)} of ${formatNumber(total)} connections`;
    const who = `${top.name}${top.user && top.user !== top.name ? ` (user ${top.user})` : ""}`;
    // The sum is the engine's count: the fact quoted is the client's largest group as the output shows it.
    const [state, n] = [...top.states.entries()].sort((a, b) => b[1] - a[1])[0] ?? [null, top.count];
    analysis.findings.push({
      text: `Postgres connections of ${top.name}${state ? ` ${state}` : ""}: ${n}`,
      note: `${formatNumber(top.count)} in all for ${top.name}, ${formatNumber(total)} listed${max ? `, max_connections ${formatNumber(max)}` : ""}`,
      tool: result.tool,
      weight: 0.85,
      key: "db-connections-held",
    });
    analysis.candidates.push({
      key: "db-connections-held",
      cause: `Postgres is out of connection slots${quoted ? ` ("${quoted}")` : ""}: client ${who} holds ${of}${states}${deploymentOf(evidence, top.name)}, so the Conductor server cannot open the connections it needs`,
      fact: `${top.name} holds ${of}`,
      weight: 0.88,
      appOrInfra: "app",
      nextStep: `Cap ${top.name}'s connections (its pool size × replicas must fit under max_connections with room for the Conductor server), or give it its own database user with a CONNECTION LIMIT; the server recovers once slots free up`,
      // No subject: the client is not the pod an alert names, and its hold on the slots explains that pod's trouble too.
      tool: result.tool,
    });
    return;
  }
}

interface Client {
  name: string;
  user: string | null;
  count: number;
  states: Map<string, number>;
}

/** Connections summed per client (application name, else user), largest first. */
function clientsOf(data: unknown, text: string, tool: string): Client[] {
  const byName = new Map<string, Client>();
  const add = (name: string | null, user: string | null, state: string | null, count: number | null) => {
    const key = name || user;
    if (!key || count === null || count <= 0) return;
    const client = byName.get(key) ?? { name: key, user, count: 0, states: new Map<string, number>() };
    client.count += count;
    if (state) client.states.set(state, (client.states.get(state) ?? 0) + count);
    byName.set(key, client);
  };
  if (tool === "run_sql_select") {
    for (const row of extractRows(data, text)) {
      const entries = Object.entries(row).map(([k, v]) => [normalizeKey(k), v] as const);
      const get = (test: (k: string) => boolean) => entries.find(([k]) => test(k))?.[1];
      const app = get((k) => k.includes("application"));
      const user = get((k) => k === "usename" || k === "user" || k === "username" || k === "rolname");
      const state = get((k) => k === "state");
      const count = entries.map(([k, v]) => (/count|connections|sessions|^n$/.test(k) ? toNumber(v) : null)).find((n) => n !== null) ?? null;
      add(typeof app === "string" ? app : null, typeof user === "string" ? user : null, typeof state === "string" ? state : null, count);
    }
  } else {
    for (const sample of readMetrics(data, text)) {
      if (sample.role !== "value" || !/activity|connections|backends/i.test(sample.name)) continue;
      const labels = sample.labels;
      add(labels.application_name ?? null, labels.usename ?? labels.user ?? null, labels.state ?? null, sample.value);
    }
  }
  return [...byName.values()].sort((a, b) => b.count - a.count);
}

/** The client's own deployment, when one is named like it: its replicas and connection pool size, what multiplies into the slots. */
function deploymentOf(evidence: Evidence, client: string): string {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const deployment = extractDeployments(result.data, result.text).find((d) => d.name === client);
    if (!deployment) continue;
    const replicas = deployment.desired ?? deployment.ready;
    const pool = Object.entries(Object.assign({}, ...deployment.containers.map((c) => c.env))).find(([k]) => /max(imum)?[_-]?pool[_-]?size/i.test(k))?.[1];
    const poolText = pool ?? /max(?:imum)?[_-]?pool[_-]?size\s*[=:]\s*(\d+)/i.exec(result.text.slice(Math.max(0, result.text.indexOf(`--- ${client}`))))?.[1];
    return replicas !== null ? ` — its deployment runs ${formatNumber(replicas)} replicas${poolText ? ` with a connection pool of ${poolText} each` : ""}` : "";
  }
  return "";
}

/** max_connections from a setting's metric, a SHOW/pg_settings row or cluster data. */
function maxConnectionsOf(evidence: Evidence): number | null {
  for (const result of evidence.results) {
    const sample = readMetrics(result.data, result.text).find((s) => /max_?connections/i.test(s.name));
    if (sample) return sample.value;
  }
  return null;
}

/** Rows with a `state` column and a count, as pg_stat_activity grouped by state answers. */
export function readSessions(data: unknown, text: string): SessionGroup[] {
  return extractRows(data, text).flatMap((row) => {
    const entries = Object.entries(row).map(([k, v]) => [normalizeKey(k), v] as const);
    const state = entries.find(([k]) => k === "state")?.[1];
    const application = entries.find(([k]) => k.includes("application") || k === "usename" || k === "client")?.[1];
    const count = entries.map(([k, v]) => (k === "state" ? null : toNumber(v))).find((n) => n !== null && n !== undefined);
    return typeof state === "string" && typeof count === "number" ? [{ state, application: typeof application === "string" && application !== "" ? application : null, count }] : [];
  });
}

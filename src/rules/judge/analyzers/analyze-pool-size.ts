import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { readMetrics, type MetricSample } from "../../read/read-metrics.ts";
import { readSettings } from "../../read/read-settings.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { normalizeKey } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence, RuleFinding } from "../../types.ts";
import { readSessions } from "./analyze-db-sessions.ts";

/** `(total=10, active=10, idle=0, waiting=140)`: Hikari's own account of its pool when a borrow times out. */
const POOL_STATS = /total=(\d+),\s*active=(\d+),\s*idle=(\d+),\s*(?:waiting|pending)=(\d+)/i;
/** A JDBC request that gave up waiting for a pooled connection (Hikari, DBCP, Tomcat JDBC); a Redis client's pool is not the database's. */
const BORROW_TIMEOUT = /Connection is not available, request timed out|Cannot get a connection, pool error|Timeout: Pool empty/i;
/** Config keys that size a JDBC pool: `SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE`, `maxPoolSize`, `db.pool.max`. */
const POOL_SIZE_KEY = /(?:maximum|max)poolsize|poolmax(?:size)?|poolsize|maxconnections?perpod/;

interface PoolReading {
  max: number;
  waiting: number;
  /** The pool reported its own counts (gauges, Hikari's stats); false: the size is the configured one. */
  stats: boolean;
  hikari: boolean;
  finding: RuleFinding;
  workload: string | null;
}

/**
 * A connection pool too small for the load: every connection of the server's pool is in use
 * and requests queue for one (Hikari's "Connection is not available … total=10, active=10,
 * waiting=140", or hikaricp_connections_active at hikaricp_connections_max with pending ones),
 * while PostgreSQL itself is mostly idle (most sessions idle, none idle in transaction holding
 * them). With the database busy, the pool is a symptom and this says nothing.
 */
export const analyzePoolSize: Analyzer = {
  name: "connection pool size",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const sizes = resultsFor(evidence, "get_deployments_info")
      .flatMap((result) => readSettings(result.data, result.text).map((setting) => ({ setting, tool: result.tool })))
      .filter(({ setting }) => POOL_SIZE_KEY.test(normalizeKey(setting.key)) && !/redis|jedis|lettuce|http|thread/i.test(setting.key) && /^\d+$/.test(setting.value.trim()));
    const pool = poolFromMetrics(evidence) ?? poolFromLogs(evidence, sizes.map((s) => Number(s.setting.value)));
    if (!pool) return analysis;
    const database = databaseIdle(evidence);
    if (!database) return analysis;
    const configured = sizes.find(({ setting }) => Number(setting.value) === pool.max);
    analysis.findings.push(pool.finding, database.finding);
    if (configured) analysis.findings.push({ text: `${configured.setting.key}=${configured.setting.value}`, note: `the pool size ${configured.setting.workload ?? "the server"} is configured with`, tool: configured.tool, weight: 0.7, key: "pool-too-small" });
    const workload = configured?.setting.workload ?? pool.workload ?? "the Conductor server";
    const kind = pool.hikari || /hikari/i.test(configured?.setting.key ?? "") ? "Hikari JDBC connection pool" : "JDBC connection pool";
    const setting = configured ? `, configured ${configured.setting.key}=${configured.setting.value}` : "";
    analysis.candidates.push({
      key: "pool-too-small",
      cause: `${workload}'s ${kind} is too small for its load: all ${formatNumber(pool.max)} connections are in use with ${pool.stats ? `${formatNumber(pool.waiting)} requests waiting for one` : `requests timing out waiting for one (×${formatNumber(pool.waiting)} in the log)`}${setting}, while PostgreSQL is mostly idle (${database.summary}), so requests queue in the pool, not in the database`,
      fact: `${workload} pool of ${formatNumber(pool.max)} exhausted, PostgreSQL idle`,
      weight: configured ? 0.8 : 0.7,
      appOrInfra: "infra",
      nextStep: `Raise ${workload}'s pool size${configured ? ` (${configured.setting.key}, now ${configured.setting.value})` : ""} within PostgreSQL's max_connections across all replicas, or find what recently multiplied the requests (more workers polling)`,
      tool: pool.finding.tool,
      ...(pool.workload ? { subject: pool.workload } : {}),
    });
    return analysis;
  },
};

/** Pool gauges: the active count at the pool's max with requests pending. */
function poolFromMetrics(evidence: Evidence): PoolReading | null {
  for (const result of resultsFor(evidence, "get_cluster_metrics")) {
    const samples = readMetrics(result.data, result.text).filter((s) => /hikari|(?:db|jdbc|connection)\W?pool|pool\W?connection/i.test(s.name));
    // What the gauge counts, after the pool's own name: `hikaricp_connections_active` → active, `db.pool.max` → max.
    const byPod = (pattern: RegExp) => samples.filter((s) => pattern.test(normalizeKey(s.name).replace(/^.*?(?:connections?|hikari(?:cp)?|pool)(?!.*(?:connections?|pool))/, "")));
    const max = byPod(/^(?:max|maximum)/);
    const active = byPod(/^(?:active|inuse|used|busy)/);
    const pending = byPod(/^(?:pending|waiting|threadsawaiting)/);
    const top = (list: MetricSample[]) => list.reduce<MetricSample | null>((best, s) => (!best || s.value > best.value ? s : best), null);
    const [m, a, p] = [top(max), top(active), top(pending)];
    if (!m || !a || !p || a.value < m.value || p.value <= 0) continue;
    const pod = p.labels.pod ?? a.labels.pod ?? null;
    return {
      max: m.value,
      waiting: p.value,
      stats: true,
      hikari: /hikari/i.test(m.name),
      workload: pod ? workloadOf(pod) : null,
      finding: { text: `${p.name}${pod ? ` ${pod}` : ""}: ${p.value}`, note: `${a.name} ${a.value} of ${m.name} ${m.value}: every connection in use`, tool: result.tool, weight: 0.75, key: "pool-too-small" },
    };
  }
  return null;
}

/**
 * Hikari's timeout line with its pool stats (total = active, nothing idle, requests waiting); an
 * older Hikari prints no stats, and then its size is the one configured (a single pool size).
 */
function poolFromLogs(evidence: Evidence, configured: readonly number[]): PoolReading | null {
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const lines = logTextOf(result).split(/\r?\n/);
    const full = lines.find((l) => {
      const m = POOL_STATS.exec(l);
      return m !== null && Number(m[1]) === Number(m[2]) && Number(m[4]) > 0;
    });
    const sizes = [...new Set(configured)];
    const bare = full ? undefined : sizes.length === 1 ? lines.find((l) => BORROW_TIMEOUT.test(l)) : undefined;
    const line = full ?? bare;
    const stats = full ? POOL_STATS.exec(full) : null;
    if (!line) continue;
    const pod = podOf(result);
    const waiting = stats ? Number(stats[4]) : lines.filter((l) => BORROW_TIMEOUT.test(l)).length;
    return {
      max: stats ? Number(stats[1]) : (sizes[0] as number),
      waiting,
      stats: stats !== null,
      hikari: /hikari/i.test(line),
      workload: pod ? workloadOf(pod) : null,
      finding: { text: `${pod ?? "the pod"}: ${quoteLine(line, 170)}`, tool: result.tool, weight: 0.75, key: "pool-too-small" },
    };
  }
  return null;
}

/** PostgreSQL answering from a pool of mostly idle sessions, with none idle in transaction holding them. */
function databaseIdle(evidence: Evidence): { summary: string; finding: RuleFinding } | null {
  // Grouped counts only: a row per session (pid, state) is not a count of sessions.
  for (const result of resultsFor(evidence, "run_sql_select").filter((r) => typeof r.input.query !== "string" || /group\s+by/i.test(r.input.query))) {
    const groups = readSessions(result.data, result.text);
    if (groups.length === 0) continue;
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    const active = groups.filter((g) => /^active$/i.test(g.state)).reduce((sum, g) => sum + g.count, 0);
    const stuck = groups.filter((g) => /idle in transaction/i.test(g.state)).reduce((sum, g) => sum + g.count, 0);
    if (total === 0 || active > total / 2 || stuck >= Math.max(2, total / 10)) return null;
    const summary = `${formatNumber(active)} active of ${formatNumber(total)} sessions`;
    return { summary, finding: { text: `Postgres sessions: ${groups.slice(0, 3).map((g) => `${g.state} ${formatNumber(g.count)}`).join("; ")}`, note: `${summary}: the database is not what is busy`, tool: result.tool, weight: 0.5, key: "pool-too-small", ruledOut: true } };
  }
  return null;
}

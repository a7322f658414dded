import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

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
    return analysis;
  },
};

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

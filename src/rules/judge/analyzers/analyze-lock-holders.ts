import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

type Row = Map<string, unknown>;

/**
 * Sessions waiting on locks and who blocks them (pg_locks / pg_blocking_pids): the head of the
 * chain — a blocking pid that waits on no one — is the cause of everything queued behind it. Its
 * user, client, state and transaction age come from the same row or from pg_stat_activity rows.
 */
export const analyzeLockHolders: Analyzer = {
  name: "lock holders",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const rows = resultsFor(evidence, "run_sql_select").flatMap((result) => extractRows(result.data, result.text).map((row) => ({ row: normalized(row), tool: result.tool })));
    const edges = rows.flatMap(({ row, tool }) => {
      const blocked = text(row, "blockedpid", "pid");
      const blockers = blockersOf(row);
      return blocked && blockers.length > 0 ? blockers.map((blocker) => ({ blocked, blocker, row, tool })) : [];
    });
    if (edges.length === 0) return analysis;
    const waiting = new Set(edges.map((e) => e.blocked));
    const heads = [...new Set(edges.map((e) => e.blocker))].filter((pid) => !waiting.has(pid));
    for (const head of heads.slice(0, 1)) {
      const first = edges.find((e) => e.blocker === head) as (typeof edges)[number];
      const session = rows.find(({ row }) => text(row, "pid") === head && !blockersOf(row).length)?.row;
      const user = (session && text(session, "usename", "user")) ?? null;
      const app = text(first.row, "blockingapp", "blockingapplication") ?? (session ? text(session, "applicationname", "application") : null);
      const state = text(first.row, "blockingstate") ?? (session ? text(session, "state") : null);
      const age = session ? text(session, "xactage", "transactionage") : null;
      const relation = text(first.row, "relation", "relname", "table");
      const query = text(first.row, "blockedquery", "query");
      const queued = edges.filter((e) => e.blocker === head).length;
      const who = [user, app, state, age ? `transaction open ${age}` : null].filter(Boolean).join(", ");
      analysis.findings.push({ text: `pid ${head}${app ? ` (${app})` : ""} blocks ${query ? `"${query.slice(0, 80)}"` : "other sessions"}`, note: `head of the lock chain; ${formatNumber(queued)} waiting on it directly`, tool: first.tool, weight: 0.85, key: "db-lock-holder" });
      analysis.candidates.push({
        key: "db-lock-holder",
        cause: `Postgres session pid ${head}${who ? ` (${who})` : ""} holds a lock${relation ? ` on ${relation}` : ""} that ${query ? `"${query.slice(0, 100)}"` : "other sessions"} waits for, and the queries behind it queue up: every query touching it slows or times out${/idle in transaction/i.test(state ?? "") ? "; an open transaction doing nothing also keeps vacuum from cleaning dead rows" : ""}`,
        fact: `pid ${head}${app ? ` (${app})` : ""} holds the lock the others wait for`,
        weight: 0.9,
        appOrInfra: "app",
        nextStep: `Ask the owner of pid ${head}${app ? ` (${app})` : ""} to end its transaction (set idle_in_transaction_session_timeout); terminating it is a human decision`,
        tool: first.tool,
      });
    }
    return analysis;
  },
};

function normalized(row: Record<string, unknown>): Row {
  return new Map(Object.entries(row).map(([k, v]) => [normalizeKey(k), v]));
}

function text(row: Row, ...keys: string[]): string | null {
  for (const key of keys) {
    const value = row.get(key);
    if ((typeof value === "string" && value !== "") || typeof value === "number") return String(value);
  }
  return null;
}

/** `blocking_pid 48211`, `blocked_by {48211}` or `[48211, 5120]`. */
function blockersOf(row: Row): string[] {
  const value = row.get("blockingpid") ?? row.get("blockedby") ?? row.get("pgblockingpids");
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value.map(String) : String(value).match(/\d+/g) ?? []).filter((pid) => pid !== "0");
}

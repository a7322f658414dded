import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** Sequential scans over a table this large, with almost no index scans, mean a lookup has no usable index. */
const LARGE_TABLE = 1_000_000;
const MANY_SCANS = 10_000;

/** pg_stat_user_tables: a big table read by sequential scans only. */
export const analyzeTableScans: Analyzer = {
  name: "table scans",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "run_sql_select")) {
      const tables = extractRows(result.data, result.text).flatMap((row) => {
        const get = (name: string) => Object.entries(row).find(([k]) => normalizeKey(k) === name)?.[1];
        const name = get("relname");
        const rows = toNumber(get("nlivetup"));
        const seq = toNumber(get("seqscan"));
        const idx = toNumber(get("idxscan")) ?? 0;
        return typeof name === "string" && rows !== null && seq !== null ? [{ name, rows, seq, idx }] : [];
      });
      const hot = tables.filter((t) => t.rows >= LARGE_TABLE && t.seq >= MANY_SCANS && t.idx < t.seq / 100).sort((a, b) => b.seq - a.seq)[0];
      if (!hot) continue;
      analysis.findings.push({ text: `${hot.name}: ${formatNumber(hot.seq)} sequential scans, ${formatNumber(hot.idx)} index scans over ${formatNumber(hot.rows)} rows`, tool: result.tool, weight: 0.8, key: "missing-index" });
      analysis.candidates.push({
        key: "missing-index",
        cause: `Table ${hot.name} (${formatNumber(hot.rows)} rows) is read only by sequential scans (${formatNumber(hot.seq)} seq scans, ${formatNumber(hot.idx)} index scans): the frequent lookup on it has no usable index, which saturates Postgres and slows every API call`,
        fact: `${hot.name}: sequential scans only, no usable index`,
        weight: 0.82,
        appOrInfra: "infra",
        nextStep: `Compare ${hot.name}'s indexes with the lookup in pg_stat_statements/pg_stat_activity (a migration may have dropped one) and recreate the missing index (CREATE INDEX CONCURRENTLY, a human change)`,
        tool: result.tool,
      });
    }
    return analysis;
  },
};

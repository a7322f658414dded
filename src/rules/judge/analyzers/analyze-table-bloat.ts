import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, ToolEvidence } from "../../types.ts";

/** Dead tuples past this count, and more of them than live ones: vacuum is not reclaiming the table. */
const MANY_DEAD = 1_000_000;
/** A per-table storage option (pg_class.reloptions) or server setting that switches autovacuum off. */
const AUTOVACUUM_OFF = /(?:^|[{,\s])autovacuum_enabled\s*=\s*(?:false|off|0|no)\b/i;
const OFF = /^(?:off|false|0|no)$/i;

interface Bloated {
  name: string;
  dead: number;
  live: number;
  lastAutovacuum: string | null;
  result: ToolEvidence;
}

type Row = Record<string, unknown>;
const field = (row: Row, name: string): unknown => Object.entries(row).find(([k]) => normalizeKey(k) === name)?.[1];

/**
 * pg_stat_user_tables: a table whose dead tuples outnumber its live ones (bloat) makes every
 * query on it read mostly dead pages; pg_class.reloptions (autovacuum_enabled=false) or the
 * server's `autovacuum` setting says why vacuum never ran. The switch is the root when it shows.
 */
export const analyzeTableBloat: Analyzer = {
  name: "table bloat",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const table = worstBloat(evidence);
    if (!table) return analysis;
    const { name, dead, live, lastAutovacuum, result } = table;
    const pct = Math.round((dead / (dead + live)) * 1000) / 10;
    const since = lastAutovacuum ? `last autovacuum ${lastAutovacuum}` : "never autovacuumed";
    analysis.findings.push({ text: `${name}: ${formatNumber(dead)} dead tuples, ${formatNumber(live)} live`, note: `${pct}% dead, ${since}`, tool: result.tool, weight: 0.8, key: "table-bloat" });
    const off = autovacuumSwitch(evidence, name);
    if (off) {
      analysis.findings.push({ text: `${off.what}`, tool: off.result.tool, weight: 0.9, key: "table-bloat" });
      analysis.candidates.push({
        key: "table-bloat",
        cause: `Autovacuum is disabled on table ${name} (${off.what}), so it bloated to ${formatNumber(dead)} dead tuples against ${formatNumber(live)} live (${pct}% dead, ${since}): every query on ${name} reads dead pages, holds its connection for seconds and slows the API`,
        fact: `autovacuum disabled on ${name}: ${formatNumber(dead)} dead tuples`,
        weight: 0.86,
        appOrInfra: "infra",
        nextStep: `Have the DBA re-enable autovacuum on ${name} (ALTER TABLE ${name} RESET (autovacuum_enabled)) and VACUUM it (or pg_repack) in a maintenance window — a human change`,
        tool: off.result.tool,
      });
      return analysis;
    }
    analysis.candidates.push({
      key: "table-bloat",
      cause: `Table ${name} is bloated: ${formatNumber(dead)} dead tuples against ${formatNumber(live)} live (${pct}% dead, ${since}); vacuum is not reclaiming it, so every query on ${name} reads dead pages and slows the API`,
      fact: `${name}: ${formatNumber(dead)} dead tuples`,
      weight: 0.78,
      appOrInfra: "infra",
      nextStep: `Check why vacuum skips ${name}: its reloptions (pg_class), a long-running transaction holding back the xmin horizon, autovacuum workers busy elsewhere; then VACUUM it in a maintenance window`,
      tool: result.tool,
    });
    return analysis;
  },
};

function worstBloat(evidence: Evidence): Bloated | null {
  const tables = resultsFor(evidence, "run_sql_select").flatMap((result) =>
    extractRows(result.data, result.text).flatMap((row): Bloated[] => {
      const name = field(row, "relname");
      const dead = toNumber(field(row, "ndeadtup"));
      const live = toNumber(field(row, "nlivetup"));
      if (typeof name !== "string" || dead === null || live === null || dead < MANY_DEAD || dead <= live) return [];
      const last = field(row, "lastautovacuum");
      return [{ name, dead, live, lastAutovacuum: typeof last === "string" && last.trim() !== "" ? last.trim() : null, result }];
    }),
  );
  return tables.sort((a, b) => b.dead - a.dead)[0] ?? null;
}

/** The table's own reloptions switching autovacuum off, else the server-wide `autovacuum = off`. */
function autovacuumSwitch(evidence: Evidence, table: string): { what: string; result: ToolEvidence } | null {
  for (const result of resultsFor(evidence, "run_sql_select")) {
    for (const row of extractRows(result.data, result.text)) {
      const options = field(row, "reloptions");
      const text = Array.isArray(options) ? `{${options.join(",")}}` : typeof options === "string" ? options : null;
      if (field(row, "relname") === table && text && AUTOVACUUM_OFF.test(text)) return { what: `${table} reloptions ${text}`, result };
      const setting = field(row, "setting");
      if (field(row, "name") === "autovacuum" && typeof setting === "string" && OFF.test(setting.trim())) return { what: `autovacuum = ${setting.trim()}`, result };
    }
  }
  return null;
}

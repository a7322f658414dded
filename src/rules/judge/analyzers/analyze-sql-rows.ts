import { extractRows } from "../../read/read-rows.ts";
import { toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** The top rows of a SQL answer, as a finding ("order_fulfillment 47,902; invoice_sync 211"). */
export const analyzeSqlRows: Analyzer = {
  name: "sql rows",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "run_sql_select")) {
      // Sessions by state have their own reading (analyze-db-sessions).
      if (/pg_stat_activity|\bFROM\s+task\b/i.test(String(result.input.query ?? ""))) continue;
      const running = /status\s*=\s*'RUNNING'/i.test(String(result.input.query ?? ""));
      const top = readTopGroups(result.data, result.text, running);
      if (top.length === 0) continue;
      analysis.findings.push({
        text: `${running ? "running workflows by type" : "top rows"}: ${top.slice(0, 3).map((g) => `${g.label} ${formatNumber(g.count)}`).join("; ")}`,
        tool: result.tool,
        weight: running ? 0.6 : 0.4,
        key: "backlog",
      });
    }
    return analysis;
  },
};

/** Workflow statuses that are not running: rows an answer to a RUNNING query should not have, but may (a status column). */
const NOT_RUNNING = /^(COMPLETED|FAILED|TERMINATED|TIMED_OUT|PAUSED)$/;

/**
 * Rows as (first text column, first numeric column) pairs, largest count first. With
 * `runningOnly`, rows that carry a finished status are left out: an answer grouped by type and
 * status is not all running.
 */
export function readTopGroups(data: unknown, text: string, runningOnly = false): { label: string; count: number }[] {
  return extractRows(data, text)
    .filter((row) => !runningOnly || !Object.values(row).some((v) => typeof v === "string" && NOT_RUNNING.test(v)))
    .flatMap((row) => {
      const values = Object.values(row);
      const label = values.find((v) => typeof v === "string" && toNumber(v) === null);
      const count = values.map(toNumber).find((n) => n !== null);
      return typeof label === "string" && count !== undefined && count !== null ? [{ label, count }] : [];
    })
    .sort((a, b) => b.count - a.count);
}

import { extractRows } from "../../read/read-rows.ts";
import { normalizeKey, toNumber } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** Tasks of one type waiting SCHEDULED in these numbers are not being polled. */
const UNPOLLED = 1_000;

/** Task counts by type and status (the task table): a type piling up SCHEDULED is a task nobody polls. */
export const analyzePendingTasks: Analyzer = {
  name: "pending tasks",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "run_sql_select")) {
      const rows = extractRows(result.data, result.text).flatMap((row) => {
        const entries = Object.entries(row).map(([k, v]) => [normalizeKey(k), v] as const);
        const type = entries.find(([k]) => k === "tasktype" || k === "taskdefname" || k === "taskname")?.[1];
        const status = entries.find(([k]) => k === "status")?.[1];
        const count = entries.map(([k, v]) => (k === "tasktype" || k === "status" ? null : toNumber(v))).find((n) => n !== null && n !== undefined);
        return typeof type === "string" && typeof status === "string" && typeof count === "number" ? [{ type, status, count }] : [];
      });
      const top = rows.filter((r) => /^SCHEDULED$/i.test(r.status)).sort((a, b) => b.count - a.count)[0];
      if (!top || top.count < UNPOLLED) continue;
      analysis.findings.push({ text: `${top.type} ${top.status} ${formatNumber(top.count)}`, note: "tasks waiting to be polled", tool: result.tool, weight: 0.7, key: "tasks-unpolled" });
      analysis.candidates.push({
        key: "tasks-unpolled",
        cause: `${formatNumber(top.count)} ${top.type} tasks wait SCHEDULED: nobody polls them, so their workflows stay RUNNING`,
        fact: `${top.type} ${formatNumber(top.count)} SCHEDULED, not polled`,
        weight: 0.7,
        appOrInfra: "app",
        nextStep: `Find the workers that poll ${top.type} (deployment, replicas, logs) and why they do not`,
        tool: result.tool,
        subject: top.type,
      });
    }
    return analysis;
  },
};

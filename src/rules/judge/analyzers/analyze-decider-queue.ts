import { findMetric, findPercent } from "../../read/read-metrics.ts";
import { formatNumber, hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, ToolEvidence } from "../../types.ts";
import { readTopGroups } from "./analyze-sql-rows.ts";

/** Running workflows above which the decider queue is a backlog, and a severe one. */
export const DECIDER_BACKLOG = 1_000;
export const DECIDER_SEVERE = 10_000;
const INDEXER_BACKLOG = 1_000;
const SOURCES = ["get_incident_details", "get_cluster_metrics", "get_infrastructure_metrics"];

/** Decider-queue size (= running workflows) from the health check's cluster data or cluster metrics. */
export const analyzeDeciderQueue: Analyzer = {
  name: "decider queue",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const redisAlert = hasIssue(evidence, "REDIS_CRITICAL_USAGE", "REDIS_HIGH_USAGE");
    for (const result of resultsFor(evidence, ...SOURCES)) {
      const decider = findMetric(result.data, result.text, /decider/);
      if (decider === null) continue;
      const redis = findPercent(result.data, result.text, /redis.*(usage|percent|pct)|^redis$/, /redis/);
      const redisNote = redis !== null ? `; Redis at ${formatNumber(redis)}%` : "";
      if (decider > DECIDER_BACKLOG) {
        const severe = decider > DECIDER_SEVERE;
        const piling = topRunningType(evidence);
        const which = piling ? `, mostly ${piling.label} (${formatNumber(piling.count)})` : "";
        analysis.findings.push({
          text: `decider queue holds ${formatNumber(decider)} running workflows${redisNote}`,
          note: `a backlog above ${formatNumber(DECIDER_BACKLOG)}, severe above ${formatNumber(DECIDER_SEVERE)}`,
          tool: result.tool,
          weight: severe ? 0.85 : 0.65,
          key: "backlog",
        });
        analysis.candidates.push({
          key: "backlog",
          cause: `${severe ? "Severe decider-queue backlog" : "Decider-queue backlog"}: ${formatNumber(decider)} running workflows are held in Redis${which}${redisAlert ? ", which is what fills Redis" : ""} (a workflow type started in bulk or stuck RUNNING)`,
          weight: severe ? 0.85 : 0.65,
          fact: `decider queue ${formatNumber(decider)} running${piling ? ` (${piling.label} ${formatNumber(piling.count)})` : ""}`,
          appOrInfra: "app",
          nextStep: piling
            ? `Find why ${piling.label} workflows stay RUNNING (which task they wait on, and whether its workers are polling); pause or terminate the runaway workflows before adding Redis memory`
            : "Find the workflow type piling up (Conductor UI: search RUNNING workflows by name) and check that its workers are polling; pause or terminate the runaway workflows before adding Redis memory",
          tool: result.tool,
        });
      } else {
        analysis.findings.push({ text: `decider queue is normal: ${formatNumber(decider)} running workflows${redisNote}`, ruledOut: true, tool: result.tool, weight: redisAlert ? 0.5 : 0.25, key: "redis-size" });
        if (redisAlert && !(indexerOf(result) > INDEXER_BACKLOG)) {
          analysis.candidates.push({
            key: "redis-size",
            cause: `Redis fills up without a backlog (only ${formatNumber(decider)} running workflows): large workflow payloads, or Redis too small for the normal load`,
            weight: 0.4,
            appOrInfra: "unknown",
            nextStep: "Look for workflows with very large inputs/outputs; if none, raise Redis memory for this cluster",
            tool: result.tool,
          });
        }
      }
      const indexer = indexerOf(result);
      if (indexer > INDEXER_BACKLOG) {
        analysis.findings.push({ text: `indexer queue holds ${formatNumber(indexer)} items`, note: "indexing is behind", tool: result.tool, weight: 0.4, key: "indexer" });
        analysis.candidates.push({
          key: "indexer",
          cause: `The indexer queue holds ${formatNumber(indexer)} items: indexing is behind and the queue is kept in Redis`,
          fact: `indexer queue ${formatNumber(indexer)}`,
          weight: 0.6,
          appOrInfra: "infra",
          nextStep: "Find why indexing is slow (the search cluster's health, rejected bulk writes in the server logs)",
          tool: result.tool,
        });
      }
      break;
    }
    return analysis;
  },
};

function indexerOf(result: ToolEvidence): number {
  return findMetric(result.data, result.text, /indexer/) ?? 0;
}

/** The workflow type with the most running workflows, when a SQL answer grouped them. */
function topRunningType(evidence: Evidence): { label: string; count: number } | null {
  const sql = resultsFor(evidence, "run_sql_select").find((r) => /status\s*=\s*'RUNNING'/i.test(String(r.input.query ?? "")));
  return sql ? (readTopGroups(sql.data, sql.text, true)[0] ?? null) : null;
}

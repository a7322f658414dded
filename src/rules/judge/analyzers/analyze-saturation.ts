import { parseTables } from "../../read/parse-table.ts";
import { isObject, normalizeKey, toNumber } from "../../read/walk-json.ts";
import { resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

const SATURATED = 0.9;
const SOURCES = ["get_incident_details", "get_cluster_metrics", "get_infrastructure_metrics"];

interface Reading {
  name: string;
  /** 0..1 */
  ratio: number;
  shown: string;
}

/**
 * Readings at 90% or more of their limit in the cluster data or metrics (`98%`, `194 / 200`,
 * `activeConnections` vs `maxConnections`). A saturated Postgres is a cause in its own right.
 */
export const analyzeSaturation: Analyzer = {
  name: "saturation",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const seen = new Set<string>();
    for (const result of resultsFor(evidence, ...SOURCES)) {
      const readings = [...readJson(result.data), ...readText(result.text)].filter((r) => r.ratio >= SATURATED && !seen.has(r.name));
      readings.forEach((r) => seen.add(r.name));
      if (readings.length === 0) continue;
      const postgres = readings.filter((r) => /postgres|database|db/i.test(r.name));
      analysis.findings.push({ text: `saturated: ${readings.map((r) => `${leaf(r.name)} ${r.shown}`).join(", ")}`, tool: result.tool, weight: 0.55, ...(postgres.length > 0 ? { key: "db-saturated" } : {}) });
      // One candidate per triage: the same saturation read from two sources is one signal.
      if (postgres.length > 0 && analysis.candidates.length === 0) {
        analysis.candidates.push({
          key: "db-saturated",
          fact: `Postgres ${postgres.map((r) => `${r.name.split(".").pop() ?? r.name} ${r.shown}`).join(", ")}`,
          cause: `Postgres is saturated (${postgres.map((r) => `${r.name} ${r.shown}`).join(", ")}); the API waits on the database`,
          weight: 0.6,
          appOrInfra: "infra",
          nextStep: "Find what loads Postgres (a burst of workflow starts, long queries, idle-in-transaction sessions) and relieve it; consider a larger instance if the load is normal",
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

/** `clusterData.result.postgres.cpu` → `postgres cpu`: the reading's own key and its parent, as the output shows them. */
function leaf(name: string): string {
  return name.split(".").slice(-2).join(" ");
}

/** Walks with the path of each key, so a reading is named where it sits (`postgres.cpu`). */
function readJson(value: unknown, path = "", depth = 0, out: Reading[] = []): Reading[] {
  if (depth > 8) return out;
  if (Array.isArray(value)) value.forEach((item) => readJson(item, path, depth + 1, out));
  if (!isObject(value)) return out;
  for (const [key, child] of Object.entries(value)) {
    const name = path ? `${path}.${key}` : key;
    const k = normalizeKey(key);
    const percent = typeof child === "string" && /%\s*$/.test(child) ? toNumber(child) : /percent|pct/.test(k) ? toNumber(child) : null;
    if (percent !== null && percent <= 100) out.push({ name, ratio: percent / 100, shown: `${percent}%` });
    // `activeConnections` against `maxConnections` on the same object.
    const base = /^(active|used|current)(.+)$/.exec(k)?.[2];
    const limitKey = base ? Object.keys(value).find((other) => normalizeKey(other) === `max${base}`) : undefined;
    const limit = limitKey ? toNumber(value[limitKey]) : null;
    const current = toNumber(child);
    if (limit && current !== null) out.push({ name, ratio: current / limit, shown: `${current}/${limit}` });
    if (typeof child === "object" && child !== null) readJson(child, name, depth + 1, out);
  }
  return out;
}

function readText(text: string): Reading[] {
  return parseTables(text).flatMap((row) => {
    const [name, value] = Object.values(row);
    if (!name || !value) return [];
    const ratio = /^\s*([\d,.]+)\s*\/\s*([\d,.]+)\s*$/.exec(value);
    if (ratio) {
      const current = toNumber(ratio[1]);
      const limit = toNumber(ratio[2]);
      return current !== null && limit ? [{ name, ratio: current / limit, shown: `${current}/${limit}` }] : [];
    }
    const percent = /%\s*$/.test(value) ? toNumber(value) : null;
    return percent !== null ? [{ name, ratio: percent / 100, shown: `${percent}%` }] : [];
  });
}

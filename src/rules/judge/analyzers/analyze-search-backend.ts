import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { asText, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** A log line saying a bulk write to the index failed (Conductor's async indexer, any search client). */
const BULK_FAILED = /\bbulk\b[^\n]*\b(fail\w*|reject\w*|error|timed?\s*out)\b|\/_bulk\b[^\n]*\b(429|5\d\d)\b/i;
/** What the search backend answered: a rejection (its write pool or circuit breaker full) or no answer in time. */
const REJECTION = /\b(es_rejected_execution_exception|circuit_breaking_exception|cluster_block_exception|429 Too Many Requests|rejected execution)\b/i;
/** The index is write-blocked (read-only after the flood-stage disk watermark): every write fails until the block is lifted. */
const WRITE_BLOCK = /cluster_block_exception|read[-_ ]only(-allow-delete)?|flood[- ]stage/i;
const TIMEOUT = /\b(SocketTimeoutException|ConnectTimeoutException|timed?\s*out|timeout on connection)\b/i;
/** The search endpoint a client names (`host [https://…]`, a URL on 9200/443 of an es/opensearch domain). */
const SEARCH_HOST = /https?:\/\/([\w.-]*(?:opensearch|elasticsearch|\.es\.|\bes-|search)[\w.-]*)/i;
/** Lines after a failure that belong to it (the exception, its JSON body, stack frames). */
const WINDOW = 4;
/** What says the failed bulk write went to a search index. */
const ABOUT_INDEX = /\bindex\w*|\/_bulk\b|opensearch|elasticsearch/i;
/** A new log entry: a timestamp or a level first (what is not one continues the entry above). */
const STARTS_ENTRY = /^\s*(\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|\[?\s*(ERROR|WARN(ING)?|INFO|DEBUG|FATAL)\b|\{\s*"(@?timestamp|ts|time|level)")/;
/** Health readings of a managed or in-cluster search service, as monitoring names them. */
const HEALTH_KEY = /^(clusterstatus|status|health|jvmmemorypressure|cpuutilization|threadpoolwriterejected|writerejected|freestoragespace)$/;

interface BulkFailures {
  pod: string;
  count: number;
  rejected: string | null;
  timeouts: number;
  /** The block's own words (`index [x] blocked by: [...]`), when the index is write-blocked. */
  blocked: string | null;
  host: string | null;
  line: string;
  /** The failures' own text (status lines, exception classes), to tell which engine answered. */
  said: string;
}

/**
 * Bulk index writes the search backend (Elasticsearch/OpenSearch) rejects or does not answer,
 * read with what follows each failure (the status line, the error body), plus the backend's own
 * health where monitoring reports it: the reason an indexer queue grows, named with its backend.
 */
export const analyzeSearchBackend: Analyzer = {
  name: "search backend",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const failures = resultsFor(evidence, "pull_pod_logs").flatMap((result) => {
      const found = readBulkFailures(podOf(result) ?? "the pod", logTextOf(result));
      return found ? [{ found, tool: result.tool }] : [];
    });
    const top = failures.sort((a, b) => b.found.count - a.found.count)[0];
    if (!top) return analysis;
    const { found } = top;
    const engine = engineName(evidence, found);
    const health = searchHealth(evidence, found.host);
    const answers = [found.rejected, found.timeouts > 0 ? `${formatNumber(found.timeouts)} timed out` : null].filter(Boolean).join(", ");
    const verb = found.rejected && found.timeouts > 0 ? "rejects or times out" : found.rejected ? "rejects" : found.timeouts > 0 ? "times out" : "fails";
    const backend = `the search backend (${engine}${found.host ? ` ${found.host}` : ""})`;
    analysis.findings.push({ text: `${found.pod}: ${quoteLine(found.line)}`, note: `bulk index failures ×${formatNumber(found.count)}${answers ? `: ${answers}` : ""}`, tool: top.tool, weight: 0.8, key: "elasticsearch" });
    if (health) analysis.findings.push({ text: `${health.label}: ${health.readings}`, tool: health.tool, weight: 0.7, key: "elasticsearch" });
    const cause = found.blocked
      ? `${capitalize(backend)} blocks writes (${found.blocked}): its indices went read-only, which happens when a data node passes the flood-stage disk watermark, so ${workloadOf(found.pod)}'s ${formatNumber(found.count)} bulk index writes fail`
      : `${capitalize(backend)}`;
    analysis.candidates.push({
      key: "elasticsearch",
      cause: found.blocked ? cause : `${cause} ${verb} ${workloadOf(found.pod)}'s bulk index writes (${formatNumber(found.count)} failed bulk requests${answers ? `: ${answers}` : ""}${health ? `; ${health.readings}` : ""}), so the indexer queue backs up`,
      fact: `${engine} rejects bulk index writes`,
      weight: found.rejected || health ? 0.86 : 0.8,
      appOrInfra: "infra",
      nextStep: `Check ${backend}: its write thread pool, JVM memory pressure and circuit breakers, disk watermarks; scale it or slow the indexing before Redis fills`,
      tool: top.tool,
    });
    return analysis;
  },
};

function readBulkFailures(pod: string, text: string): BulkFailures | null {
  const lines = text.split(/\r?\n/);
  let result: BulkFailures | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (!BULK_FAILED.test(line)) continue;
    // The failure's own lines, up to the next timestamped line (the client's exception repeats the _bulk URI).
    const rest = lines.slice(i + 1, i + 1 + WINDOW);
    const next = rest.findIndex((l) => STARTS_ENTRY.test(l));
    const own = next === -1 ? rest : rest.slice(0, next);
    const block = [line, ...own].join("\n");
    i += own.length;
    // A bulk job of the application's own (a bulk upload, a bulk email) is not the search index.
    if (!ABOUT_INDEX.test(block)) continue;
    result ??= { pod, count: 0, rejected: null, timeouts: 0, blocked: null, host: null, line: line.trim(), said: "" };
    result.count += 1;
    result.rejected ??= REJECTION.exec(block)?.[1] ?? null;
    if (!REJECTION.test(block) && TIMEOUT.test(block)) result.timeouts += 1;
    if (WRITE_BLOCK.test(block)) result.blocked ??= /blocked by:?\s*\[[^\]\n]{1,160}\]/i.exec(block)?.[0] ?? WRITE_BLOCK.exec(block)?.[0] ?? null;
    result.said += `${block}\n`;
    result.host ??= SEARCH_HOST.exec(block)?.[1] ?? null;
  }
  return result;
}

function engineName(evidence: Evidence, found: BulkFailures): string {
  const said = [found.said, ...resultsFor(evidence, "get_deployments_info", "get_infrastructure_metrics").map((r) => r.text)].join("\n");
  if (/opensearch/i.test(said)) return "OpenSearch";
  if (/elasticsearch|elastic\b/i.test(said)) return "Elasticsearch";
  return "Elasticsearch/OpenSearch";
}

/** The search service's health readings from monitoring (a managed domain's ClusterStatus, JVM pressure, write rejections). */
function searchHealth(evidence: Evidence, host: string | null): { label: string; readings: string; tool: string } | null {
  for (const result of resultsFor(evidence, "get_infrastructure_metrics", "get_cluster_metrics")) {
    let found: { label: string; readings: string } | null = null;
    walkObjects(result.data, (object) => {
      if (found || !isSearchService(object, host)) return false;
      const readings = Object.entries(object)
        .filter(([key, value]) => HEALTH_KEY.test(key.toLowerCase().replace(/[^a-z]/g, "")) && (typeof value === "string" || typeof value === "number"))
        .map(([key, value]) => `${key} ${asText(value)}`);
      if (readings.length === 0) return false;
      found = { label: asText(object.type ?? object.name ?? object.endpoint ?? "search service"), readings: readings.join(", ") };
      return true;
    });
    if (found) return { ...(found as { label: string; readings: string }), tool: result.tool };
  }
  return null;
}

function isSearchService(object: JsonObject, host: string | null): boolean {
  const names = ["type", "name", "engine", "endpoint", "service"].map((key) => object[key]).filter((v) => typeof v === "string") as string[];
  return names.some((name) => /opensearch|elasticsearch/i.test(name) || (host !== null && name.includes(host)));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

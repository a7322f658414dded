import { extractDeployments } from "../../read/read-deployments.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { isObject, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

export interface QuotaUsage {
  name: string;
  /** Resources whose use has reached the hard limit: `limits.memory 40Gi of 40Gi`. */
  full: string[];
}

/**
 * A ResourceQuota at its hard limit while a deployment is short of replicas: the controller cannot
 * create the missing pods (what `kubectl describe quota` shows beside a FailedCreate). Weaker than
 * the FailedCreate event itself, which says which quota refused which pod.
 */
export const analyzeQuotaUsage: Analyzer = {
  name: "quota usage",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const quotas = evidence.results.filter((r) => r.status === "ok").flatMap((r) => readQuotas(r.data, r.text).filter((q) => q.full.length > 0).map((q) => ({ ...q, tool: r.tool })));
    if (quotas.length === 0) return analysis;
    const short = resultsFor(evidence, "get_deployments_info").flatMap((r) => extractDeployments(r.data, r.text)).filter((d) => d.desired !== null && d.ready !== null && d.ready < d.desired);
    const alerted = evidence.issues.flatMap((issue) => (issue.pod ? [workloadOf(issue.pod)] : []));
    const deployment = short.find((d) => alerted.includes(d.name)) ?? short[0];
    if (!deployment) return analysis;
    for (const quota of quotas) analysis.findings.push({ text: `ResourceQuota ${quota.name}: ${quota.full.join(", ")}`, tool: quota.tool, weight: 0.6, key: "quota" });
    // One reading however many quotas are full: they are not independent signals of why pods are missing.
    const [quota] = quotas as [(typeof quotas)[number]];
    const others = quotas.length > 1 ? ` (and ${quotas.slice(1).map((q) => q.name).join(", ")})` : "";
    analysis.candidates.push({
      key: "quota",
      cause: `${deployment.name} cannot create its missing pods (${deployment.ready} of ${deployment.desired} ready): the namespace ResourceQuota ${quota.name} is at its hard limit (${quota.full.join(", ")})${others}`,
      fact: `ResourceQuota ${quota.name} full (${quota.full[0]})`,
      subject: deployment.name,
      weight: 0.7,
      appOrInfra: "infra",
      nextStep: `Read ${deployment.name}'s ReplicaSet events (FailedCreate) to confirm, then raise ResourceQuota ${quota.name} with the namespace owner or scale ${deployment.name} to what it allows`,
      tool: quota.tool,
    });
    return analysis;
  },
};

/** ResourceQuotas as Kubernetes writes them (`status.hard/used`), simplified (`hard`/`used` side by side) or `kubectl describe quota` text. */
export function readQuotas(data: unknown, text: string): QuotaUsage[] {
  const quotas: QuotaUsage[] = [];
  walkObjects(data, (object) => {
    const status = isObject(object.status) ? object.status : object;
    const hard = asMap(status.hard) ?? (isObject(object.spec) ? asMap(object.spec.hard) : null);
    const used = asMap(status.used);
    if (!hard || !used) return false;
    const name = typeof object.name === "string" ? object.name : isObject(object.metadata) && typeof object.metadata.name === "string" ? object.metadata.name : "(unnamed)";
    quotas.push({ name, full: fullResources(hard, used) });
    return true;
  });
  if (quotas.length > 0) return quotas;
  for (const block of text.split(/^(?=Name:\s)/m)) {
    const name = /^Name:\s*(\S+)/m.exec(block)?.[1];
    if (!name || !/^\s*Resource\s+Used\s+Hard\s*$/m.test(block)) continue;
    const rows = [...block.matchAll(/^\s*([\w./-]+)\s+(\S+)\s+(\S+)\s*$/gm)].filter((m) => !/^(Resource|-+)$/.test(m[1] ?? ""));
    const hard = Object.fromEntries(rows.map((m) => [m[1] ?? "", m[3] ?? ""]));
    const used = Object.fromEntries(rows.map((m) => [m[1] ?? "", m[2] ?? ""]));
    quotas.push({ name, full: fullResources(hard, used) });
  }
  return quotas;
}

function asMap(value: unknown): Record<string, string> | null {
  if (!isObject(value)) return null;
  const entries = Object.entries(value as JsonObject).filter(([, v]) => typeof v === "string" || typeof v === "number");
  return entries.length > 0 ? Object.fromEntries(entries.map(([k, v]) => [k, String(v)])) : null;
}

function fullResources(hard: Record<string, string>, used: Record<string, string>): string[] {
  return Object.entries(hard).flatMap(([resource, limit]) => {
    const h = quantity(limit);
    const u = quantity(used[resource]);
    return h !== null && u !== null && h > 0 && u >= h ? [`${resource} ${used[resource]} of ${limit}`] : [];
  });
}

const SUFFIX: Record<string, number> = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A Kubernetes quantity (`40Gi`, `500m`, `24`) as a number. */
export function quantity(value: string | undefined): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?\s*$/.exec(value ?? "");
  return match ? Number(match[1]) * (SUFFIX[match[2] ?? ""] ?? 1) : null;
}

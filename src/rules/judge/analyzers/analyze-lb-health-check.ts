import { extractChanges } from "../../read/read-changes.ts";
import { extractIngresses } from "../../read/read-ingresses.ts";
import { extractPods } from "../../read/read-pods.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { isNotReady } from "./analyze-pod-statuses.ts";
import { isObject, readKey, readString, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * A load balancer with no healthy target answers 503 however healthy the pods are. When its
 * targets fail the health check with a response code (404: the path is not served) while the pods'
 * own readiness probe passes on another path, the LB checks a path the application no longer
 * serves, typically since an upgrade moved the health endpoint. The cause quotes the target
 * health, both paths, where the LB's path is configured, and the rollout.
 */
export const analyzeLbHealthCheck: Analyzer = {
  name: "load-balancer health check",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const ingressResults = resultsFor(evidence, "get_ingress_info");
    for (const result of ingressResults.length > 0 ? ingressResults : [null]) {
      // The target group's health, else the health checker's own requests in the pods' access logs.
      const misses = checkerMisses(evidence);
      const group = (result ? unhealthyTargets(result.data) : null) ?? (misses ? { name: null, path: misses.path, total: 0, unhealthy: 0, reason: null, description: null, misses } : null);
      if (!group) continue;
      const annotation = result ? healthCheckAnnotation(result.data, result.text) : null;
      const path = group.path ?? annotation?.[1] ?? null;
      const seen = "misses" in group ? group.misses : null;
      const reason = seen ? `${seen.pod}'s access log: ${seen.line.slice(0, 160)}` : [group.reason, group.description].filter(Boolean).join(" ");
      // Targets down because the backend's pods are down is the pods' story, not the health check's.
      const backend = result ? (extractIngresses(result.data, result.text).find((i) => i.service)?.service ?? null) : null;
      if (backend && !podsServing(evidence, backend)) continue;
      // The path is to blame only when the check got an answer that says "not here" (404, a redirect, a refusal), not a timeout.
      const answered = seen !== null || /ResponseCodeMismatch/i.test(reason) || /^(404|30[1278]|401|403)$/.test(codesOf(reason) ?? "");
      const probe = answered ? (probePaths(evidence).find((p) => p.path !== path && podsServing(evidence, p.workload)) ?? null) : null;
      const change = probe ? rolloutOf(evidence, probe.workload) : null;
      const targets = seen ? `every one of the health checker's ${seen.count} requests` : `${group.unhealthy} of ${group.total} targets`;
      if (seen) analysis.findings.push({ text: `${seen.pod}: ${seen.line.slice(0, 160)}`, note: `the load balancer's health checker gets ${seen.code} on ${seen.path}, ×${seen.count}`, tool: "pull_pod_logs", weight: 0.8, key: "lb-health-check" });
      else analysis.findings.push({ text: `${group.unhealthy}/${group.total} targets unhealthy: ${reason}`, note: `target group ${group.name ?? "of the load balancer"}${path ? `, health check path ${path}` : ""}`, tool: "get_ingress_info", weight: 0.85, key: "lb-health-check" });
      if (annotation) analysis.findings.push({ text: `${annotation[0]}: ${annotation[1]}`, note: "where the load balancer's health-check path is configured", tool: "get_ingress_info", weight: 0.7, key: "lb-health-check" });
      if (probe) analysis.findings.push({ text: `${probe.workload}: ${probe.kind} path ${probe.path}`, note: "the path the pods answer their own probe on", tool: "get_deployments_info", weight: 0.7, key: "lb-health-check" });
      if (change) analysis.findings.push({ text: `${change.workload}: ${change.description}`, note: "its last rollout", tool: "get_deployments_info", weight: 0.6, key: "lb-health-check" });
      const where = annotation ? `the ingress annotation ${annotation[0]}` : "the target group's health check";
      analysis.candidates.push({
        key: "lb-health-check",
        cause: probe
          ? `The load balancer's health check requests ${path ?? "its path"} and gets ${seen?.code ?? codesOf(reason) ?? "an error"} from ${targets} (${reason}), while ${probe.workload}'s pods serve their health endpoint at ${probe.path} (${probe.kind}): ${where} still points at ${path ?? "the old path"}${change ? ` since the rollout "${change.description}"` : ""}, so the LB has no healthy target and answers 503`
          : `The load balancer has no healthy target: ${targets} fail its health check${path ? ` on ${path}` : ""} (${reason}), so it answers 503`,
        fact: `${seen ? "the LB health checks" : `${group.unhealthy}/${group.total} LB targets`} fail${path ? ` on ${path}` : ""}${probe ? ` (pods serve ${probe.path})` : ""}`,
        weight: probe ? 0.9 : 0.7,
        appOrInfra: "infra",
        nextStep: probe
          ? `Change ${where} from ${path ?? "the old path"} to ${probe.path}, then confirm the targets turn healthy`
          : "Check the target group's health-check path and port against what the pods serve, and the security groups between the LB and the pods",
        tool: seen ? "pull_pod_logs" : "get_ingress_info",
      });
      break;
    }
    return analysis;
  },
};

interface TargetGroup {
  name: string | null;
  path: string | null;
  total: number;
  unhealthy: number;
  reason: string | null;
  description: string | null;
}

/** A target group (or backend service) whose targets are all unhealthy, with its health-check path. */
function unhealthyTargets(data: unknown): TargetGroup | null {
  let found: TargetGroup | null = null;
  walkObjects(data, (object) => {
    const targets = readKey(object, "targets", "targetHealth", "targetHealthDescriptions", "backends", "endpoints");
    if (found || !Array.isArray(targets) || !targets.some(isObject)) return false;
    // `{state, reason}` per target, or AWS's `{Target, TargetHealth: {State, Reason, Description}}`.
    const states = targets.filter(isObject).map((t) => {
      const nested = readKey(t, "targetHealth", "health");
      return isObject(nested) ? nested : t;
    });
    const bad = states.filter((t) => /unhealthy|unavailable|fail/i.test(readString(t, "state", "health", "status", "healthState") ?? ""));
    if (bad.length === 0 || bad.length < states.length) return false;
    const check = readKey(object, "healthCheck", "healthcheck", "health_check");
    const path = isObject(check) ? readString(check, "path", "requestPath", "healthCheckPath") : readString(object, "healthCheckPath", "healthcheckPath");
    const first = bad[0] as JsonObject;
    found = { name: readString(object, "name", "targetGroup", "targetGroupName", "arn"), path, total: states.length, unhealthy: bad.length, reason: readString(first, "reason", "code"), description: readString(first, "description", "message") };
    return true;
  });
  return found;
}

/** A load balancer's health checker answered an error in the pods' access logs: `"GET /health HTTP/1.1" 404 … "ELB-HealthChecker/2.0"`. */
function checkerMisses(evidence: Evidence): { pod: string; line: string; path: string; code: string; count: number } | null {
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const lines = logTextOf(result).split(/\r?\n/).filter((l) => HEALTH_CHECKER.test(l));
    const misses = lines.map((l) => ({ l, m: /"(?:GET|HEAD) (\/\S*) HTTP\/[\d.]+"\s+(404|30[1278]|401|403|5\d\d)\b/.exec(l) })).filter((x) => x.m);
    // Every check the LB made failed: a path the pods do not serve, not a blip.
    if (misses.length === 0 || misses.length < lines.length) continue;
    const first = misses[0] as { l: string; m: RegExpExecArray };
    return { pod: podOf(result) ?? "the pod", line: first.l.trim(), path: first.m[1] as string, code: first.m[2] as string, count: misses.length };
  }
  return null;
}
const HEALTH_CHECKER = /ELB-HealthChecker|GoogleHC|Load ?Balancer ?Agent|health-?checker/i;

/** An ingress annotation that sets the LB's health-check path (ALB, GCE, Azure, nginx upstream checks). */
function healthCheckAnnotation(data: unknown, text: string): [string, string] | null {
  for (const ingress of extractIngresses(data, text)) {
    const entry = Object.entries(ingress.annotations ?? {}).find(([key]) => /health-?check[-.]?(request-)?path|healthcheck\.path|health-probe-request-path/i.test(key));
    if (entry) return entry;
  }
  return null;
}

/** Paths the deployments' own HTTP probes use (readiness first), per workload. */
function probePaths(evidence: Evidence): { workload: string; kind: string; path: string }[] {
  const found: { workload: string; kind: string; path: string }[] = [];
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    walkObjects(result.data, (object) => {
      const workload = readString(object, "name", "deployment") ?? (isObject(object.metadata) ? readString(object.metadata as JsonObject, "name") : null);
      if (!workload) return false;
      for (const kind of ["readinessProbe", "startupProbe", "livenessProbe"]) {
        let path: string | null = null;
        walkObjects(object, (child) => {
          const probe = readKey(child, kind);
          const get = isObject(probe) ? readKey(probe, "httpGet") : undefined;
          path ??= isObject(get) ? readString(get, "path") : null;
          return path !== null;
        });
        if (path) found.push({ workload, kind: kind.replace(/Probe$/, " probe"), path });
      }
      return found.some((f) => f.workload === workload);
    });
    // `kubectl describe deployment`: `Readiness:  http-get http://:8080/actuator/health delay=10s …`.
    for (const block of result.text.split(/^(?=Name:\s)/m)) {
      const workload = /^Name:\s+(\S+)/m.exec(block)?.[1];
      const m = /^\s*(Readiness|Startup|Liveness):\s+http-get\s+https?:\/\/[^/\s]*(\/\S*)/m.exec(block);
      if (workload && m?.[2] && !found.some((f) => f.workload === workload)) found.push({ workload, kind: `${(m[1] as string).toLowerCase()} probe`, path: m[2] });
    }
  }
  return found;
}

function rolloutOf(evidence: Evidence, workload: string) {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const change = extractChanges(result.data, result.text).find((c) => c.workload === workload);
    if (change) return change;
  }
  return null;
}

/** True unless the pod list shows the workload's pods (a Service named like its deployment) not Running or not ready. */
function podsServing(evidence: Evidence, workload: string): boolean {
  const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text)).filter((p) => workloadOf(p.name) === workload);
  return pods.every((p) => /^running$/i.test(p.status ?? "Running") && !isNotReady(p));
}

/** `Health checks failed with these codes: [404]` → `404`. */
function codesOf(text: string): string | null {
  return /\[(\d{3}(?:,\s*\d{3})*)\]/.exec(text)?.[1] ?? /\b([45]\d\d)\b/.exec(text)?.[1] ?? null;
}


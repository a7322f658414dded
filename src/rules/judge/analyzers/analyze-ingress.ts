import { extractDeployments } from "../../read/read-deployments.ts";
import { extractEvents } from "../../read/read-events.ts";
import { extractIngresses, type IngressRecord } from "../../read/read-ingresses.ts";
import { extractPods } from "../../read/read-pods.ts";
import { extractServices } from "../../read/read-services.ts";
import { extractChanges } from "../../read/read-changes.ts";
import { hasIssue, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence, ToolEvidence } from "../../types.ts";
import { isTroubled } from "./analyze-pod-statuses.ts";

const NETWORK_TYPES = ["DNS_HEALTHY", "DOMAIN_RESOLUTION", "DOMAIN_REACHABILITY"];

/** Ingress hosts and load-balancer address: no address means the LB was never provisioned. */
export const analyzeIngress: Analyzer = {
  name: "ingress",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_ingress_info")) {
      const ingresses = extractIngresses(result.data, result.text);
      if (ingresses.length === 0) {
        analysis.findings.push({ text: "could not read any ingress (none listed, or an unknown output shape)", tool: result.tool, weight: 0.3 });
        continue;
      }
      const warning = readWarnings(result)[0];
      const missing = ingresses.filter((ingress) => ingress.address === null);
      for (const ingress of missing) {
        const hosts = ingress.hosts.length > 0 ? ` (hosts ${ingress.hosts.join(", ")})` : "";
        analysis.findings.push({ text: `ingress ${ingress.name}${hosts} has no external address`, tool: result.tool, weight: 0.85, key: "load-balancer" });
        analysis.candidates.push({
          key: "load-balancer",
          cause: `The load balancer for ingress ${ingress.name} was never provisioned (no external address), so ${ingress.hosts[0] ?? "the domain"} has nothing to resolve to`,
          weight: 0.85,
          appOrInfra: "infra",
          nextStep: `Check why the cloud load balancer for ingress ${ingress.name} was not created: ingress-controller logs and events, cloud quotas, subnet tags and the ingress class`,
          tool: result.tool,
        });
      }
      // The ingress's own warning event says why the controller could not build it.
      if (missing.length > 0 && warning) {
        analysis.findings.push({ text: `ingress warning event: ${warning.slice(0, 300)}`, tool: result.tool, weight: 0.88, key: "load-balancer" });
        analysis.candidates.push({
          key: "load-balancer",
          cause: `The load balancer for ingress ${missing[0]?.name} was never provisioned: the ingress controller reports ${warning.slice(0, 300)}`,
          weight: 0.9,
          appOrInfra: "infra",
          nextStep: "Fix what the controller's warning names (IAM permissions, quotas, subnet tags, ingress class); the load balancer and its DNS record follow",
          tool: result.tool,
        });
      }
      const served = ingresses.filter((ingress) => ingress.address !== null);
      for (const ingress of served.slice(0, 2)) {
        analysis.findings.push({ text: `ingress ${ingress.name} (${ingress.hosts.join(", ") || "no hosts"}) → ${ingress.address}`, tool: result.tool, weight: 0.4, key: "dns-record" });
      }
      for (const ingress of ingresses) addBackendPorts(analysis, evidence, ingress, result.tool);
      const empty = served.filter((ingress) => ingress.endpoints === 0);
      for (const ingress of empty) addNoEndpoints(analysis, evidence, ingress, result.tool);
      if (missing.length === 0 && empty.length === 0 && hasIssue(evidence, ...NETWORK_TYPES)) addRuledOutApp(analysis, evidence, served[0]?.address ?? "", result.tool);
    }
    return analysis;
  },
};

/**
 * An ingress whose Service has no endpoints answers 503 however healthy the pods are. With the
 * Service's selector and the deployments' pod labels in hand, say whether the selector matches any.
 */
function addNoEndpoints(analysis: Analysis, evidence: Evidence, ingress: IngressRecord, tool: string): void {
  const service = ingress.service ?? "its backend Service";
  const selector = ingress.selector ? formatLabels(ingress.selector) : null;
  analysis.findings.push({
    text: `ingress ${ingress.name} → Service ${service} has no Endpoints${selector ? ` (selector ${selector})` : ""}`,
    tool,
    weight: 0.85,
    key: "no-endpoints",
  });
  const deployments = resultsFor(evidence, "get_deployments_info").flatMap((r) => extractDeployments(r.data, r.text));
  const labelled = deployments.filter((d) => d.podLabels !== null);
  const matched = ingress.selector ? labelled.filter((d) => matchesSelector(d.podLabels ?? {}, ingress.selector ?? {})) : [];
  const unmatched = ingress.selector !== null && labelled.length > 0 && matched.length === 0;
  const closest = labelled.find((d) => ingress.service !== null && d.name.includes(ingress.service)) ?? labelled[0];
  if (unmatched && closest) {
    const revision = closest.revision ? ` (revision ${closest.revision})` : "";
    analysis.findings.push({ text: `deployment ${closest.name}${revision} pods carry ${formatLabels(closest.podLabels ?? {})}; no deployment's pods match the selector ${selector}`, tool: "get_deployments_info", weight: 0.8, key: "no-endpoints" });
  }
  analysis.candidates.push({
    key: "no-endpoints",
    cause: unmatched
      ? `The Service ${service} selector (${selector}) matches no pod labels, so ingress ${ingress.name} has no Endpoints and answers 503 although the pods run${closest ? ` (${closest.name} pods carry ${formatLabels(closest.podLabels ?? {})})` : ""}`
      : `Ingress ${ingress.name}'s Service ${service} has no ready Endpoints: its selector${selector ? ` (${selector})` : ""} matches no Ready pod, so requests get 503`,
    weight: unmatched ? 0.92 : 0.75,
    appOrInfra: "infra",
    nextStep: unmatched
      ? `Align the ${service} Service selector with the pods' labels (or restore the label the last rollout changed), then confirm the Endpoints are filled`
      : `Compare the ${service} Service selector with the labels of its pods (kubectl get endpoints ${ingress.service ?? ""}) and check the pods are Ready`,
    tool,
  });
}

/**
 * A backend naming a Service port the Service does not have (renamed, renumbered) routes nowhere:
 * the controller finds no endpoints for it and answers 503, however healthy the pods are. Both
 * sides are quoted: the backend as the ingress names it, and the Service's own ports.
 */
function addBackendPorts(analysis: Analysis, evidence: Evidence, ingress: IngressRecord, tool: string): void {
  const services = resultsFor(evidence, "get_ingress_info", "get_deployments_info").flatMap((r) => extractServices(r.data, r.text).map((service) => ({ service, tool: r.tool })));
  const reported = new Set<string>();
  for (const backend of ingress.backends ?? []) {
    const found = services.find(({ service }) => service.name === backend.service && service.ports.length > 0);
    if (!found || backend.port === null || reported.has(`${backend.service}:${backend.port}`)) continue;
    const numeric = /^\d+$/.test(backend.port);
    const matches = found.service.ports.some((p) => (numeric ? p.port === Number(backend.port) : p.name === backend.port));
    if (matches) continue;
    reported.add(`${backend.service}:${backend.port}`);
    const ports = found.service.ports.map((p) => `${p.name ? `${p.name} ` : ""}${p.port}`).join(", ");
    const what = numeric ? `port ${backend.port}` : `port "${backend.port}"`;
    analysis.findings.push({ text: `ingress ${ingress.name}: ${backend.path ? `${backend.path} → ` : ""}${backend.service}:${backend.port}`, note: `the backend ${what}`, tool, weight: 0.85, key: "ingress-port" });
    analysis.findings.push({ text: `Service ${backend.service} ports: ${ports}`, tool: found.tool, weight: 0.8, key: "ingress-port" });
    const change = latestChange(evidence);
    analysis.candidates.push({
      key: "ingress-port",
      cause: `Ingress ${ingress.name} routes ${backend.path ?? "its path"} to Service ${backend.service} ${what}, but that Service has no ${numeric ? "port with that number" : "port named so"} (its ports: ${ports}), so the controller finds no endpoints for it and answers 503${change ? `; the latest change: ${change}` : ""}`,
      fact: `ingress ${ingress.name} names ${backend.service}:${backend.port}; the Service has ${ports}`,
      weight: 0.9,
      appOrInfra: "infra",
      nextStep: `Point ingress ${ingress.name}'s backend at a port ${backend.service} has (${found.service.ports[0]?.name ?? found.service.ports[0]?.port}), or restore the port's old ${numeric ? "number" : "name"} on the Service, through the usual release`,
      tool,
    });
  }
}

/** The latest recorded change (a helm release, a rollout) the deployments show, as written. */
function latestChange(evidence: Evidence): string | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const change = extractChanges(result.data, result.text).at(-1);
    if (change) return `${[change.workload, change.revision ? `revision ${change.revision}` : null, change.time].filter(Boolean).join(" ")} "${change.description}"`;
  }
  return null;
}

function matchesSelector(labels: Record<string, string>, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

function formatLabels(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ");
}

/** Warning events printed with the ingress (`describe` text) or carried in its JSON. */
function readWarnings(result: ToolEvidence): string[] {
  const fromJson = extractEvents(result.data, "").filter((e) => /warning/i.test(e.type ?? "")).map((e) => `${e.reason}: ${e.message}`);
  const fromText = result.text.split(/\r?\n/).flatMap((line) => {
    const match = /^\s*Warning\s+([A-Z]\w+)\s+(.*)$/.exec(line);
    return match ? [`${match[1]}: ${match[2]?.trim()}`] : [];
  });
  return [...fromJson, ...fromText];
}

/** With an address in place, blame DNS only once the app is seen healthy. */
function addRuledOutApp(analysis: Analysis, evidence: Evidence, address: string, tool: string): void {
  const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
  const appHealthy = pods.length > 0 && !pods.some(isTroubled);
  const reachability = hasIssue(evidence, "DOMAIN_REACHABILITY");
  analysis.candidates.push({
    key: "dns-record",
    cause: reachability
      ? `The load balancer exists (${address})${appHealthy ? " and the app pods are healthy" : ""}; the path between them (LB listeners, security groups, ingress controller) is the likely break`
      : `The load balancer exists (${address})${appHealthy ? " and the app pods are healthy" : ""}; the domain's DNS record is likely missing or points elsewhere`,
    weight: appHealthy ? 0.55 : 0.35,
    appOrInfra: "infra",
    nextStep: reachability
      ? `Check the ingress controller and the LB's listeners/security groups for ${address}`
      : `Compare the domain's DNS record with ${address} and ask the zone's owner to fix it`,
    tool,
  });
}

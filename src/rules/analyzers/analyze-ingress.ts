import { extractIngresses } from "../extract/extract-ingresses.ts";
import { extractPods } from "../extract/extract-pods.ts";
import { hasIssue, resultsFor } from "../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../types.ts";
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
      const served = ingresses.filter((ingress) => ingress.address !== null);
      for (const ingress of served.slice(0, 2)) {
        analysis.findings.push({ text: `ingress ${ingress.name} (${ingress.hosts.join(", ") || "no hosts"}) → ${ingress.address}`, tool: result.tool, weight: 0.4, key: "dns-record" });
      }
      if (missing.length === 0 && hasIssue(evidence, ...NETWORK_TYPES)) addRuledOutApp(analysis, evidence, served[0]?.address ?? "", result.tool);
    }
    return analysis;
  },
};

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

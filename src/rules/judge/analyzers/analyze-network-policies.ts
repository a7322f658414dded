import { parseAge } from "../../read/walk-json.ts";
import { hasIssue } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** A policy younger than this is a recent change, worth naming when DNS just broke. */
const RECENT_SECONDS = 7 * 24 * 3600;

/**
 * NetworkPolicies listed in an output (`kubectl get networkpolicy`, and a policy's spec): one that
 * restricts egress and allows no port 53 cuts pods off from DNS.
 */
export const analyzeNetworkPolicies: Analyzer = {
  name: "network policies",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    if (!hasIssue(evidence, "DNS_HEALTHY", "DOMAIN_REACHABILITY", "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", "CONDUCTOR_HEALTHY")) return analysis;
    for (const result of evidence.results.filter((r) => r.status === "ok" && /networkpolic/i.test(r.text))) {
      for (const policy of listPolicies(result.text)) {
        const spec = specOf(result.text, policy.name);
        if (!spec || !/\bEgress\b/.test(spec) || /\bport:\s*53\b|\b53\/(UDP|TCP)\b/i.test(spec)) continue;
        const age = policy.age !== null && policy.age <= RECENT_SECONDS ? ` (created ${policy.ageText} ago)` : "";
        analysis.findings.push({ text: `networkpolicy ${policy.name}, age ${policy.ageText}: policyTypes Egress`, note: "no egress rule allows port 53 (DNS)", tool: result.tool, weight: 0.85, key: "netpol-egress" });
        analysis.candidates.push({
          key: "netpol-egress",
          cause: `NetworkPolicy ${policy.name}${age} restricts egress of the pods it selects and allows no port 53, so their DNS lookups to kube-dns (UDP/TCP 53) time out while CoreDNS itself is healthy`,
          fact: `NetworkPolicy ${policy.name}: egress without port 53`,
          weight: age ? 0.88 : 0.75,
          appOrInfra: "infra",
          nextStep: `Add an egress rule to ${policy.name} allowing UDP and TCP 53 to kube-dns (namespace kube-system), or roll the policy back; lookups recover at once`,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

function listPolicies(text: string): { name: string; age: number | null; ageText: string }[] {
  const table = /kubectl get networkpolic\w*[^\n]*\n\s*NAME\s+POD-SELECTOR\s+AGE\s*\n((?:[^\n#]+\n?)+)/i.exec(text)?.[1] ?? "";
  return table.split("\n").flatMap((line) => {
    const cells = line.trim().split(/\s{2,}|\s+(?=\S+$)/);
    const name = cells[0];
    const ageText = cells.at(-1) ?? "";
    return name && /^[a-z0-9][-a-z0-9.]*$/.test(name) ? [{ name, age: parseAge(ageText), ageText }] : [];
  });
}

/** The spec printed after `networkpolicy <name> … -o yaml`, up to the next command. */
function specOf(text: string, name: string): string | null {
  const at = text.search(new RegExp(`networkpolic\\w*\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b[^\\n]*-o yaml`, "i"));
  if (at === -1) return null;
  const rest = text.slice(at);
  const end = rest.indexOf("\n# ", 1);
  return end === -1 ? rest : rest.slice(0, end);
}

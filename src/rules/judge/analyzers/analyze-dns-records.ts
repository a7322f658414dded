import { extractIngresses, type IngressRecord } from "../../read/read-ingresses.ts";
import { logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";
import { DNS_RECORD_CONTROLLER } from "../../../playbook/component-pods.ts";

const HOST = /\b((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,})\b/gi;
/** external-dns and its kin: `Desired change: DELETE host A`, `Deleting A record host`, `DELETE host TXT`. */
const DELETES = /\b(DELETE|Delet(?:e|ing|ed))\b/;

/**
 * The record controller's own word on the domain that does not resolve: a DELETE of its record
 * in its logs is the cause, and its flags say why it stopped seeing the host — an ingress-class or
 * domain filter that excludes the domain's ingress, with a policy that deletes what it no longer
 * sees (`sync`). With no line about the domain at all and a filter that excludes it, it never
 * writes the record.
 */
export const analyzeDnsRecords: Analyzer = {
  name: "dns records",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const domains = alertedDomains(evidence);
    if (domains.length === 0) return analysis;
    const ingresses = resultsFor(evidence, "get_ingress_info").flatMap((r) => extractIngresses(r.data, r.text));
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result);
      if (!pod || !DNS_RECORD_CONTROLLER.test(pod)) continue;
      const lines = logTextOf(result).split(/\r?\n/);
      for (const domain of domains) {
        const ingress = ingresses.find((i) => i.hosts.includes(domain)) ?? null;
        const config = readConfig(lines);
        const excluded = exclusion(config, ingress, domain);
        const deleted = lines.find((line) => DELETES.test(line) && namesHost(line, domain) && !/\bTXT\b/.test(line)) ?? lines.find((line) => DELETES.test(line) && namesHost(line, domain));
        const mentioned = lines.some((line) => namesHost(line, domain));
        // Without a DELETE, its warning or error about the host says why it does not write it (an owner id that does not match, a rejected change).
        const refused = deleted ? undefined : lines.find((line) => namesHost(line, domain) && /\blevel=(warn|warning|error|fatal)\b|\b(WARN|WARNING|ERROR|FATAL)\b/.test(line));
        if (!deleted && !refused && (mentioned || !excluded)) continue;
        const why = excluded ? `: ${excluded.text}${config.policy ? `, and with --policy=${config.policy.value}${/sync/i.test(config.policy.value) ? " it deletes the records it owns for hosts it no longer sees" : ""}` : ""}` : "";
        if (deleted) analysis.findings.push({ text: `${pod}: ${quote(deleted)}`, note: `the record controller deleted ${domain}'s record`, tool: result.tool, weight: 0.9, key: "dns-record" });
        if (refused) analysis.findings.push({ text: `${pod}: ${quote(refused)}`, note: `the record controller on ${domain}`, tool: result.tool, weight: 0.85, key: "dns-record" });
        if (excluded) analysis.findings.push({ text: `${pod}: ${quote(excluded.quote)}`, note: excluded.text, tool: result.tool, weight: 0.8, key: "dns-record" });
        analysis.candidates.push({
          key: "dns-record",
          cause: deleted
            ? `${pod} (external-dns) deleted the DNS record of ${domain} (${quote(deleted)})${why}, so the domain no longer resolves while its load balancer${ingress?.address ? ` ${ingress.address}` : ""} still exists`
            : refused
              ? `${pod} (external-dns) does not write the DNS record of ${domain}: it logs ${quote(refused)}${why}, so the domain does not resolve${ingress?.address ? ` although its load balancer ${ingress.address} exists` : ""}`
              : `${pod} (external-dns) never writes the DNS record of ${domain}${why}, so the domain does not resolve${ingress?.address ? ` although its load balancer ${ingress.address} exists` : ""}`,
          fact: deleted ? `external-dns deleted ${domain}'s record` : refused ? `external-dns refuses ${domain}'s record` : `external-dns does not manage ${domain}`,
          weight: deleted ? 0.9 : refused ? 0.85 : 0.8,
          appOrInfra: "infra",
          nextStep: excluded
            ? `Widen external-dns's filter to include ${ingress ? `ingress ${ingress.name}${ingress.className ? ` (class ${ingress.className})` : ""}` : domain} (or restore its previous flags); it recreates the record on its next sync`
            : `Find why external-dns deleted ${domain}'s record (its flags and the ingress's annotations) and restore it; it recreates the record once it sees the host again`,
          tool: result.tool,
        });
        break;
      }
    }
    return analysis;
  },
};

/** Host names in the alert's DNS/domain issues. */
function alertedDomains(evidence: Evidence): string[] {
  const texts = evidence.issues.filter((issue) => /^(DOMAIN_RESOLUTION|DOMAIN_REACHABILITY|DNS_HEALTHY)$/.test(issue.type)).map((issue) => issue.text);
  return [...new Set(texts.flatMap((text) => [...text.matchAll(HOST)].map((m) => (m[1] ?? "").toLowerCase())))];
}

/** The host itself, not a longer name ending with it (`a-orchestrator.example.com` is the TXT registry's). */
function namesHost(line: string, host: string): boolean {
  return [...line.toLowerCase().matchAll(HOST)].some((m) => m[1] === host || m[1] === `${host}.`);
}

interface Setting {
  value: string;
  /** The line's fragment that shows it, verbatim. */
  quote: string;
}

/** Its flags, from the config line it logs at start (`IngressClassNames:[x] DomainFilter:[y] Policy:sync`) or its arguments (`--ingress-class=x`). */
function readConfig(lines: readonly string[]): { ingressClass: Setting | null; domainFilter: Setting | null; policy: Setting | null } {
  const find = (patterns: RegExp[]): Setting | null => {
    for (const line of lines) {
      for (const pattern of patterns) {
        const match = pattern.exec(line);
        if (match?.[1] !== undefined) return { value: match[1].trim(), quote: match[0] };
      }
    }
    return null;
  };
  return {
    ingressClass: find([/IngressClassNames?:\s*\[([^\]]*)\]/, /--ingress-class[= ]([\w.,-]+)/]),
    domainFilter: find([/DomainFilter:\s*\[([^\]]*)\]/, /--domain-filter[= ]([\w.,-]+)/]),
    policy: find([/\bPolicy:\s*([\w-]+)/, /--policy[= ]([\w-]+)/]),
  };
}

/** Why the controller does not see the domain's ingress: a class or domain filter that leaves it out. */
function exclusion(config: ReturnType<typeof readConfig>, ingress: IngressRecord | null, domain: string): { text: string; quote: string } | null {
  const classes = config.ingressClass?.value.split(/[\s,]+/).filter(Boolean) ?? [];
  if (config.ingressClass && classes.length > 0 && ingress?.className && !classes.includes(ingress.className)) {
    return { text: `it watches only ingress class ${classes.join(", ")} while ingress ${ingress.name} has class ${ingress.className}, so it no longer sees that ingress`, quote: config.ingressClass.quote };
  }
  const filters = config.domainFilter?.value.split(/[\s,]+/).map((d) => d.replace(/^\.|\.$/g, "").toLowerCase()).filter(Boolean) ?? [];
  if (config.domainFilter && filters.length > 0 && !filters.some((f) => domain === f || domain.endsWith(`.${f}`))) {
    return { text: `its domain filter (${filters.join(", ")}) leaves ${domain} out`, quote: config.domainFilter.quote };
  }
  return null;
}

function quote(line: string): string {
  const message = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? line.replace(/^\S*\d{2}:\d{2}:\d{2}\S*\s+/, "");
  const flat = message.trim().replace(/\s+/g, " ");
  return `"${flat.length <= 150 ? flat : flat.slice(0, 150).replace(/\s+\S*$/, "")}"`;
}

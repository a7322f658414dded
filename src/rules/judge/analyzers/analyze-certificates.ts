import { extractCertificates, extractIssuers, type IssuerRecord } from "../../read/read-certificates.ts";
import { extractEvents } from "../../read/read-events.ts";
import { collectStrings, isObject, walkObjects } from "../../read/walk-json.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * cert-manager Certificates that are not Ready and why: an expiring certificate is the symptom,
 * the failed renewal (an ACME HTTP-01/DNS-01 challenge, an order) is the cause.
 */
export const analyzeCertificates: Analyzer = {
  name: "certificates",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_ingress_info")) {
      for (const certificate of extractCertificates(result.data, result.text)) {
        if (certificate.ready !== false) continue;
        const attempts = certificate.failedAttempts ? ` after ${formatNumber(certificate.failedAttempts)} failed attempts` : "";
        const failure = certificate.failure ? `: ${certificate.failure.slice(0, 240)}` : "";
        analysis.findings.push({ text: `certificate ${certificate.name} is not Ready${attempts}${failure}`, tool: result.tool, weight: certificate.failure ? 0.9 : 0.6, key: "certificate" });
        if (!certificate.failure) continue;
        const challenge = /\b(HTTP-01|DNS-01)\b/i.exec(certificate.failure)?.[1]?.toUpperCase();
        const status = /status code '?(\d{3})/i.exec(certificate.failure)?.[1];
        analysis.candidates.push({
          key: "certificate",
          cause: `cert-manager cannot renew certificate ${certificate.name}${challenge ? `: the ACME ${challenge} challenge fails` : ""}${status ? ` (answered ${status} instead of 200)` : ""}${attempts} — ${certificate.failure.slice(0, 240)}`,
          weight: 0.92,
          appOrInfra: "infra",
          nextStep:
            challenge === "HTTP-01"
              ? `Find what answers ${status ?? "the challenge"} on /.well-known/acme-challenge/ for this host (a WAF, auth rule, redirect or another ingress) and let cert-manager retry before the certificate expires`
              : `Fix what the renewal error names${challenge === "DNS-01" ? " (the DNS provider credentials or the TXT record's propagation)" : ""} and let cert-manager retry before the certificate expires`,
          tool: result.tool,
        });
      }
    }
    analyzeIssuers(evidence, analysis);
    return analysis;
  },
};

/**
 * The issuer that signs the alerted domain's certificate cannot sign at all (its own Ready
 * condition False: an account key Secret not found, a bad ACME server): nothing downstream of it
 * (orders, challenges, a rate limit another certificate hit) is the cause. Read from the issuer's
 * status or a Warning event about the issuer itself, and tied to the alert through the Ingress or
 * Certificate that references it by name.
 */
function analyzeIssuers(evidence: Evidence, analysis: Analysis): void {
  const alertText = evidence.issues.map((i) => i.text).join("\n").toLowerCase();
  const found = new Map<string, { issuer: IssuerRecord; tool: string }>();
  for (const result of resultsFor(evidence, "get_ingress_info", "get_deployments_info", "get_pod_events", "get_pods_data")) {
    for (const issuer of extractIssuers(result.data, result.text)) if (issuer.ready === false && issuer.message && !found.has(issuer.name)) found.set(issuer.name, { issuer, tool: result.tool });
    for (const event of extractEvents(result.data, result.text)) {
      const name = /^(cluster)?issuer\/(\S+)$/i.exec(event.object ?? "");
      if (!name?.[2] || event.type?.toLowerCase() !== "warning" || !event.message || found.has(name[2])) continue;
      found.set(name[2], { issuer: { name: name[2], kind: name[1] ? "ClusterIssuer" : "Issuer", ready: false, reason: event.reason, message: event.message, secretRef: null }, tool: result.tool });
    }
  }
  if (found.size === 0) return;
  const { issuers: referenced, certificates } = issuersOfAlertedHosts(evidence, alertText);
  const which = certificates.size === 1 ? ` ${[...certificates][0]}` : "";
  for (const { issuer, tool } of found.values()) {
    // Tied to the alert by reference, or the only broken issuer when nothing says which one signs what.
    const ours = referenced.has(issuer.name) || (referenced.size === 0 && found.size === 1);
    const why = `${issuer.reason ? `${issuer.reason}: ` : ""}"${issuer.message?.slice(0, 200)}"`;
    const secret = issuer.secretRef && issuer.message?.includes(issuer.secretRef) ? `; its ACME account key Secret ${issuer.secretRef} (privateKeySecretRef) is missing` : "";
    analysis.findings.push({ text: `${issuer.kind} ${issuer.name} is not Ready: ${issuer.message?.slice(0, 200)}`, tool, weight: ours ? 0.9 : 0.4, key: "certificate" });
    if (!ours) continue;
    analysis.candidates.push({
      key: "certificate",
      cause: `cert-manager cannot renew the certificate${which}: the ${issuer.kind} ${issuer.name} that signs it is not Ready (${why})${secret}, so no order or challenge is even attempted`,
      fact: `${issuer.kind} ${issuer.name} not Ready`,
      weight: 0.94,
      appOrInfra: "infra",
      nextStep: issuer.secretRef
        ? `Restore the Secret ${issuer.secretRef} (the ACME account key) from a backup, or allow the ${issuer.kind} to register a new account, then let cert-manager retry before the certificate expires`
        : `Fix what the ${issuer.kind} ${issuer.name}'s status names, then let cert-manager retry before the certificate expires`,
      tool,
    });
  }
}

/** Issuer names referenced (annotation or issuerRef) by an object serving a host the alert names, and that object's certificate (TLS secret or Certificate name). */
function issuersOfAlertedHosts(evidence: Evidence, alertText: string): { issuers: Set<string>; certificates: Set<string> } {
  const names = new Set<string>();
  const certificates = new Set<string>();
  for (const result of resultsFor(evidence, "get_ingress_info")) {
    walkObjects(result.data, (object) => {
      const hosts = Object.entries(object).filter(([k]) => /^(hosts?|dnsnames|domains?)$/i.test(k)).flatMap(([, v]) => collectStrings(v));
      if (!hosts.some((h) => h.length > 3 && alertText.includes(h.toLowerCase().replace(/^\*\./, "")))) return false;
      walkObjects(object, (child) => {
        for (const [key, value] of Object.entries(child)) {
          if (/^secretName$/i.test(key) && typeof value === "string") certificates.add(value);
          if (!/issuer/i.test(key)) continue;
          if (typeof value === "string") names.add(value);
          else if (isObject(value) && typeof value.name === "string") names.add(value.name);
        }
        return false;
      });
      return true;
    });
  }
  return { issuers: names, certificates };
}

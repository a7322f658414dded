import { extractCertificates, extractIssuers, type CertificateRecord, type IssuerRecord } from "../../read/read-certificates.ts";
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
    const alertText = evidence.issues.map((i) => i.text).join("\n").toLowerCase();
    const alerted = servedTls(evidence, alertText);
    for (const result of resultsFor(evidence, "get_ingress_info")) {
      const listed = extractCertificates(result.data, result.text);
      analyzeUnmanaged(listed, alerted, result.tool, analysis);
      for (const certificate of listed) {
        if (certificate.ready !== false) continue;
        // A Certificate of another host than the alerted one (its own secret and names listed) is not this alert's cause.
        if (alerted.length > 0 && certificate.secretName && !covers(certificate, alerted)) {
          analysis.findings.push({ text: `certificate ${certificate.name} (another host) is not Ready${certificate.failure ? `: ${certificate.failure.slice(0, 160)}` : ""}`, tool: result.tool, weight: 0.3 });
          continue;
        }
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

interface ServedTls {
  host: string;
  secret: string;
  /** A cert-manager annotation (cluster-issuer, issuer) on the object that serves it. */
  annotated: boolean;
}

/** The TLS Secrets Ingresses serve for the hosts the alert names (`spec.tls[].hosts` + `secretName`). */
function servedTls(evidence: Evidence, alertText: string): ServedTls[] {
  const served: ServedTls[] = [];
  for (const result of resultsFor(evidence, "get_ingress_info")) {
    walkObjects(result.data, (object) => {
      const spec = object.spec;
      const tls = isObject(spec) && Array.isArray(spec.tls) ? spec.tls.filter(isObject) : [];
      if (tls.length === 0) return false;
      const metadata = object.metadata;
      const annotations = isObject(metadata) && isObject(metadata.annotations) ? Object.keys(metadata.annotations) : [];
      const annotated = annotations.some((k) => /^cert-manager\.io\//i.test(k));
      for (const entry of tls) {
        const secret = typeof entry.secretName === "string" ? entry.secretName : null;
        const hosts = collectStrings(entry.hosts).filter((h) => h.length > 3 && alertText.includes(h.toLowerCase().replace(/^\*\./, "")));
        if (secret) for (const host of hosts) served.push({ host, secret, annotated });
      }
      return true;
    });
  }
  return served;
}

function covers(certificate: CertificateRecord, served: readonly ServedTls[]): boolean {
  return served.some((s) => s.secret === certificate.secretName || (certificate.dnsNames ?? []).some((name) => name.toLowerCase() === s.host.toLowerCase() || (name.startsWith("*.") && s.host.toLowerCase().endsWith(name.slice(1).toLowerCase()))));
}

/**
 * The alerted host's TLS Secret, in a listing that shows cert-manager Certificates, is written by
 * none of them and its Ingress asks cert-manager for nothing: it was put there by hand, and nothing
 * renews it before it expires — whatever another host's Certificate is doing.
 */
function analyzeUnmanaged(listed: readonly CertificateRecord[], served: readonly ServedTls[], tool: string, analysis: Analysis): void {
  if (listed.length === 0 || listed.some((c) => !c.secretName)) return;
  const unmanaged = served.filter((s) => !s.annotated && !listed.some((c) => covers(c, [s])));
  const first = unmanaged[0];
  if (!first || unmanaged.some((s) => s.secret !== first.secret)) return;
  analysis.findings.push({ text: `no cert-manager Certificate writes Secret ${first.secret} served for ${first.host}`, tool, weight: 0.8, key: "certificate" });
  analysis.candidates.push({
    key: "certificate",
    cause: `The certificate of ${first.host} is managed by hand: its Secret ${first.secret} is written by no cert-manager Certificate and its Ingress has no cert-manager issuer annotation, so nothing renews it automatically`,
    fact: `Secret ${first.secret} not managed by cert-manager`,
    weight: 0.86,
    appOrInfra: "infra",
    nextStep: `Renew the certificate in Secret ${first.secret} by hand now (or put it under a cert-manager Certificate), then check the host serves the new notAfter`,
    tool,
  });
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

import { extractCertificates } from "../../read/read-certificates.ts";
import { formatNumber, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

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
    return analysis;
  },
};

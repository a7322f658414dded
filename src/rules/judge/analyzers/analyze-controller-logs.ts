import { summarizeLogs } from "../../read/read-logs.ts";
import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, AppOrInfra } from "../../types.ts";
import { CERT_MANAGER, DNS_RECORD_CONTROLLER, INGRESS_CONTROLLER } from "../../../playbook/component-pods.ts";

interface ControllerError {
  key: string;
  pattern: RegExp;
  weight: number;
  appOrInfra: AppOrInfra;
  cause: (pod: string, line: string) => string;
  nextStep: string;
}

/** What a controller's dominant error means; the first match wins. */
const INGRESS_ERRORS: ControllerError[] = [
  {
    key: "load-balancer",
    pattern: /AccessDenied|UnauthorizedOperation|not authorized to perform|Forbidden|AuthorizationFailed/i,
    weight: 0.9,
    appOrInfra: "infra",
    cause: (pod, line) => `The load balancer was never provisioned: ${pod} is denied by the cloud API (${line})`,
    nextStep: "Grant the load-balancer controller's cloud role the permission named in its error (e.g. elasticloadbalancing:CreateLoadBalancer); the load balancer and its DNS record follow",
  },
  {
    key: "load-balancer",
    pattern: /LimitExceeded|quota|TooMany\w*LoadBalancers|couldn't auto-discover subnets|subnet/i,
    weight: 0.85,
    appOrInfra: "infra",
    cause: (pod, line) => `The load balancer cannot be created: ${pod} reports ${line}`,
    nextStep: "Raise the cloud quota or fix the subnet tags the controller names, then watch the ingress get its address",
  },
  {
    key: "no-endpoints",
    pattern: /does not have any active Endpoint|no endpoints available|no healthy upstream/i,
    weight: 0.7,
    appOrInfra: "infra",
    cause: (pod, line) => `The ingress controller has no Endpoints to send traffic to (${pod}: ${line}); the Service selector matches no Ready pod`,
    nextStep: "Compare the Service's selector with the pods' labels (kubectl get endpoints) and check the pods are Ready",
  },
];

const CERT_ERRORS: ControllerError[] = [
  {
    // A DNS-01 solver needs write access to the zone; HTTP-01 needs none, so a denial names the cause.
    key: "certificate",
    pattern: /AccessDenied|not authorized to perform|AccessDeniedException|Forbidden|AuthorizationFailed/i,
    weight: 0.9,
    appOrInfra: "infra",
    cause: (pod, line) => `cert-manager cannot renew the certificate: its DNS-01 challenge solver is denied by the cloud API (AccessDenied), so the challenge never completes (${pod}: ${line})`,
    nextStep: "Grant the cert-manager DNS-01 solver's role the record-set permission the error names (e.g. route53:ChangeResourceRecordSets on the hosted zone), then let cert-manager retry before the certificate expires",
  },
  {
    // The issuer itself cannot sign (its account key Secret is gone): orders, challenges and rate limits are downstream of it.
    key: "certificate",
    pattern: /error initiali[sz]ing issuer|issuer \S+ is not ready|ErrInitIssuer|IssuerNotReady|ErrRegisterACMEAccount|failed to (?:register|verify) (?:an )?ACME account/i,
    weight: 0.9,
    appOrInfra: "infra",
    cause: (pod, line) => `cert-manager cannot renew the certificate: its issuer is not Ready, so no order is even attempted (${pod}: ${line})`,
    nextStep: "Fix what the issuer's error names (a missing account key or credentials Secret, a wrong ACME server), then let cert-manager retry before the certificate expires",
  },
  {
    key: "certificate",
    pattern: /HTTP-01|DNS-01|challenge|acme|order .*(failed|invalid)|rateLimited|too many certificates/i,
    weight: 0.88,
    appOrInfra: "infra",
    cause: (pod, line) => `cert-manager cannot renew the certificate: its ACME challenge or order fails (${pod}: ${line})`,
    nextStep: "Fix what the challenge error names (an HTTP-01 path blocked by a WAF/auth rule or redirect, a DNS-01 record not propagating, an ACME rate limit), then let cert-manager retry before the certificate expires",
  },
];

const DNS_RECORD_ERRORS: ControllerError[] = [
  {
    // The controller that writes the record says why it did not: a denied cloud API, a zone it may not touch.
    key: "dns-record",
    pattern: /AccessDenied|not authorized to perform|Forbidden|AuthorizationFailed|InvalidChangeBatch|no hosted zone|failed to (submit|apply|create|update)/i,
    weight: 0.88,
    appOrInfra: "infra",
    cause: (pod, line) => `The domain's DNS record is never written: ${pod} (external-dns) fails to change the zone (${line})`,
    nextStep: "Grant external-dns's cloud role the record-set permission its error names on that hosted zone (or fix its zone/domain filter), then watch it create the record",
  },
];

/**
 * The dominant error of an ingress/load-balancer controller or cert-manager: the component that
 * should have built the LB, routed the traffic or renewed the certificate usually says why not.
 */
export const analyzeControllerLogs: Analyzer = {
  name: "controller logs",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const alertText = evidence.issues.map((i) => i.text).join("\n").toLowerCase();
    for (const result of resultsFor(evidence, "pull_pod_logs", "get_pod_events")) {
      const pod = podOf(result);
      if (!pod) continue;
      const table = INGRESS_CONTROLLER.test(pod) ? INGRESS_ERRORS : CERT_MANAGER.test(pod) ? CERT_ERRORS : DNS_RECORD_CONTROLLER.test(pod) ? DNS_RECORD_ERRORS : null;
      if (!table) continue;
      const summary = summarizeLogs(logTextOf(result));
      // Errors first, then warnings (nginx logs "no active Endpoint" at W level).
      const messages = [...summary.errors, ...summary.warns, ...countTemplates(logTextOf(result))];
      for (const known of table) {
        // A line that names the pattern and a failure beats one that only names the pattern ("presenting DNS01 challenge").
        // A cert-manager error about another host (its dnsName is not the alerted domain) is that certificate's trouble.
        const ours = (m: { sample: string }) => table !== CERT_ERRORS || !otherHost(m.sample, alertText);
        const hit = messages.find((m) => known.pattern.test(m.sample) && FAILURE.test(m.sample) && ours(m)) ?? messages.find((m) => known.pattern.test(m.sample) && ours(m));
        if (!hit) continue;
        const line = clipLine(hit.sample);
        analysis.findings.push({ text: `${pod}: ${quoteLine(line)}`, note: `×${formatNumber(hit.count)}`, tool: result.tool, weight: known.weight, key: known.key });
        analysis.candidates.push({ key: known.key, cause: known.cause(pod, line), weight: known.weight, appOrInfra: known.appOrInfra, nextStep: known.nextStep, tool: result.tool });
        break;
      }
    }
    return analysis;
  },
};

/** The line names the host it is about (`"dnsName":"hooks.example.com"`, `domain=…`) and the alert names a different one. */
function otherHost(line: string, alertText: string): boolean {
  const host = /["']?\b(?:dnsName|domain|hostname)["']?\s*[:=]\s*["']?(\*?\.?[a-z0-9][-a-z0-9.]*\.[a-z]{2,})/i.exec(line)?.[1]?.toLowerCase().replace(/^\*\./, "");
  return Boolean(host) && /\b[a-z0-9-]+(?:\.[a-z0-9-]+)+\.[a-z]{2,}\b/.test(alertText) && !alertText.includes(host as string);
}

const FAILURE = /\b(error|fail\w*|denied|invalid|refused|forbidden|unauthori[sz]ed|AccessDenied|not authorized)\b/i;

/** Lines without a level the summary skipped (klog `W1123 ...`), grouped by their text without numbers. */
function countTemplates(text: string): { sample: string; count: number }[] {
  const counts = new Map<string, { sample: string; count: number }>();
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const template = line.replace(/\d+/g, "#");
    const entry = counts.get(template) ?? { sample: line.trim(), count: 0 };
    entry.count += 1;
    counts.set(template, entry);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** The message without its timestamp prefix, short enough for a finding. */
function clipLine(line: string): string {
  return line.replace(/^\S*\d{2}:\d{2}:\d{2}\S*\s+/, "").replace(/\s+/g, " ").slice(0, 260);
}

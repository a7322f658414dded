import { extractIngresses, type IngressRecord } from "../../read/read-ingresses.ts";
import { logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";
import { CERT_MANAGER } from "../../../playbook/component-pods.ts";

/**
 * cert-manager's HTTP-01 self check says what answered instead of the token: a redirect (30x) or a
 * refusal (401/403) on `/.well-known/acme-challenge/` comes from a rule on the ingress serving that
 * host, most often an authentication annotation (oauth2-proxy's auth-url/auth-signin, basic auth,
 * a forward-auth middleware) that sends the validator to a login page. The cause is that
 * annotation, quoted with its value, and the change note recorded on the ingress when there is one.
 */
export const analyzeChallengeRedirect: Analyzer = {
  name: "challenge redirect",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const ingresses = resultsFor(evidence, "get_ingress_info").flatMap((r) => extractIngresses(r.data, r.text).map((ingress) => ({ ingress, tool: r.tool })));
    // cert-manager's logs, or a Challenge/Certificate status listed by another call.
    const sources = [
      ...resultsFor(evidence, "pull_pod_logs").filter((r) => CERT_MANAGER.test(podOf(r) ?? "")),
      ...evidence.results.filter((r) => r.status === "ok" && r.tool !== "pull_pod_logs"),
    ];
    for (const result of sources) {
      const pod = podOf(result) ?? "cert-manager";
      const failed = challengeFailure(result.tool === "pull_pod_logs" ? logTextOf(result) : result.output);
      if (!failed) continue;
      const served = ingresses.find(({ ingress }) => (!failed.host || ingress.hosts.includes(failed.host)) && blockingAnnotation(ingress, failed.code));
      if (!served) continue;
      const { ingress } = served;
      const [key, value, kind] = blockingAnnotation(ingress, failed.code) as Blocking;
      const note = changeNote(ingress);
      const host = failed.host ?? ingress.hosts[0] ?? ingress.name;
      analysis.findings.push({ text: `${pod}: ${failed.line}`, note: `the ACME HTTP-01 self check of ${host} gets ${failed.code}`, tool: result.tool, weight: 0.85, key: "challenge-blocked" });
      analysis.findings.push({ text: `${key}: ${value}`, note: `on ingress ${ingress.name}: ${KIND_SAYS[kind]} on the host the challenge is served from`, tool: served.tool, weight: 0.8, key: "challenge-blocked" });
      analysis.candidates.push({
        key: "challenge-blocked",
        cause: `cert-manager's ACME HTTP-01 challenge for ${host} gets ${failed.code} instead of 200 (${failed.line}): ingress ${ingress.name} carries the ${kind} annotation ${key}=${value}, so the challenge path /.well-known/acme-challenge/ ${KIND_DOES[kind]} instead of reaching the solver${note ? `; recorded change on the ingress: "${note}"` : ""}`,
        fact: `the ${kind} annotation ${key} on ingress ${ingress.name} answers the HTTP-01 challenge with ${failed.code}`,
        weight: 0.9,
        appOrInfra: "infra",
        nextStep: `Exempt /.well-known/acme-challenge/ from the ${kind} rule on ingress ${ingress.name} (let the solver get its own ingress instead of editing this one in place, or use DNS-01), then watch the Certificate become Ready`,
        tool: result.tool,
      });
      break;
    }
    return analysis;
  },
};

/** A failed self check answered by something else: `wrong status code '302', expected '200'`, with the host it was for. */
function challengeFailure(text: string): { line: string; code: string; host: string | null } | null {
  for (const line of text.split(/\r?\n/)) {
    const m = /wrong status code '?(30[12378]|401|403)\b'?(?:,?\s*\w+ '?200'?)?/i.exec(line);
    if (!m) continue;
    const host = /dnsName="?([a-z0-9.-]+)/i.exec(line)?.[1] ?? /\bdomain[=:]\s*"?([a-z0-9.-]+\.[a-z]{2,})/i.exec(line)?.[1] ?? null;
    // The message up to what the check expected, without klog's prefix or the structured fields after it.
    const message = line.slice(0, m.index + m[0].length).replace(/^.*?\]\s*/, "").replace(/^[^"]*?(?="[^"]+"\s+err=)/, "");
    return { line: message.trim(), code: m[1] as string, host };
  }
  return null;
}

/** Annotations that put authentication in front of every path of an ingress (nginx, Traefik, ALB, external auth). */
const AUTH_ANNOTATION = /(^|[./-])(auth-url|auth-signin|auth-type|auth-secret|auth-realm|forward-?auth\w*|authenticate-\w+|oauth2?\b[^/]*|ext-?auth\w*)$/i;
/** Annotations that refuse clients by source address (the ACME validators come from anywhere): 403. */
const ALLOWLIST_ANNOTATION = /(whitelist|allowlist|denylist)-source-range$|inbound-cidrs$|source-ranges?$/i;
/** Annotations that redirect every request: 30x. */
const REDIRECT_ANNOTATION = /(permanent|temporal)-redirect$|app-root$/i;

type Kind = "auth" | "source-allowlist" | "redirect";
type Blocking = [string, string, Kind];
const KIND_SAYS: Record<Kind, string> = { auth: "an authentication rule", "source-allowlist": "a source-address allowlist", redirect: "a redirect rule" };
const KIND_DOES: Record<Kind, string> = {
  auth: "is sent to the login (auth redirect)",
  "source-allowlist": "is refused to the ACME validators (403)",
  redirect: "is redirected",
};

/** The annotation that explains the code the challenge got: auth for a redirect or 401/403, an allowlist for 403, a redirect rule for 30x. */
function blockingAnnotation(ingress: IngressRecord, code: string): Blocking | null {
  const entries = Object.entries(ingress.annotations ?? {});
  const middleware = entries.find(([key, value]) => /router\.middlewares$/i.test(key) && /auth/i.test(value));
  // The URL the validator is sent to names the auth service; prefer it over its siblings.
  const auth = entries.find(([key]) => /auth-url$/i.test(key)) ?? entries.find(([key]) => AUTH_ANNOTATION.test(key)) ?? middleware;
  if (auth) return [auth[0], auth[1], "auth"];
  const allowlist = entries.find(([key]) => ALLOWLIST_ANNOTATION.test(key));
  if (allowlist && code === "403") return [allowlist[0], allowlist[1], "source-allowlist"];
  const redirect = entries.find(([key]) => REDIRECT_ANNOTATION.test(key));
  if (redirect && code.startsWith("30")) return [redirect[0], redirect[1], "redirect"];
  return null;
}

/** A change note recorded on the object (`kubernetes.io/change-cause`, an `…/change` annotation). */
function changeNote(ingress: IngressRecord): string | null {
  const entry = Object.entries(ingress.annotations ?? {}).find(([key]) => /(^|[./-])change(-cause)?$/i.test(key));
  return entry ? entry[1].slice(0, 160) : null;
}

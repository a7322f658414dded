import type { Analysis, Analyzer, IssueEvidence } from "../../types.ts";

/**
 * Self-describing issues (certificate expiry, stale API key, slow response): the alert text is
 * the evidence, so relay it with its numbers. Every issue line read from the alert or the
 * execution also becomes a low-weight finding, so a report always has something to cite.
 */
export const analyzeAlertIssues: Analyzer = {
  name: "alert issues",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const issue of evidence.issues) {
      if (issue.source === "none") continue;
      const relay = relayIssue(issue);
      analysis.findings.push({ text: `${issue.severity ?? "issue"}: ${issue.text}`.slice(0, 600), tool: issue.source, weight: relay ? 0.7 : 0.3, ...(relay ? { key: relay.key } : {}) });
      if (relay) analysis.candidates.push(relay);
    }
    return analysis;
  },
};

function relayIssue(issue: IssueEvidence): Analysis["candidates"][number] | null {
  const tool = issue.source;
  switch (issue.type) {
    case "DOMAIN_CERTIFICATE_WILL_EXPIRE": {
      const days = readCertificateDays(issue.text);
      const domain = readDomain(issue.text) ?? "the cluster's domain";
      const when = days === null ? "soon" : `in less than ${days} day${days === 1 ? "" : "s"}`;
      return {
        key: "certificate",
        cause: `The TLS certificate of ${domain} expires ${when} and has not been renewed (automatic renewal failing, or a manually managed certificate)`,
        weight: 0.85,
        appOrInfra: "infra",
        nextStep: `Renew the certificate of ${domain} ${days === null ? "now" : `within ${days} day${days === 1 ? "" : "s"}`}: check cert-manager's Certificate/Order status and its ACME challenge, or ask the customer to renew a certificate they manage`,
        tool,
      };
    }
    case "AUTH_STALE": {
      // The key belongs to whoever the alert names (an application, the agent), not to the health check.
      const owner = readKeyOwner(issue.text);
      const age = /(\d+)\s*days?/i.exec(issue.text)?.[0];
      return {
        key: "api-key",
        cause: `The API key of ${owner} is stale${age ? ` (${age} old)` : ""}: it was not rotated within the policy, or was rotated without updating ${owner}`,
        weight: 0.8,
        appOrInfra: "app",
        nextStep: `Rotate the API key of ${owner} and update it where it is configured; confirm the next health-check run passes`,
        tool,
      };
    }
    case "RESPONSE_TIME": {
      const seconds = readSeconds(issue.text);
      return {
        key: "slow-response",
        cause: `Conductor answers slowly${seconds === null ? "" : ` (${seconds} s)`}; the alert does not say why`,
        // The symptom is certain, its cause is not: other analyzers must supply that.
        weight: 0.45,
        appOrInfra: "unknown",
        nextStep: "Check whether the slowness persists in the next health checks; if it does, look at server CPU/heap and the decider queue",
        tool,
      };
    }
    default:
      return null;
  }
}

/** `application quote-service`, `app 'billing'`, `the agent`: whose key the alert means. */
export function readKeyOwner(text: string): string {
  const app = /\b(?:application|app)\s+["'`]?([\w.-]*[\w])/i.exec(text)?.[1];
  if (app) return `application ${app}`;
  return /\bagent\b/i.test(text) ? "the cluster's agent" : "the application the alert names";
}

/** `... certificate expires in less than 7 days` → 7. */
export function readCertificateDays(text: string): number | null {
  const match = /(?:less than|within|in)\s+(\d+)\s*days?/i.exec(text) ?? /(\d+)\s*days?/i.exec(text);
  return match?.[1] ? Number(match[1]) : null;
}

function readDomain(text: string): string | null {
  return /\b((?:[a-z0-9-]+\.)+[a-z]{2,})\b/i.exec(text.replace(/https?:\/\/\S+/g, ""))?.[1] ?? null;
}

function readSeconds(text: string): number | null {
  const match = /(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|seconds?)\b/i.exec(text);
  if (!match?.[1]) return null;
  const value = Number(match[1]);
  return /^m/i.test(match[2] ?? "") ? value / 1000 : value;
}

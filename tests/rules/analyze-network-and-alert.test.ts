import { describe, expect, it } from "vitest";
import { analyzeAlertIssues, readCertificateDays } from "../../src/rules/judge/analyzers/analyze-alert-issues.ts";
import { analyzeExecutionStatus } from "../../src/rules/judge/analyzers/analyze-execution-status.ts";
import { analyzeIngress } from "../../src/rules/judge/analyzers/analyze-ingress.ts";
import { analyzeToolFailures } from "../../src/rules/judge/analyzers/analyze-tool-failures.ts";
import { runAnalyzers } from "../../src/rules/judge/run-analyzers.ts";
import { evidenceOf, issue } from "./build-evidence.ts";
import * as f from "./fixtures.ts";

const DNS = issue("DNS_HEALTHY", "DNS resolution has failed for acme-eu-1.orkesconductor.io");

describe("analyzeIngress", () => {
  it.each([
    ["JSON", f.INGRESS_JSON_NO_ADDRESS],
    ["text", f.INGRESS_TEXT_NO_ADDRESS],
  ])("%s: an ingress without an address means the LB was never provisioned", (_shape, data) => {
    const { findings, candidates } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data }], [DNS]));
    expect(candidates).toEqual([expect.objectContaining({ key: "load-balancer", weight: 0.85, appOrInfra: "infra" })]);
    expect(findings[0]?.text).toBe("ingress conductor-ingress (hosts acme-eu-1.orkesconductor.io) has no external address");
  });

  it.each([
    ["JSON", f.INGRESS_JSON_WITH_ADDRESS, "k8s-orkes-abc123.eu-west-1.elb.amazonaws.com"],
    ["text", f.INGRESS_TEXT_WITH_ADDRESS, "34.120.18.77"],
  ])("%s: with an address and healthy pods, the DNS record is the lead", (_shape, data, address) => {
    const { candidates } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data }, { tool: "get_pods_data", data: f.PODS_TEXT_HEALTHY }], [DNS]));
    expect(candidates).toEqual([expect.objectContaining({ key: "dns-record", weight: 0.55, cause: expect.stringContaining(address) })]);
  });

  it("with an address but unhealthy pods, the DNS lead stays weak", () => {
    const { candidates } = analyzeIngress.analyze(evidenceOf([{ tool: "get_ingress_info", data: f.INGRESS_TEXT_WITH_ADDRESS }, { tool: "get_pods_data", data: f.PODS_TEXT }], [DNS]));
    expect(candidates[0]?.weight).toBeLessThan(0.4);
  });
});

describe("analyzeAlertIssues", () => {
  it("relays a certificate expiry with its days and domain", () => {
    const cert = issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "The certificate for acme-eu-1.orkesconductor.io certificate expires in less than 7 days", "WARNING");
    const { findings, candidates } = analyzeAlertIssues.analyze(evidenceOf([], [cert]));
    expect(candidates[0]).toMatchObject({ key: "certificate", cause: expect.stringContaining("acme-eu-1.orkesconductor.io expires in less than 7 days"), nextStep: expect.stringContaining("within 7 days") });
    expect(findings[0]).toMatchObject({ tool: "alert", text: expect.stringMatching(/^WARNING: The certificate/) });
  });

  it.each([
    ["certificate expires in less than 14 days", 14],
    ["certificate expires in less than 1 day", 1],
    ["certificate will expire soon", null],
  ])("reads days from %j", (text, days) => expect(readCertificateDays(text)).toBe(days));

  it("relays a stale API key with high weight and a slow response with low weight", () => {
    const { candidates } = analyzeAlertIssues.analyze(
      evidenceOf([], [issue("AUTH_STALE", "The health check is using a stale API key"), issue("RESPONSE_TIME", "Conductor is taking too long to respond (12.5s)")]),
    );
    expect(candidates.find((c) => c.key === "api-key")?.weight).toBeGreaterThanOrEqual(0.8);
    expect(candidates.find((c) => c.key === "slow-response")).toMatchObject({ cause: expect.stringContaining("12.5 s") });
    expect(candidates.find((c) => c.key === "slow-response")?.weight).toBeLessThan(0.55);
  });

  it("other issues only become findings", () => {
    const { findings, candidates } = analyzeAlertIssues.analyze(evidenceOf([], [issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 93%")]));
    expect(candidates).toEqual([]);
    expect(findings).toEqual([{ text: "CRITICAL: CPU usage is at 93%", tool: "alert", weight: 0.3 }]);
  });
});

describe("analyzeExecutionStatus", () => {
  it("a timed-out health check without issues points at the agent", () => {
    const { findings, candidates } = analyzeExecutionStatus.analyze(evidenceOf([{ tool: "get_incident_details", data: f.INCIDENT_TIMED_OUT }], [issue("UNKNOWN", "health check timed out")]));
    expect(findings[0]?.text).toBe("the health check execution itself is TIMED_OUT: Task get_cluster_metrics timed out after 300 seconds");
    expect(candidates[0]).toMatchObject({ key: "health-check-failed", appOrInfra: "infra" });
  });

  it("a health check that failed because it found issues is not news", () => {
    const data = f.incident([{ severity: "CRITICAL", description: "CPU usage is at 93%" }]);
    expect(analyzeExecutionStatus.analyze(evidenceOf([{ tool: "get_incident_details", data }], [issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 93%")]))).toEqual({ findings: [], candidates: [] });
  });
});

describe("analyzeToolFailures and runAnalyzers", () => {
  it("says what could not be read", () => {
    const { findings } = analyzeToolFailures.analyze(
      evidenceOf([
        { tool: "get_pod_events", input: { pod: "conductor-server-0" }, status: "error", output: "GET_POD_EVENTS ended with status TIMED_OUT" },
        { tool: "get_ingress_info", status: "no_data", output: "" },
      ]),
    );
    expect(findings.map((x) => x.text)).toEqual(["could not read the pod events of conductor-server-0: GET_POD_EVENTS ended with status TIMED_OUT", "no data for the ingress info"]);
  });

  it("an analyzer that throws becomes a finding, the others still run", () => {
    const broken = { name: "broken", analyze: () => { throw new Error("boom"); } };
    const analysis = runAnalyzers(evidenceOf([], [issue("AUTH_STALE", "stale API key")]), [broken, analyzeAlertIssues]);
    expect(analysis.findings.map((x) => x.text)).toEqual(["the broken check failed on this output: boom", "CRITICAL: stale API key"]);
    expect(analysis.candidates[0]?.key).toBe("api-key");
  });
});

describe("a stale API key names whose key it is", () => {
  it.each([
    ["The application payments-api is using a stale API key: last rotated 190 days ago", /^The API key of application payments-api is stale \(190 days old\)/],
    ["The agent is using a stale API key: last rotated 187 days ago (policy: 180 days)", /^The API key of the cluster's agent is stale \(187 days old\)/],
  ])("%s", (text, cause) => {
    const { candidates } = analyzeAlertIssues.analyze({ issues: [{ type: "AUTH_STALE", severity: "WARNING", text, pod: null, source: "alert" }], results: [] });
    expect(candidates[0]?.cause).toMatch(cause);
    expect(candidates[0]?.cause).not.toMatch(/health check uses/);
  });
});

describe("analyzeNetworkPolicies", () => {
  const listing = (ports: string) =>
    `# kubectl get networkpolicy -n conductor\nNAME                    POD-SELECTOR   AGE\nallow-ingress           app=conductor  211d\negress-baseline         <none>         2h3m\n\n# kubectl get networkpolicy egress-baseline -n conductor -o yaml (spec)\nspec:\n  podSelector: {}\n  policyTypes:\n  - Egress\n  egress:\n  - ports:\n${ports}\n`;
  const dns = [{ type: "DNS_HEALTHY" as const, severity: "CRITICAL" as const, text: "DNS resolution has failed", pod: null, source: "alert" as const }];
  it("a recent egress policy that allows no port 53 cuts pods off DNS", async () => {
    const { analyzeNetworkPolicies } = await import("../../src/rules/judge/analyzers/analyze-network-policies.ts");
    const { candidates } = analyzeNetworkPolicies.analyze({ issues: dns, results: evidenceOfText(listing("    - {protocol: TCP, port: 5432}")) });
    expect(candidates).toEqual([expect.objectContaining({ key: "netpol-egress", cause: expect.stringMatching(/^NetworkPolicy egress-baseline \(created 2h3m ago\) restricts egress/) })]);
  });
  it("one that allows port 53 is no cause", async () => {
    const { analyzeNetworkPolicies } = await import("../../src/rules/judge/analyzers/analyze-network-policies.ts");
    expect(analyzeNetworkPolicies.analyze({ issues: dns, results: evidenceOfText(listing("    - {protocol: UDP, port: 53}")) }).candidates).toEqual([]);
  });
});

function evidenceOfText(text: string) {
  return [{ callId: "c1", tool: "get_ingress_info", input: {}, status: "ok" as const, data: text, text, output: text }];
}

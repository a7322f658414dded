import { describe, expect, it } from "vitest";
import { analyzeCertificates } from "../../src/rules/judge/analyzers/analyze-certificates.ts";
import { analyzeControllerLogs } from "../../src/rules/judge/analyzers/analyze-controller-logs.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const ALERT = [issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "The SSL certificate of api.northwind.example expires in less than 7 days", "WARNING")];

const ingress = (name: string, host: string, secret: string, annotations: Record<string, string> = {}) => ({ kind: "Ingress", metadata: { name, annotations }, spec: { tls: [{ hosts: [host], secretName: secret }] } });
const certificate = (name: string, host: string, ready: "True" | "False", message = "") => ({
  kind: "Certificate",
  metadata: { name },
  spec: { secretName: name, dnsNames: [host] },
  status: { conditions: [{ type: "Ready", status: ready, ...(message ? { message } : {}) }] },
});

/** The alerted host serves a Secret no Certificate writes; another host's Certificate fails. */
const LISTING = {
  kind: "List",
  items: [
    ingress("api", "api.northwind.example", "northwind-star-2025"),
    ingress("status", "status.northwind.example", "status-northwind-tls", { "cert-manager.io/cluster-issuer": "acme" }),
    certificate("status-northwind-tls", "status.northwind.example", "False", "Issuing certificate as Secret does not exist"),
  ],
};

describe("a certificate no cert-manager Certificate covers is managed by hand", () => {
  it("names the Secret the alerted host serves as not renewed by anything, and leaves another host's failing Certificate out", () => {
    const { candidates } = analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data: LISTING }], ALERT));
    expect(candidates.map((c) => c.cause)).toEqual([
      "The certificate of api.northwind.example is managed by hand: its Secret northwind-star-2025 is written by no cert-manager Certificate and its Ingress has no cert-manager issuer annotation, so nothing renews it automatically",
    ]);
  });

  it("says nothing of the kind when a Certificate writes that Secret, and keeps its failure", () => {
    const managed = { kind: "List", items: [ingress("api", "api.northwind.example", "northwind-star-2025"), { ...certificate("northwind-star-2025", "api.northwind.example", "False", "Issuing certificate as Secret does not exist") }] };
    const causes = analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data: managed }], ALERT)).candidates.map((c) => c.cause);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toContain("cert-manager cannot renew certificate northwind-star-2025");
  });

  it("says nothing when the listing shows no Certificates at all (they may simply not be listed)", () => {
    const bare = { kind: "List", items: [ingress("api", "api.northwind.example", "northwind-star-2025")] };
    expect(analyzeCertificates.analyze(evidenceOf([{ tool: "get_ingress_info", data: bare }], ALERT)).candidates).toEqual([]);
  });

  it("a cert-manager challenge error about another host's dnsName is not the alerted certificate's cause", () => {
    const line = (host: string) => `{"level":"error","logger":"cert-manager.challenges","msg":"propagation check failed","dnsName":"${host}","type":"HTTP-01","error":"wrong status code '404', expected '200'"}`;
    const other = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "cert-manager-6d9b7c5f48-zr8pk" }, data: `${line("status.northwind.example")}\n` }], ALERT));
    expect(other.candidates).toEqual([]);
    const ours = analyzeControllerLogs.analyze(evidenceOf([{ tool: "pull_pod_logs", input: { pod: "cert-manager-6d9b7c5f48-zr8pk" }, data: `${line("api.northwind.example")}\n` }], ALERT));
    expect(ours.candidates.map((c) => c.key)).toEqual(["certificate"]);
  });
});

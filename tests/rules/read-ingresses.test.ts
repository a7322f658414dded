import { describe, expect, it } from "vitest";
import { extractCertificates } from "../../src/rules/read/read-certificates.ts";
import { extractIngresses } from "../../src/rules/read/read-ingresses.ts";

describe("extractIngresses", () => {
  it("IngressList JSON: hosts from rules, address from status.loadBalancer, class, TLS, backend service", () => {
    const data = {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressList",
      items: [
        {
          metadata: { name: "shop", namespace: "web", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
          spec: { ingressClassName: "nginx", tls: [{ hosts: ["shop.example.com"], secretName: "shop-tls" }], rules: [{ host: "shop.example.com", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "shop-web", port: { number: 80 } } } }] } }] },
          status: { loadBalancer: { ingress: [{ hostname: "k8s-web-shop-1a2b.elb.amazonaws.com" }] } },
        },
        { metadata: { name: "admin", namespace: "web" }, spec: { rules: [{ host: "admin.example.com" }] }, status: { loadBalancer: {} } },
      ],
    };
    expect(extractIngresses(data, "")).toMatchObject([
      { name: "shop", namespace: "web", hosts: ["shop.example.com"], address: "k8s-web-shop-1a2b.elb.amazonaws.com", className: "nginx", tls: true, service: "shop-web" },
      { name: "admin", hosts: ["admin.example.com"], address: null, tls: null },
    ]);
  });

  it.each([
    ["an `ingress` name and an `lb` address", { ingress: "flows", host: "flows.example.org", lb: "34.87.121.40", tls: true }, "flows", "34.87.121.40"],
    ["a `loadBalancer.ip`", { items: [{ name: "wf", rules: [{ host: "wf.example.eu", backend: "wf-server:8080" }], loadBalancer: { ip: "20.86.177.14" } }] }, "wf", "20.86.177.14"],
    ["an empty address string", [{ name: "grafana", host: "grafana.internal", address: "" }], "grafana", null],
    ["a <pending> address", [{ name: "api", hosts: "api.example.io", address: "<pending>" }], "api", null],
  ])("simplified JSON with %s", (_label, data, name, address) => {
    expect(extractIngresses(data, "")[0]).toMatchObject({ name, address });
  });

  it("kubectl get ingress -A: ADDRESS set or empty, CLASS, PORTS; other tables in the same output are not ingresses", () => {
    const text = `$ kubectl get ingress -A
NAMESPACE   NAME        CLASS   HOSTS                    ADDRESS                                     PORTS     AGE
web         shop        alb     shop.example.com                                                     80, 443   2d
web         admin       nginx   admin.example.com        a3f9c1e27b5d-11904.eu-west-1.elb.amazonaws.com   80        212d

$ kubectl get certificate -n web
NAME                                   READY   SECRET     AGE
certificate.cert-manager.io/shop-tls   False   shop-tls   2d
`;
    expect(extractIngresses(undefined, text)).toMatchObject([
      { name: "shop", namespace: "web", hosts: ["shop.example.com"], address: null, className: "alb", tls: true },
      { name: "admin", address: "a3f9c1e27b5d-11904.eu-west-1.elb.amazonaws.com", className: "nginx", tls: false },
    ]);
  });

  it("nothing readable is no ingress", () => {
    expect(extractIngresses({ items: [] }, "")).toEqual([]);
    expect(extractIngresses(undefined, "No resources found in web namespace.")).toEqual([]);
    expect(extractIngresses(7, undefined as unknown as string)).toEqual([]);
  });
});

describe("extractCertificates", () => {
  it("cert-manager Certificate JSON: Ready condition, failure message, attempts, expiry, issuer", () => {
    const data = {
      kind: "CertificateList",
      items: [
        {
          kind: "Certificate",
          metadata: { name: "shop-tls" },
          spec: { issuerRef: { name: "letsencrypt-prod", kind: "ClusterIssuer" } },
          status: { conditions: [{ type: "Ready", status: "False", message: "Issuing certificate as Secret will expire in 4 days" }], notAfter: "2025-03-01T10:00:00Z", renewalTime: "2025-01-30T10:00:00Z", failedIssuanceAttempts: 11, lastFailureMessage: "Failed to finalize Order: 429 urn:ietf:params:acme:error:rateLimited" },
        },
      ],
    };
    expect(extractCertificates(data, "")).toEqual([
      { name: "shop-tls", ready: false, failure: "Failed to finalize Order: 429 urn:ietf:params:acme:error:rateLimited", failedAttempts: 11, notAfter: "2025-03-01T10:00:00Z", renewalTime: "2025-01-30T10:00:00Z", issuer: "letsencrypt-prod" },
    ]);
  });

  it("kubectl get certificate text with kind-prefixed names and describe lines", () => {
    const text = `NAME                                   READY   SECRET     AGE
certificate.cert-manager.io/shop-tls   False   shop-tls   2d

Status:
  Reason:   Waiting for DNS-01 challenge propagation: failed to change Route 53 record set: AccessDenied
Not After:               2025-03-01T10:00:00Z
`;
    expect(extractCertificates(undefined, text)).toMatchObject([
      { name: "shop-tls", ready: false, failure: "Waiting for DNS-01 challenge propagation: failed to change Route 53 record set: AccessDenied", notAfter: "2025-03-01T10:00:00Z" },
    ]);
  });
});

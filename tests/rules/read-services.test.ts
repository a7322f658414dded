import { describe, expect, it } from "vitest";
import { extractServices } from "../../src/rules/read/read-services.ts";
import { extractIngresses } from "../../src/rules/read/read-ingresses.ts";

describe("extractServices", () => {
  it("reads a ServiceList and simplified {name, ports}, never a container's containerPort list", () => {
    const list = {
      kind: "ServiceList",
      items: [{ kind: "Service", metadata: { name: "api" }, spec: { ports: [{ name: "web", port: 80, targetPort: 8080 }] } }],
      deployments: [{ name: "api", containers: [{ name: "api", ports: [{ containerPort: 8080, name: "http" }] }] }],
    };
    expect(extractServices(list, "")).toEqual([{ name: "api", ports: [{ name: "web", port: 80, targetPort: "8080" }] }]);
    expect(extractServices({ services: [{ name: "ui", ports: [{ port: 5000 }] }] }, "")).toEqual([{ name: "ui", ports: [{ name: null, port: 5000, targetPort: null }] }]);
  });

  it("reads YAML-like text, block and flow style, and stops at the next service", () => {
    const text = [
      "# services",
      "- name: orders-api",
      "  type: ClusterIP",
      "  ports:",
      "  - name: http-api",
      "    port: 8080",
      "    targetPort: 8080",
      "  - name: grpc-api",
      "    port: 8090",
      "- name: orders-ui",
      "  ports:",
      "  - {name: http, port: 5000}",
    ].join("\n");
    expect(extractServices(text, text)).toEqual([
      { name: "orders-api", ports: [{ name: "http-api", port: 8080, targetPort: "8080" }, { name: "grpc-api", port: 8090, targetPort: null }] },
      { name: "orders-ui", ports: [{ name: "http", port: 5000, targetPort: null }] },
    ]);
  });

  it("reads kubectl describe service", () => {
    const text = "Name:              orders-api\nNamespace:         shop\nSelector:          app=orders\nType:              ClusterIP\nPort:              http-api  8080/TCP\nTargetPort:        8080/TCP\nEndpoints:         10.0.0.4:8080\n";
    expect(extractServices(text, text)).toEqual([{ name: "orders-api", ports: [{ name: "http-api", port: 8080, targetPort: null }] }]);
  });

  it("nothing from odd input", () => {
    expect(extractServices(null, "")).toEqual([]);
    expect(extractServices({ name: "x", ports: "8080" }, "name: x\nports:\n")).toEqual([]);
  });
});

describe("ingress backends", () => {
  it("each path's Service and the port it names, from JSON (name or number) and from describe text", () => {
    const json = {
      kind: "Ingress",
      metadata: { name: "shop" },
      spec: { rules: [{ host: "shop.example", http: { paths: [{ path: "/api", backend: { service: { name: "orders-api", port: { name: "http" } } } }, { path: "/", backend: { service: { name: "orders-ui", port: { number: 5000 } } } }] } }] },
    };
    expect(extractIngresses(json, "")[0]?.backends).toEqual([
      { path: "/api", service: "orders-api", port: "http", endpoints: null },
      { path: "/", service: "orders-ui", port: "5000", endpoints: null },
    ]);
    const text = "Name:             shop\nAddress:          lb.example\nRules:\n  Host          Path  Backends\n  ----          ----  --------\n  shop.example\n                /api   orders-api:http (<none>)\n                /      orders-ui:5000 (10.0.0.9:5000)\n";
    expect(extractIngresses(text, text)[0]?.backends).toEqual([
      { path: "/api", service: "orders-api", port: "http", endpoints: 0 },
      { path: "/", service: "orders-ui", port: "5000", endpoints: 1 },
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { extractEvents } from "../../src/rules/read/read-events.ts";
import { extractIncident } from "../../src/rules/read/read-incident.ts";
import { extractIngresses } from "../../src/rules/read/read-ingresses.ts";
import { findMetric } from "../../src/rules/read/read-metrics.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import { extractUsage, parseCpu, parseMemory } from "../../src/rules/read/read-usage.ts";
import { parseTables } from "../../src/rules/read/parse-table.ts";
import { summarizeLogs, toTemplate } from "../../src/rules/read/read-logs.ts";
import { parseAge, parseNested, toNumber } from "../../src/rules/read/walk-json.ts";
import * as f from "./fixtures.ts";

describe("parseAge", () => {
  it.each([
    ["45s", 45],
    ["3m", 180],
    ["6d1h", 522000],
    ["2m (x25 over 7m)", 120],
    ["212d", 18316800],
    ["2024-11-18T10:43:02Z", null],
    ["<unknown>", null],
    [undefined, null],
  ])("reads %j as %j", (input, expected) => expect(parseAge(input)).toBe(expected));
});

describe("toNumber / parseNested", () => {
  it.each([
    [48000, 48000],
    ["48,000", 48000],
    ["71%", 71],
    ["5 (2m ago)", 5],
    ["48k", 48000],
    ["n/a", null],
    [null, null],
  ])("reads %j as %j", (input, expected) => expect(toNumber(input)).toBe(expected));

  it("unwraps JSON hidden in strings", () => {
    expect(parseNested('{"pods":"[{\\"name\\":\\"a\\"}]"}')).toEqual({ pods: [{ name: "a" }] });
    expect(parseNested("plain {text")).toBe("plain {text");
  });
});

describe("parseTables", () => {
  it("keeps an empty cell empty by cutting at the header's offsets", () => {
    expect(parseTables(f.INGRESS_TEXT_NO_ADDRESS)[0]).toMatchObject({ name: "conductor-ingress", hosts: "acme-eu-1.orkesconductor.io", address: "", ports: "80, 443" });
  });

  it("lets the last column keep spaces and reads a two-word header", () => {
    const [row] = parseTables(f.EVENTS_TEXT_SCHEDULING);
    expect(row).toMatchObject({ lastseen: "3m", reason: "FailedScheduling", message: expect.stringContaining("3 Insufficient memory") });
  });

  it("ignores prose that is not a table", () => {
    expect(parseTables("Starting the agent\nAll good here.\n")).toEqual([]);
  });
});

describe("extractPods", () => {
  it("reads kubectl JSON: restarts and last-state reason from container statuses, not the conditions", () => {
    const [server, workers] = extractPods(f.PODS_JSON_KUBECTL, "");
    expect(server).toMatchObject({ name: "conductor-server-7d9f8-abcde", status: "Running", restarts: 4, lastReasons: ["OOMKilled"], exitCodes: [137], node: "ip-10-0-1-12" });
    expect(server?.reasons).not.toContain("PodCompleted");
    expect(workers).toMatchObject({ name: "conductor-workers-5c4b-xyz12", restarts: 0, lastReasons: [] });
  });

  it("reads a simplified JSON list with snake_case keys", () => {
    const pods = extractPods(f.PODS_JSON_SIMPLE, "");
    expect(pods.map((p) => p.name)).toEqual(["conductor-server-0", "conductor-workers-1", "prometheus-server-0"]);
    expect(pods[1]).toMatchObject({ status: "CrashLoopBackOff", restarts: 12, lastReasons: ["Error"] });
  });

  it("reads a kubectl table, restarts like `2 (4h ago)` included", () => {
    const pods = extractPods(undefined, f.PODS_TEXT);
    expect(pods).toHaveLength(4);
    expect(pods.find((p) => p.name === "prometheus-server-0")).toMatchObject({ status: "ImagePullBackOff", ready: "1/2", reasons: ["ImagePullBackOff"] });
    expect(pods.find((p) => p.name === "redis-master-0")?.restarts).toBe(2);
  });

  it("finds nothing in text without a pod table", () => {
    expect(extractPods(undefined, "agent error: forbidden")).toEqual([]);
  });
});

describe("extractEvents", () => {
  it("reads JSON events with counts and involved objects", () => {
    const events = extractEvents(f.EVENTS_JSON_OOM, "");
    expect(events.find((e) => e.reason === "OOMKilling")).toMatchObject({ count: 4, object: "conductor-server-7d9f8-abcde", type: "Warning" });
  });

  it("reads a kubectl events table", () => {
    expect(extractEvents(undefined, f.EVENTS_TEXT_IMAGE).map((e) => e.reason)).toEqual(["Scheduled", "Failed", "ImagePullBackOff"]);
  });

  it("falls back to lines that name a known reason", () => {
    const events = extractEvents(undefined, "Warning  OOMKilled  container conductor was killed\nsomething else");
    expect(events).toHaveLength(1);
    expect(events[0]?.reason).toBe("OOMKilled");
  });
});

describe("extractIngresses", () => {
  it.each([
    ["kubectl JSON without a load balancer", f.INGRESS_JSON_NO_ADDRESS, "", null],
    ["simplified JSON with an address", f.INGRESS_JSON_WITH_ADDRESS, "", "k8s-orkes-abc123.eu-west-1.elb.amazonaws.com"],
    ["a table with an empty ADDRESS", undefined, f.INGRESS_TEXT_NO_ADDRESS, null],
    ["a table with an address", undefined, f.INGRESS_TEXT_WITH_ADDRESS, "34.120.18.77"],
  ])("reads %s", (_label, data, text, address) => {
    const [ingress] = extractIngresses(data, text);
    expect(ingress).toMatchObject({ name: "conductor-ingress", hosts: ["acme-eu-1.orkesconductor.io"], address });
  });

  it("reads describe output", () => {
    const text = "Name:             conductor-ingress\nNamespace:        orkes\nAddress:          \nRules:\n  Host                         Path  Backends\n  acme.orkesconductor.io       /     conductor-server:8080\n";
    expect(extractIngresses(undefined, text)).toEqual([{ name: "conductor-ingress", hosts: ["acme.orkesconductor.io"], address: null, service: "conductor-server", endpoints: null, selector: null, namespace: "orkes", className: null, tls: null, backends: [{ path: "/", service: "conductor-server", port: "8080", endpoints: null }] }]);
  });

  it.each([
    ["no endpoints", "conductor-server:8080 (<none>)", 0],
    ["a missing Endpoints object", 'conductor-server:8080 (<error: endpoints "conductor-server" not found>)', 0],
    ["two endpoints", "conductor-server:8080 (10.0.2.11:8080,10.0.3.12:8080)", 2],
  ])("reads describe backends with %s", (_label, backend, endpoints) => {
    const text = `Name:             conductor-ingress\nAddress:          34.120.18.77\nRules:\n  Host                         Path  Backends\n  acme.orkesconductor.io       /     ${backend}\n`;
    expect(extractIngresses(undefined, text)[0]).toMatchObject({ service: "conductor-server", endpoints, address: "34.120.18.77" });
  });

  it("reads a JSON backend's endpoints and Service selector; a cert-manager Certificate beside it is not an ingress", () => {
    const data = {
      ingresses: [{ name: "conductor", host: "a.example", address: "203.0.113.7", backend: { service: "conductor-server" }, serviceSelector: { app: "conductor-server" }, endpoints: [] }],
      certificates: [{ name: "a-tls", ready: false, status: "Issuing", lastFailure: "boom" }],
    };
    expect(extractIngresses(data, "")).toEqual([{ name: "conductor", hosts: ["a.example"], address: "203.0.113.7", service: "conductor-server", endpoints: 0, selector: { app: "conductor-server" }, namespace: null, className: null, tls: null, backends: [{ path: null, service: "conductor-server", port: null, endpoints: null }] }]);
  });
});

describe("findMetric", () => {
  it("finds a key, a name/value pair (not its threshold), or a text line", () => {
    expect(findMetric(f.CLUSTER_DATA_BACKLOG, "", /decider/)).toBe(48000);
    expect(findMetric(f.CLUSTER_METRICS_PAIRS, "", /decider/)).toBe(2400);
    expect(findMetric(undefined, f.CLUSTER_METRICS_TEXT, /decider/)).toBe(520);
    expect(findMetric(undefined, f.CLUSTER_METRICS_TEXT, /indexer/)).toBe(12000);
    expect(findMetric({ a: 1 }, "nothing", /decider/)).toBeNull();
  });
});

describe("extractUsage", () => {
  it("reads kubectl top pods and units", () => {
    expect(extractUsage(undefined, f.TOP_PODS_TEXT)[0]).toMatchObject({ name: "conductor-server-7d9f8-abcde", cpuMillis: 1850, memoryBytes: 3200 * 2 ** 20 });
    expect(parseCpu("2")).toBe(2000);
    expect(parseMemory("2Gi")).toBe(2 * 2 ** 30);
  });

  it("reads the process table of top", () => {
    expect(extractUsage(undefined, f.TOP_PROCESS_TEXT)[0]).toMatchObject({ name: expect.stringContaining("java"), cpuPercent: 385.2 });
  });
});

describe("extractIncident", () => {
  it("reads issues, cluster and status from the tool's data", () => {
    const facts = extractIncident(f.incident([{ severity: "CRITICAL", description: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" }]), "");
    expect(facts).toMatchObject({ clusterName: "acme-eu-1", status: "FAILED", issues: [{ severity: "CRITICAL", text: expect.stringContaining("Redis instance") }] });
  });

  it("reads issue lines from text", () => {
    const facts = extractIncident(undefined, "Issues (1):\n- MAJOR: Pod conductor-server-0 has been restarted 3 times - conductor-server-0\n");
    expect(facts.issues).toEqual([{ severity: "MAJOR", text: "Pod conductor-server-0 has been restarted 3 times - conductor-server-0" }]);
  });
});

describe("summarizeLogs", () => {
  it("counts exception classes once per line and keeps Caused-by roots", () => {
    const summary = summarizeLogs(f.LOGS_JEDIS);
    expect(summary.exceptions.find((e) => e.name === "redis.clients.jedis.exceptions.JedisConnectionException")).toMatchObject({ count: 25, asCause: 25 });
    expect(summary.exceptions.find((e) => e.name.endsWith("TransientException"))?.root).toBe("redis.clients.jedis.exceptions.JedisConnectionException");
    expect(summary.errorLines).toBe(25);
  });

  it("drops nothing by keyword: an exception class only named in 300 messages is a mention, not a thrown exception", () => {
    const summary = summarizeLogs(f.LOGS_DEPRECATION_HERRING);
    expect(summary.errorLines).toBe(330);
    expect(summary.noiseLines).toBe(0);
    expect(summary.belowWarnLines).toBe(0);
    expect(summary.exceptions[0]).toMatchObject({ name: "redis.clients.jedis.exceptions.JedisConnectionException", count: 30 });
    expect(summary.mentions[0]).toMatchObject({ name: "com.netflix.conductor.core.exception.DeprecatedApiUsageException", count: 300 });
    expect(summary.errors[0]?.count).toBe(300);
  });

  it("groups repeats of one message by template", () => {
    expect(toTemplate("2026-11-23T10:00:01Z WARN  [pool-3] c.n.Dao - Slow query took 1234 ms")).toBe("Slow query took # ms");
    expect(summarizeLogs(f.LOGS_SLOW_QUERY_WARNINGS).warns[0]?.count).toBe(400);
  });
});

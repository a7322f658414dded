import { describe, expect, it } from "vitest";
import { matchKnownIssues, parseKnownIssues, SHIPPED_KNOWN_ISSUES, type KnownIssuesFile } from "../../src/known-issues/index.ts";
import { findImages, inRange } from "../../src/known-issues/match-known-issues.ts";

const table = (issues: unknown[]): KnownIssuesFile => parseKnownIssues({ version: 1, updated: "2026-12-01", issues });
const issue = (id: string, match: Record<string, unknown>) => ({ id, title: `title ${id}`, match, advice: `advice ${id}`, link: "https://example.org/kb" });
const deployments = (image: string) => ({ tool: "get_deployments_info", status: "ok", text: "", data: { items: [{ spec: { template: { spec: { containers: [{ image }] } } } }] } });
const logs = (pod: string, text: string) => ({ tool: "pull_pod_logs", input: { podName: pod }, status: "ok", text });

describe("version matcher", () => {
  const versions = table([issue("old-server", { image: "conductor-server", versions: ">=5.2.0 <5.2.7" })]);

  it("matches an image of the named repository inside the range, citing the call and the image", () => {
    const [match, ...rest] = matchKnownIssues({ results: [deployments("registry.example:5000/orkesio/orkes-conductor-server:5.2.4")] }, versions);
    expect(rest).toEqual([]);
    expect(match?.id).toBe("old-server");
    expect(match?.evidence).toEqual([{ call: "get_deployments_info", excerpt: "registry.example:5000/orkesio/orkes-conductor-server:5.2.4" }]);
    expect(match?.tool).toBe("get_deployments_info");
  });

  it("does not match outside the range, another repository, or a failed call", () => {
    expect(matchKnownIssues({ results: [deployments("orkesio/orkes-conductor-server:5.2.7")] }, versions)).toEqual([]);
    expect(matchKnownIssues({ results: [deployments("orkesio/payment-worker:5.2.4")] }, versions)).toEqual([]);
    expect(matchKnownIssues({ results: [{ ...deployments("orkesio/orkes-conductor-server:5.2.4"), status: "error" }] }, versions)).toEqual([]);
  });

  it("reads images from kubectl text as well as JSON", () => {
    const text = "NAME              READY   IMAGES\nconductor-server  2/2     orkesio/orkes-conductor-server:v5.2.1";
    expect(findImages([{ call: "get_deployments_info", text }], "conductor-server").map((i) => i.version)).toEqual([[5, 2, 1]]);
  });

  it("compares versions numerically, missing parts as zero", () => {
    expect(inRange([5, 10, 0], ">5.9")).toBe(true);
    expect(inRange([5, 2], "=5.2.0")).toBe(true);
    expect(inRange([4, 9, 9], "<5.0.0")).toBe(true);
    expect(inRange([5, 0, 0], "<5.0.0")).toBe(false);
    expect(inRange([5, 2, 3], ">=5.2.0 <=5.2.3")).toBe(true);
  });
});

describe("log signature matcher", () => {
  const signatures = table([issue("pool", { log: "Could not get a resource from the pool" })]);

  it("matches a line in any call's output, case-insensitively, citing the pod and the line", () => {
    const text = "INFO started\n2026-12-01 ERROR redis.clients.jedis.exceptions.JedisConnectionException: could not get a resource from the pool\nINFO done";
    const [match] = matchKnownIssues({ results: [logs("conductor-server-0", text)] }, signatures);
    expect(match?.evidence).toEqual([
      { call: "pull_pod_logs(conductor-server-0)", excerpt: "2026-12-01 ERROR redis.clients.jedis.exceptions.JedisConnectionException: could not get a resource from the pool" },
    ]);
    expect(match?.text).toContain("Known issue pool: title pool");
  });

  it("does not match when no line has the signature", () => {
    expect(matchKnownIssues({ results: [logs("p", "ERROR something else")] }, signatures)).toEqual([]);
  });
});

describe("version and log together", () => {
  const both = table([issue("worker-token", { image: "worker", versions: "<2.0.0", log: "EXPIRED_TOKEN" })]);

  it("needs both conditions and cites both", () => {
    const image = deployments("acme/payment-worker:1.4.2");
    const line = logs("payment-worker-1", "WARN poll failed: EXPIRED_TOKEN");
    expect(matchKnownIssues({ results: [image, line] }, both)[0]?.evidence.map((e) => e.call)).toEqual(["get_deployments_info", "pull_pod_logs(payment-worker-1)"]);
    expect(matchKnownIssues({ results: [image] }, both)).toEqual([]);
    expect(matchKnownIssues({ results: [deployments("acme/payment-worker:2.1.0"), line] }, both)).toEqual([]);
  });
});

describe("the known-issues table", () => {
  it("ships valid, with every shipped entry marked as an example", () => {
    expect(SHIPPED_KNOWN_ISSUES.issues.length).toBeGreaterThanOrEqual(3);
    expect(SHIPPED_KNOWN_ISSUES.issues.every((i) => i.example)).toBe(true);
  });

  it("finds the Elasticsearch flood-stage example in a real scenario's logs", () => {
    const text = "ERROR ElasticsearchStatusException: Elasticsearch exception [type=cluster_block_exception, reason=index [conductor_task] blocked]";
    expect(matchKnownIssues({ results: [logs("conductor-server-0", text)] }).map((m) => m.id)).toEqual(["example-elasticsearch-flood-stage"]);
  });

  it("refuses a bad table with every problem and its path", () => {
    expect(() => table([issue("a", { log: "(" }), issue("b", { image: "x" }), issue("c", {})])).toThrow(
      /issues\.0\.match\.log: must be a valid regular expression[\s\S]*issues\.1\.match: image and versions go together[\s\S]*issues\.2\.match: match needs/,
    );
    expect(() => table([issue("a", { log: "x" }), issue("a", { log: "y" })])).toThrow(/ids must be unique/);
    expect(() => parseKnownIssues({ version: 2, updated: "2026-12-01", issues: [] })).toThrow(/version/);
  });
});

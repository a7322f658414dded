import { describe, expect, it } from "vitest";
import { describeIncident, incidentSignature, normaliseIssueText, parseAlert } from "../../src/alerts/index.ts";
import type { Alert, AlertIssue } from "../../src/alerts/types.ts";

const redis = (pct: number): AlertIssue => ({
  severity: "CRITICAL",
  type: "REDIS_CRITICAL_USAGE",
  text: `The Redis instance is at ${pct}%, above the CRITICAL threshold of 65%`,
});
const podDown = (pod: string): AlertIssue => ({ severity: "MAJOR", type: "POD_NOT_RUNNING", text: `Pod is not Running - ${pod}`, pod });
const base = { organization: "Acme", cluster: "acme-eu-1" };

function parseOrThrow(text: string): Alert {
  const result = parseAlert(text);
  if (!result.isAlert) throw new Error(result.reason);
  return result.alert;
}

function alertText(cluster: string, executionId: string, issueLines: string[]): string {
  return [
    `🚨 *\`[CRITICAL]\`* The health-checking has FAILED for the _Acme's_ prod *\`${cluster}\`* cluster with the following ${issueLines.length} issues:`,
    ...issueLines,
    `https://cp.orkes.example/execution/${executionId}`,
  ].join("\n");
}

describe("incidentSignature", () => {
  it("is 16 hex characters", () => {
    expect(incidentSignature({ ...base, issues: [redis(71)] })).toMatch(/^[0-9a-f]{16}$/);
  });

  it("is the same when numbers and pod hashes change", () => {
    const first = incidentSignature({ ...base, issues: [redis(71), podDown("conductor-server-7d9f8b6c5-x2kqp")] });
    const second = incidentSignature({ ...base, issues: [redis(84), podDown("conductor-server-6c4b9d8f7-q8wzn")] });
    expect(second).toBe(first);
  });

  it("ignores issue order and letter case of names", () => {
    const first = incidentSignature({ ...base, issues: [redis(71), podDown("workers-0")] });
    const second = incidentSignature({ organization: "ACME", cluster: "Acme-EU-1", issues: [podDown("workers-1"), redis(70)] });
    expect(second).toBe(first);
  });

  it("differs by cluster, organization and issue type", () => {
    const reference = incidentSignature({ ...base, issues: [redis(71)] });
    expect(incidentSignature({ ...base, cluster: "acme-eu-2", issues: [redis(71)] })).not.toBe(reference);
    expect(incidentSignature({ ...base, organization: "Globex", issues: [redis(71)] })).not.toBe(reference);
    expect(incidentSignature({ ...base, issues: [{ ...redis(71), type: "REDIS_HIGH_USAGE" }] })).not.toBe(reference);
    expect(incidentSignature({ ...base, issues: [redis(71), podDown("workers-0")] })).not.toBe(reference);
  });

  it("differs between different deployments' pods", () => {
    const server = incidentSignature({ ...base, issues: [podDown("conductor-server-7d9f8b6c5-x2kqp")] });
    const workers = incidentSignature({ ...base, issues: [podDown("conductor-workers-7d9f8b6c5-x2kqp")] });
    expect(workers).not.toBe(server);
  });

  it("is stable across two parsed repeats of one incident (new execution, numbers, pod)", () => {
    const first = parseOrThrow(
      alertText("acme-eu-1", "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002", [
        "*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%",
        "*MAJOR:* Pod has been restarted 3 times - conductor-server-7d9f8b6c5-x2kqp",
      ]),
    );
    const repeat = parseOrThrow(
      alertText("acme-eu-1", "4f3e2d1c-9a8b-47c6-b5d4-e3f2a1b0c9d8", [
        "*MAJOR:* Pod has been restarted 7 times - conductor-server-5c8d7f9b4-m4nz6",
        "*CRITICAL:* The Redis instance is at 92%, above the CRITICAL threshold of 65%",
      ]),
    );
    const elsewhere = parseOrThrow(
      alertText("acme-us-1", "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002", [
        "*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%",
        "*MAJOR:* Pod has been restarted 3 times - conductor-server-7d9f8b6c5-x2kqp",
      ]),
    );
    expect(repeat.signature).toBe(first.signature);
    expect(elsewhere.signature).not.toBe(first.signature);
  });
});

describe("normaliseIssueText", () => {
  it.each([
    ["Pod is not Running - conductor-server-7d9f8b6c5-x2kqp", "pod is not running - conductor-server"],
    ["Pod is not Running - node-exporter-x2kq9", "pod is not running - node-exporter"],
    ["Pod is not Running - conductor-proxy", "pod is not running - conductor-proxy"],
    ["Restarted at 2026-11-03T10:42:05Z, 3 times", "restarted at <time>, # times"],
    ["Execution 8B1C2D3E-0F4A-11F1-9C2E-0242AC120002 stuck", "execution <id> stuck"],
    ["Trace id 5f2c9a0e7b3d41c8 in logs", "trace id <id> in logs"],
    ["Heap   at 91.5% of 4,096 MB", "heap at #% of # mb"],
  ])("%s → %s", (text, expected) => {
    expect(normaliseIssueText(text)).toBe(expected);
  });

  it("describeIncident lists organization, cluster and sorted issues", () => {
    expect(describeIncident({ organization: null, cluster: "acme-eu-1", issues: [podDown("redis-0"), redis(71)] })).toBe(
      "org=-\ncluster=acme-eu-1\nPOD_NOT_RUNNING pod is not running - redis-#\nREDIS_CRITICAL_USAGE the redis instance is at #%, above the critical threshold of #%",
    );
  });
});

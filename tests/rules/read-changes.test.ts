import { describe, expect, it } from "vitest";
import { extractChanges, resourceChangeOf } from "../../src/rules/read/read-changes.ts";
import { analyzeRecentChanges } from "../../src/rules/judge/analyzers/analyze-recent-changes.ts";
import { analyzeCrashErrors } from "../../src/rules/judge/analyzers/analyze-crash-errors.ts";
import { evidenceOf } from "./build-evidence.ts";

const HELM = [
  "REVISION  UPDATED                   STATUS      CHART           APP VERSION  DESCRIPTION",
  "8         Mon Feb  2 10:00:00 2026  superseded  billing-1.4.0   3.1.0        Upgrade complete",
  "9         Tue Feb 10 08:15:00 2026  deployed    billing-1.4.1   3.1.0        Upgrade complete: limits.memory 3Gi -> 1536Mi",
].join("\n");

describe("extractChanges", () => {
  it("reads a helm history table held in a JSON string field, the live revision's description verbatim", () => {
    const data = { helm: HELM, deployments: { items: [] } };
    expect(extractChanges(data, JSON.stringify(data))).toEqual([
      { workload: null, revision: "9", time: "Tue Feb 10 08:15:00 2026", description: "Upgrade complete: limits.memory 3Gi -> 1536Mi", version: "3.1.0", moved: "chart billing-1.4.0 → billing-1.4.1" },
    ]);
  });

  it("reads a rolloutHistory map keyed by workload, and a Deployment's change-cause with its previous image", () => {
    const data = {
      items: [{ kind: "Deployment", metadata: { name: "ledger-sync", annotations: { "kubernetes.io/change-cause": "bump to 2.0" } }, spec: { template: { spec: { containers: [{ image: "reg/ledger:2.0" }] } } } }],
      rolloutHistory: { "invoice-api": [{ revision: 3, cause: "image 1.1" }, { revision: 4, created: "2026-02-10T08:00:00Z", cause: "configmap invoice-flags changed" }] },
    };
    const changes = extractChanges(data, JSON.stringify(data));
    expect(changes).toContainEqual({ workload: "invoice-api", revision: "4", time: "2026-02-10T08:00:00Z", description: "configmap invoice-flags changed" });
    expect(changes.find((c) => c.workload === "ledger-sync")?.description).toBe("bump to 2.0");
  });
});

describe("resourceChangeOf", () => {
  it("reads old → new of a limit in either word order and says whether it went down", () => {
    expect(resourceChangeOf("resources.limits.cpu 2 -> 750m")).toEqual({ resource: "cpu", kind: "limit", from: "2", to: "750m", lowered: true });
    expect(resourceChangeOf("memory limit 1536Mi → 3Gi")).toMatchObject({ resource: "memory", from: "1536Mi", to: "3Gi", lowered: false });
    expect(resourceChangeOf("requests.cpu 1 to 250m")).toMatchObject({ kind: "request", lowered: true });
    expect(resourceChangeOf("Upgrade complete")).toBeNull();
  });
});

describe("analyzeRecentChanges", () => {
  it("a lowered CPU limit is the cause, naming the workload that now runs with the new value", () => {
    const deployments = { history: HELM.replace("limits.memory 3Gi -> 1536Mi", "limits.cpu 1500m -> 300m"), items: [{ kind: "Deployment", metadata: { name: "billing-api" }, spec: { template: { spec: { containers: [{ name: "api", image: "reg/billing:3.1.0", resources: { limits: { cpu: "300m" } } }] } } } }] };
    const { candidates } = analyzeRecentChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: deployments }]));
    expect(candidates).toHaveLength(1);
    expect(candidates[0]).toMatchObject({ key: "cpu-limit", weight: 0.8 });
    expect(candidates[0]?.cause).toMatch(/^The CPU limit of billing-api was lowered from 1500m to 300m \(revision 9 at Tue Feb 10 08:15:00 2026: "Upgrade complete: limits.cpu 1500m -> 300m"\): the container is CFS-throttled/);
  });

  it("a raised limit or a change that touches no limit is not a cause", () => {
    const raised = { history: HELM.replace("3Gi -> 1536Mi", "1536Mi -> 3Gi") };
    expect(analyzeRecentChanges.analyze(evidenceOf([{ tool: "get_deployments_info", data: raised }])).candidates).toEqual([]);
  });

  it("a crash-looping workload's cause names its latest recorded change", () => {
    const pods = "NAME                        READY   STATUS             RESTARTS   AGE\ninvoice-api-6d5c4b3a2-k8j7h   0/1     CrashLoopBackOff   5          9m\n";
    const logs = "level=error msg=\"cannot start: flag 'tax_v3' has no default\"\n";
    const deployments = { rolloutHistory: { "invoice-api": [{ revision: 4, created: "2026-02-10T08:00:00Z", cause: "configmap invoice-flags changed" }] } };
    const { candidates } = analyzeCrashErrors.analyze(evidenceOf([{ tool: "get_pods_data", data: pods }, { tool: "pull_pod_logs", input: { pod: "invoice-api-6d5c4b3a2-k8j7h" }, data: logs }, { tool: "get_deployments_info", data: deployments }]));
    expect(candidates[0]?.cause).toContain("\"cannot start: flag 'tax_v3' has no default\"");
    expect(candidates[0]?.cause).toContain("the workload's latest change: revision 4 at 2026-02-10T08:00:00Z \"configmap invoice-flags changed\"");
  });
});

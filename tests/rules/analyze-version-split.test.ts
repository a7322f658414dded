import { describe, expect, it } from "vitest";
import { analyzeVersionSplit } from "../../src/rules/judge/analyzers/analyze-version-split.ts";
import { evidenceOf } from "./build-evidence.ts";

const pod = (name: string, tag: string) => ({ metadata: { name }, spec: { containers: [{ name: "api", image: `registry.example/ledger-api:${tag}` }] }, status: { phase: "Running" } });
const PODS = { tool: "get_pods_data", data: { kind: "PodList", items: [pod("ledger-api-7d9f8c6b5-aa1bb", "3.1.0"), pod("ledger-api-7d9f8c6b5-cc2dd", "3.1.0"), pod("ledger-api-5c4b3a291-ee3ff", "3.0.4"), pod("ledger-api-5c4b3a291-gg4hh", "3.0.4")] } };
const series = (name: string, values: number[]) => ({ metric: { __name__: "jvm_memory_used_bytes", area: "heap", pod: name }, values: values.map((v, i) => [1795960800 + i * 21600, String(v)]) });
const metrics = (newer: number[], older: number[]) => ({
  tool: "get_cluster_metrics",
  data: { status: "success", data: { resultType: "matrix", result: [series("ledger-api-7d9f8c6b5-aa1bb", newer), series("ledger-api-7d9f8c6b5-cc2dd", newer.map((v) => v * 0.9)), series("ledger-api-5c4b3a291-ee3ff", older), series("ledger-api-5c4b3a291-gg4hh", older.map((v) => v * 1.05))] } },
});
const CLIMB = [900e6, 1500e6, 2200e6, 2900e6, 3600e6];
const FLAT = [2000e6, 1900e6, 2100e6, 1950e6, 2050e6];

describe("analyzeVersionSplit", () => {
  it("heap climbing on every pod of one version and flat on the other's is a leak in that version", () => {
    const { candidates, findings } = analyzeVersionSplit.analyze(evidenceOf([PODS, metrics(CLIMB, FLAT)]));
    expect(candidates).toEqual([expect.objectContaining({ key: "version-leak", fact: "heap climbs only on ledger-api's 3.1.0 pods", cause: expect.stringMatching(/^A heap leak in ledger-api version 3\.1\.0: heap climbs only on its 3\.1\.0 pods .* while the 3\.0\.4 pods of the same workload stay flat/) })]);
    expect(findings).toHaveLength(4);
  });

  it("all versions climbing (load) or none, or a single version, is no version split", () => {
    expect(analyzeVersionSplit.analyze(evidenceOf([PODS, metrics(CLIMB, CLIMB)])).candidates).toEqual([]);
    expect(analyzeVersionSplit.analyze(evidenceOf([PODS, metrics(FLAT, FLAT)])).candidates).toEqual([]);
    // A warm-up that rose and fell back is no climb.
    expect(analyzeVersionSplit.analyze(evidenceOf([PODS, metrics([900e6, 3600e6, 3500e6, 2000e6, 2400e6], FLAT)])).candidates).toEqual([]);
    const oneVersion = { tool: "get_pods_data", data: { items: PODS.data.items.map((p) => ({ ...p, spec: { containers: [{ name: "api", image: "registry.example/ledger-api:3.1.0" }] } })) } };
    expect(analyzeVersionSplit.analyze(evidenceOf([oneVersion, metrics(CLIMB, FLAT)])).candidates).toEqual([]);
  });
});

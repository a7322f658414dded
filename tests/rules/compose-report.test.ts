import { describe, expect, it } from "vitest";
import { reportSchema } from "../../src/report/schema.ts";
import { composeReport, rankCandidates } from "../../src/rules/compose/compose-report.ts";
import type { CauseCandidate } from "../../src/rules/types.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

const candidate = (key: string, weight: number, extra: Partial<CauseCandidate> = {}): CauseCandidate => ({
  key,
  weight,
  cause: `cause ${key}`,
  appOrInfra: "infra",
  nextStep: `step ${key}`,
  tool: "get_pod_events",
  ...extra,
});

const compose = (candidates: CauseCandidate[], findings = [{ text: "a finding", tool: "get_pods_data", weight: 0.5 }]) =>
  composeReport({
    evidence: evidenceOf([], [issue("POD_RESTARTED", "Pod p-0 has been restarted", "MAJOR", "p-0")]),
    analysis: { findings, candidates },
    types: ["POD_RESTARTED"],
    severity: null,
    cluster: "acme-eu-1",
  });

describe("rankCandidates", () => {
  it("lets independent signals for one cause reinforce each other, capped", () => {
    const ranked = rankCandidates([candidate("memory-limit", 0.6), candidate("probe", 0.7), candidate("memory-limit", 0.5)]);
    expect(ranked.map((c) => [c.key, Number(c.weight.toFixed(2))])).toEqual([["memory-limit", 0.8], ["probe", 0.7]]);
    expect(rankCandidates([candidate("a", 0.9), candidate("a", 0.9)])[0]?.weight).toBe(0.95);
  });
});

describe("composeReport", () => {
  it("a strong single cause: high confidence, its next step, severity from the issues", () => {
    const report = compose([candidate("memory-limit", 0.85)]);
    expect(report).toMatchObject({ likelyRootCause: "cause memory-limit\nChain: Pod p-0 has been restarted ← cause memory-limit", confidence: "high", nextStep: "step memory-limit", appOrInfra: "infra", severity: "MAJOR" });
    expect(reportSchema.safeParse({ ...report, stats: {} }).success).toBe(true);
  });

  it("two strong, different causes that both explain the alert: medium, and both named", () => {
    const report = compose([candidate("memory-limit", 0.85), candidate("network", 0.85, { appOrInfra: "infra" })]);
    expect(report.confidence).toBe("medium");
    expect(report.likelyRootCause).toMatch(/^cause memory-limit\. Or: cause network\nChain: /);
  });

  it("a cause that does not explain the alert's symptom is not its root cause", () => {
    // An image that cannot be pulled keeps a pod down; it does not restart one.
    const report = compose([candidate("image-pull", 0.9), candidate("memory-limit", 0.6)]);
    expect(report.likelyRootCause).toMatch(/^cause memory-limit\n/);
    expect(report.confidence).toBe("medium");
  });

  it("a symptom is never the root cause while something upstream of it has evidence", () => {
    const report = compose([candidate("crash", 0.9), candidate("memory-limit", 0.6)]);
    expect(report.likelyRootCause).toBe("cause memory-limit\nChain: Pod p-0 has been restarted ← cause crash ← cause memory-limit");
  });

  it("a symptom with nothing upstream: inconclusive, low, with what to check and the best lead", () => {
    const report = compose([candidate("crash", 0.7)]);
    expect(report.confidence).toBe("low");
    expect(report.appOrInfra).toBe("unknown");
    expect(report.likelyRootCause).toMatch(/^Inconclusive — needs a human: check restart count.*Best lead: cause crash\nChain: Pod p-0 has been restarted ← cause crash$/);
  });

  it("a weak hint only: inconclusive without a lead", () => {
    const report = compose([candidate("log-warn", 0.25)]);
    expect(report.confidence).toBe("low");
    expect(report.likelyRootCause).toMatch(/^Inconclusive — needs a human: check restart count/);
    expect(report.likelyRootCause).not.toMatch(/lead/);
  });

  it("findings of the chosen cause come first; at most five; never none", () => {
    const findings = [
      ...Array.from({ length: 6 }, (_, i) => ({ text: `noise ${i}`, tool: "pull_pod_logs", weight: 0.6 })),
      { text: "the OOM kill", tool: "get_pod_events", weight: 0.3, key: "memory-limit" },
    ];
    const report = compose([candidate("memory-limit", 0.85)], findings);
    expect(report.findings).toHaveLength(5);
    expect(report.findings[0]).toEqual({ text: "the OOM kill", tool: "get_pod_events" });
    expect(compose([], []).findings).toHaveLength(1);
  });
});

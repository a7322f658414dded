import { describe, expect, it } from "vitest";
import { reportSchema } from "../../src/report/schema.ts";
import { composeReport, rankCandidates } from "../../src/rules/compose/compose-report.ts";
import type { CauseCandidate, RuleFinding } from "../../src/rules/types.ts";
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

/** The events call's output holds one line per candidate, so each cause rests on a verifiable finding. */
const EVENTS_OUTPUT = ["memory-limit", "eviction", "network", "image-pull", "crash", "log-warn"].map((key) => `Warning evidence-${key} seen on p-0`).join("\n");
const keyed = (candidates: CauseCandidate[]) => candidates.map((c) => ({ text: `evidence-${c.key} seen`, tool: "get_pod_events", weight: 0.5, key: c.key }));

const composeFull = (candidates: CauseCandidate[], findings: RuleFinding[] = keyed(candidates), output = EVENTS_OUTPUT) =>
  composeReport({
    evidence: evidenceOf([{ tool: "get_pod_events", input: { pod: "p-0" }, data: output }], [issue("POD_RESTARTED", "Pod p-0 has been restarted", "MAJOR", "p-0")]),
    analysis: { findings, candidates },
    types: ["POD_RESTARTED"],
    severity: null,
    cluster: "acme-eu-1",
  });
const compose = (candidates: CauseCandidate[], findings?: RuleFinding[]) => composeFull(candidates, findings).report;

describe("rankCandidates", () => {
  it("lets independent signals for one cause reinforce each other, capped", () => {
    const ranked = rankCandidates([candidate("memory-limit", 0.6), candidate("probe", 0.7), candidate("memory-limit", 0.5)]);
    expect(ranked.map((c) => [c.key, Number(c.weight.toFixed(2))])).toEqual([["memory-limit", 0.8], ["probe", 0.7]]);
    expect(rankCandidates([candidate("a", 0.9), candidate("a", 0.9)])[0]?.weight).toBe(0.95);
  });
});

describe("composeReport", () => {
  it("a strong single cause: high confidence, its next step, severity from the issues", () => {
    // A first cause (nothing in the graph explains an eviction): an OOMKill has causes upstream (heap headroom).
    const report = compose([candidate("eviction", 0.85)]);
    expect(report).toMatchObject({ likelyRootCause: "cause eviction\nChain: Pod p-0 has been restarted ← cause eviction", confidence: "high", nextStep: "step eviction", appOrInfra: "infra", severity: "MAJOR" });
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
      ...Array.from({ length: 6 }, (_, i) => ({ text: `noise ${i}`, tool: "get_pod_events", weight: 0.6 })),
      { text: "evidence-memory-limit seen", tool: "get_pod_events", weight: 0.3, key: "memory-limit", note: "the OOM kill" },
    ];
    const report = compose([candidate("memory-limit", 0.85)], findings);
    expect(report.findings).toHaveLength(5);
    expect(report.findings[0]).toEqual({ text: "evidence-memory-limit seen — the OOM kill", tool: "get_pod_events", callId: "c1", excerpt: expect.stringContaining("evidence-memory-limit seen") });
    expect(compose([], []).findings).toHaveLength(1);
  });

  it("drops a finding the cited output does not bear out, counts it, and the cause it carried falls", () => {
    const findings = [
      { text: "p-0 was OOMKilled at 4096Mi", tool: "get_pod_events", weight: 0.9, key: "memory-limit" },
      { text: "evidence-network seen", tool: "get_pod_events", weight: 0.5, key: "network" },
    ];
    const { report, findingsDropped } = composeFull([candidate("memory-limit", 0.9), candidate("network", 0.6)], findings);
    expect(findingsDropped).toBe(1);
    expect(report.findings.map((f) => f.text)).toEqual(["evidence-network seen"]);
    expect(report.likelyRootCause).toMatch(/^cause network\n/);
  });

  it("a root cause without any verified finding is no root cause: inconclusive", () => {
    const { report } = composeFull([candidate("memory-limit", 0.9)], [{ text: "OOMKilled at 4096Mi", tool: "get_pod_events", weight: 0.9, key: "memory-limit" }]);
    expect(report.likelyRootCause).toMatch(/^Inconclusive — needs a human/);
    expect(report.confidence).toBe("low");
  });

  it("never high when a command failed, even on a strong cause", () => {
    const report = composeReport({
      evidence: evidenceOf(
        [
          { tool: "get_pod_events", input: { pod: "p-0" }, data: EVENTS_OUTPUT },
          { tool: "pull_pod_logs", input: { pod: "p-0" }, status: "error", output: "PULL_LOGS ended with status TIMED_OUT" },
        ],
        [issue("POD_RESTARTED", "Pod p-0 has been restarted", "MAJOR", "p-0")],
      ),
      analysis: { findings: keyed([candidate("memory-limit", 0.9)]), candidates: [candidate("memory-limit", 0.9)] },
      types: ["POD_RESTARTED"],
      severity: null,
      cluster: "acme-eu-1",
    }).report;
    expect(report.confidence).toBe("medium");
  });

  it("lists what the evidence rules out", () => {
    const findings = [...keyed([candidate("memory-limit", 0.9)]), { text: "evidence-crash seen", tool: "get_pod_events", weight: 0.2, ruledOut: true }];
    expect(compose([candidate("memory-limit", 0.9)], findings).ruledOut).toEqual(["evidence-crash seen"]);
  });

  it("hands the model a fact sheet: calls made, verified facts with their call ids and excerpts, the chain, open leads", () => {
    const { factSheet } = composeFull([candidate("crash", 0.7)]);
    expect(factSheet).toMatch(/^Calls already made: c1 get_pod_events/);
    expect(factSheet).toContain('- c1 get_pod_events: evidence-crash seen — excerpt: "');
    expect(factSheet).toContain("Chain so far: Pod p-0 has been restarted ← cause crash");
    expect(factSheet).toMatch(/The rules engine's reading: inconclusive; best lead: cause crash/);
    expect(factSheet).toMatch(/Open leads:\n- step crash/);
  });
});

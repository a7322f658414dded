import { describe, expect, it } from "vitest";
import { renderReportText } from "../../src/report/render-text.ts";
import { emptyStats } from "../../src/report/schema.ts";
import { makeAlert, makeReport } from "./fixtures.ts";

describe("renderReportText", () => {
  it("prints a readable report for the terminal", () => {
    expect(renderReportText(makeReport(), makeAlert())).toBe(
      [
        "[CRITICAL] Redis at 71% on acme-eu-1: decider queue backlog from a stuck payment workflow",
        "Cluster:    acme-eu-1 (Acme, prod)",
        "Execution:  https://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
        "Confidence: high",
        "Cause in:   application",
        "",
        "Findings:",
        "  - [get_cluster_data] 48,213 RUNNING workflows; 46,900 of them are payment_reconcile v3",
        "  - [get_pod_logs] conductor-server-7d9f8c-x2k4q: 1,204 'Task poll timed out' in the last 15 min",
        "  - [get_redis_info] used_memory 2.84 GB of 4 GB; keyspace dominated by _decider queue (3.1M entries)",
        "",
        "Likely root cause:",
        "  The payment_reconcile workers stopped polling at 09:42 UTC, so workflows pile up in the decider queue and Redis memory grows.",
        "",
        "Suggested next step (for a human; the bot never acts):",
        "  Check the payment-worker deployment (it has 0 ready replicas) and restart it; then watch the decider queue drain.",
        "",
        "Claude · 7 tool calls · 4 turns · 18.4k in / 1.3k out tokens, 12k cached · $0.042 · 38.2 s",
      ].join("\n"),
    );
  });

  it("redacts secrets, strips terminal escapes, indents multi-line text and names the fallback", () => {
    const report = makeReport({
      findings: [{ tool: "get_pod_logs", text: "\u001b[31mERROR\u001b[0m auth failed\npassword=hunter2 for user conductor" }],
      likelyRootCause: "Worker uses postgres://app:s3cr3t@db:5432/app\nand the password was rotated.",
      stats: { ...emptyStats("rules"), toolCalls: 2, durationMs: 900, fallbackReason: "ANTHROPIC_API_KEY not set" },
    });
    const text = renderReportText(report, null);
    expect(text).not.toMatch(/hunter2|s3cr3t|\u001b/);
    expect(text).toContain("  - [get_pod_logs] ERROR auth failed\n    password=[redacted] for user conductor\n");
    expect(text).toContain("  Worker uses postgres://app:[redacted]@db:5432/app\n  and the password was rotated.\n");
    expect(text).not.toContain("Cluster:");
    expect(text).toContain("rules engine · 2 tool calls · 900 ms\nRules engine stood in: ANTHROPIC_API_KEY not set");
    expect(text.endsWith("not set")).toBe(true);
  });
});

describe("ruled out and verification", () => {
  it("lists what the evidence ruled out and counts dropped findings in the stats line", async () => {
    const base = makeReport();
    const text = renderReportText({ ...base, ruledOut: ["all 7 pods Running with no restarts", "decider queue is normal: 213 running workflows"], stats: { ...base.stats, findingsDropped: 2 } }, null);
    expect(text).toContain("Ruled out:\n  - all 7 pods Running with no restarts\n  - decider queue is normal: 213 running workflows");
    expect(text).toContain("2 unverified findings dropped");
    expect(renderReportText(base, null)).not.toContain("Ruled out");
  });
});

import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { buildCapturedScenario, createCaptureRedactor, type RecordedCall } from "../../src/capture/index.ts";
import { emptyStats, type Report } from "../../src/report/schema.ts";

const EXEC = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";
const message = { text: `:rotating_light: *\`[MAJOR]\`* The health-checking has FAILED for the _Acme's_ prod *\`acme-eu-1\`* cluster with the following issue:\n*MAJOR:* Redis is at 91%\nhttps://cp.example/execution/${EXEC}` };
const workflow = {
  workflowId: EXEC, workflowName: "health_check", status: "FAILED" as const, input: { organizationId: "org-1", clusterName: "acme-eu-1", owner: "ops@acme.example" },
  output: {}, reasonForIncompletion: "1 issue", tasks: [{ referenceTaskName: "issues", taskType: "INLINE", status: "COMPLETED", outputData: { result: { issues: [] } } }],
};
const report = (findings = 2): Report => ({
  issue: "Redis at 91%", severity: "MAJOR", findings: Array.from({ length: findings }, (_, i) => ({ text: `finding ${i}`, tool: "get_pods_data" })),
  likelyRootCause: "a backlog", confidence: "medium", nextStep: "look", appOrInfra: "infra", stats: emptyStats("rules"),
});
const call = (c: Partial<RecordedCall>): RecordedCall => ({ command: "GET_PODS_DATA", parameters: {}, status: "COMPLETED", output: "pods", reason: null, ...c });

function build(calls: RecordedCall[], r = report()) {
  const parsed = parseAlert(message);
  if (!parsed.isAlert) throw new Error(parsed.reason);
  return buildCapturedScenario({ id: "01_capture_8b1c2d3e", alertMessage: message, alert: parsed.alert, workflow, calls, report: r }, createCaptureRedactor({ ips: false, knownValues: [] }));
}

describe("buildCapturedScenario", () => {
  it("places each call where the sandbox looks it up, one file each, and keeps statuses it can serve", () => {
    const { scenario, files } = build([
      call({ output: { result: "NAME READY" } }),
      call({ command: "PULL_LOGS", parameters: { podName: "server-0", lines: 100 }, output: [{ level: "ERROR", msg: "x" }] }),
      call({ command: "PULL_LOGS", parameters: { podName: "server-0", grep: "WARN" }, output: "later call" }),
      call({ command: "SQL_CONDUCTOR", parameters: { query: "SELECT count(*) FROM workflow" }, output: { rows: [] } }),
      call({ command: "DOWNLOAD_THREAD_DUMP", parameters: { podName: "server-1" }, status: "DEADLINE", output: null, reason: "gave no result" }),
    ]);
    expect(Object.keys(files).sort()).toEqual(["calls/01-get-pods-data.txt", "calls/02-pull-logs-server-0.json", "calls/03-pull-logs-server-0.txt", "calls/04-sql-conductor.json"]);
    expect(scenario.commands.GET_PODS_DATA).toMatchObject({ file: "calls/01-get-pods-data.txt", key: "result", status: "COMPLETED" });
    expect(scenario.commands.PULL_LOGS?.["server-0"]).toMatchObject({ file: "calls/02-pull-logs-server-0.json", format: "json" });
    const sql = scenario.commands.SQL_CONDUCTOR?.[0];
    expect(sql?.match && new RegExp(sql.match, "i").test("SELECT count(*) FROM workflow")).toBe(true);
    expect(sql?.match && new RegExp(sql.match, "i").test("SELECT count(*) FROM workflow LIMIT 1")).toBe(false);
    expect(scenario.commands.DOWNLOAD_THREAD_DUMP?.["server-1"]).toEqual({ status: "TIMED_OUT", reason: "gave no result" });
  });

  it("writes a TODO truth, the report as submit_report, and redacts the execution", () => {
    const { scenario } = build([call({})], report(1));
    expect(scenario.truth).toMatchObject({ requiredKeywords: ["TODO"], rootCause: "TODO: write the confirmed root cause (the triage said: a backlog)" });
    const submitted = scenario.script[0]?.calls[0];
    expect(submitted?.name).toBe("submit_report");
    expect((submitted?.input as Report).findings.at(-1)).toEqual({ text: "The rules engine ran these commands: GET_PODS_DATA", tool: "capture" });
    expect(JSON.stringify(scenario.execution)).not.toContain("ops@acme.example");
  });

  it("refuses what would not load as a scenario", () => {
    expect(() => build([call({})], { ...report(), likelyRootCause: "" })).toThrow(/cannot be replayed as submit_report/);
  });
});

import { mkdtemp, mkdir, writeFile, cp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ISSUE_TYPES, type KnownIssueType } from "../../src/alerts/types.ts";
import { modelReportSchema } from "../../src/report/schema.ts";
import { loadScenarios, type Scenario } from "../../src/sandbox/index.ts";
import { hasKeyword } from "../../src/eval/score-report.ts";
import { TOOL_NAMES } from "../../src/tools/types.ts";

/** The phrase each issue type's line carries (domain.md §2). */
const PHRASES: Record<KnownIssueType, RegExp> = {
  REDIS_CRITICAL_USAGE: /Redis instance is at .*CRITICAL threshold/,
  REDIS_HIGH_USAGE: /Redis instance is at .*HIGH threshold/,
  CONDUCTOR_HIGH_HEAP_USAGE: /Heap usage is at/,
  CONDUCTOR_HIGH_CPU_USAGE: /CPU usage is at/,
  CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD: /Error Logs Count/,
  CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD: /Warn Logs Count/,
  CONDUCTOR_HEALTHY: /Conductor has failed/,
  WORKERS_HEALTHY: /Workers have failed/,
  PROMETHEUS_NOT_RUNNING: /Prometheus is down/,
  POD_NOT_RUNNING: /not Running/,
  POD_RESTARTED: /has been restarted/,
  DNS_HEALTHY: /DNS resolution has failed/,
  DOMAIN_RESOLUTION: /has not been resolved/,
  DOMAIN_REACHABILITY: /domain \S+ is down/,
  AUTH_STALE: /stale API key/,
  DOMAIN_CERTIFICATE_WILL_EXPIRE: /certificate expires in less than/,
  RESPONSE_TIME: /taking too long to respond/,
};

/** Which command answers each tool; pod tools need an answer for the pod they name. */
const COMMAND_OF: Record<string, string> = {
  get_cluster_metrics: "GET_CLUSTER_METRICS",
  get_infrastructure_metrics: "GET_INFRASTRUCTURE_METRICS",
  get_pods_data: "GET_PODS_DATA",
  get_deployments_info: "GET_DEPLOYMENTS_INFO",
  get_ingress_info: "GET_INGRESS_INFO",
  get_pod_events: "GET_POD_EVENTS",
  pull_pod_logs: "PULL_LOGS",
  get_top_output: "GET_TOP_OUTPUT_FROM_POD",
  get_thread_dump: "DOWNLOAD_THREAD_DUMP",
  run_sql_select: "SQL_CONDUCTOR",
};

const alertText = (s: Scenario) => `${s.alert.message.text}\n${JSON.stringify(s.alert.message.blocks ?? [])}`;
const finalReport = (s: Scenario) => s.script.at(-1)?.calls.find((c) => c.name === "submit_report")?.input;

describe("loadScenarios", () => {
  let scenarios: Scenario[];
  beforeAll(async () => {
    scenarios = await loadScenarios("scenarios");
  });

  it("covers all 17 issue types, plus multi-issue, red-herring, timed-out and digest cases", () => {
    const covered = new Set(scenarios.flatMap((s) => s.issueTypes));
    expect([...ISSUE_TYPES].filter((t) => !covered.has(t))).toEqual([]);
    expect(covered.size).toBeGreaterThanOrEqual(17);
    const tagged = (tag: string) => scenarios.filter((s) => s.tags.includes(tag as never)).length;
    expect(tagged("multi-issue")).toBeGreaterThanOrEqual(2);
    expect(tagged("red-herring")).toBeGreaterThanOrEqual(2);
    expect(tagged("timed-out")).toBeGreaterThanOrEqual(1);
    expect(tagged("digest")).toBeGreaterThanOrEqual(1);
  });

  it("links every alert to its own execution, and states each declared issue in the alert", () => {
    for (const s of scenarios) {
      const ids = [...alertText(s).matchAll(/\/execution\/([0-9a-f-]{36})/gi)].map((m) => m[1]?.toLowerCase());
      expect(ids, s.id).toContain(s.execution.workflowId.toLowerCase());
      for (const type of s.issueTypes) expect(alertText(s), `${s.id} ${type}`).toMatch(PHRASES[type]);
      if (s.issueTypes.length > 1) expect(s.alert.message.text, s.id).toContain(`following ${s.issueTypes.length} issues:`);
    }
  });

  it("puts the digest's URL only in its blocks", () => {
    for (const s of scenarios.filter((x) => x.tags.includes("digest"))) {
      expect(s.alert.message.text).not.toMatch(/\/execution\//);
      expect(JSON.stringify(s.alert.message.blocks)).toMatch(/&gt; .*\/execution\//);
    }
  });

  it("gives every scenario its own org, org id and cluster", () => {
    const distinct = (values: unknown[]) => new Set(values).size;
    expect(distinct(scenarios.map((s) => s.execution.input.organizationName))).toBe(scenarios.length);
    expect(distinct(scenarios.map((s) => s.routing.clusterName))).toBe(scenarios.length);
    expect(new Set(scenarios.map((s) => s.routing.organizationId)).size).toBe(scenarios.length);
  });

  it("ends every script in a valid submit_report that meets the scenario's truth", () => {
    for (const s of scenarios) {
      const report = modelReportSchema.parse(finalReport(s));
      const text = JSON.stringify(report).toLowerCase();
      for (const keyword of s.truth.requiredKeywords) expect(hasKeyword(text, keyword), `${s.id} lacks ${String(keyword)}`).toBe(true);
      for (const claim of s.truth.forbiddenClaims) expect(text, `${s.id} claims ${claim}`).not.toContain(claim.toLowerCase());
    }
  });

  it("calls only known tools, and has an answer for every command a script asks for", () => {
    for (const s of scenarios) {
      for (const call of s.script.flatMap((t) => t.calls).filter((c) => c.name !== "submit_report")) {
        expect(TOOL_NAMES, s.id).toContain(call.name);
        const command = COMMAND_OF[call.name];
        if (!command) continue;
        const answer = (s.commands as Record<string, unknown>)[command];
        expect(answer, `${s.id} ${call.name}`).toBeDefined();
        const pod = call.input.podName;
        if (typeof pod === "string") expect(Object.keys(answer as object), `${s.id} ${call.name} ${pod}`).toContain(pod);
      }
    }
  });

  it("reads referenced files into text", () => {
    const s = scenarios.find((x) => x.id.startsWith("01_"));
    const logs = Object.values(s?.commands.PULL_LOGS ?? {});
    expect(logs[0]?.text).toMatch(/reserve_inventory/);
    expect(logs[0]?.file).toBeUndefined();
  });

  it("names the folder and field of an invalid scenario", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scenarios-"));
    await cp("scenarios/15_auth_stale_api_key", join(dir, "15_auth_stale_api_key"), { recursive: true });
    const path = join(dir, "15_auth_stale_api_key", "scenario.json");
    const file = JSON.parse(await readFile(path, "utf8")) as { script: { calls: { input: Record<string, unknown> }[] }[] };
    const last = file.script.at(-1)?.calls[0];
    if (last) last.input.confidence = "certain";
    await writeFile(path, JSON.stringify(file));
    await expect(loadScenarios(dir)).rejects.toThrow(/15_auth_stale_api_key[\s\S]*script\.1\.calls\.0\.input\.confidence/);
  });

  it("reports a missing referenced file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scenarios-"));
    await mkdir(join(dir, "99_broken"));
    const source = JSON.parse(await readFile("scenarios/01_redis_critical_decider_backlog/scenario.json", "utf8")) as Record<string, unknown>;
    await writeFile(join(dir, "99_broken", "scenario.json"), JSON.stringify({ ...source, id: "99_broken" }));
    await expect(loadScenarios(dir)).rejects.toThrow(/99_broken: commands\.PULL_LOGS\.[\w-]+\.file: cannot read file "conductor-server.log"/);
  });
});

import { describe, expect, it } from "vitest";
import { ISSUE_TYPES, type IssueType } from "../../src/alerts/types.ts";
import { PLAYBOOK, POD_PLACEHOLDER, getPlaybookEntry, renderPlaybookPrompt } from "../../src/playbook/index.ts";
import { createTools } from "../../src/tools/index.ts";
import { TOOL_NAMES, type ToolDeps } from "../../src/tools/types.ts";

const ALL_TYPES: IssueType[] = [...ISSUE_TYPES, "UNKNOWN"];
const EXECUTION_ID = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";

/** Tools built only to read their input schemas: nothing here is ever run. */
const unused = () => Promise.reject(new Error("not used in this test"));
const tools = createTools({ runner: { run: unused }, readExecution: unused, outputBudget: 1000, commandTimeoutMs: 1000 } as unknown as ToolDeps);

describe("playbook", () => {
  it.each(ALL_TYPES)("has a complete entry for %s", (type) => {
    const entry = PLAYBOOK[type];
    expect(entry, `missing playbook entry for ${type}`).toBeDefined();
    expect(entry.type).toBe(type);
    expect(entry.title.trim()).not.toBe("");
    expect(entry.symptom.trim()).not.toBe("");
    expect(entry.tools.length).toBeGreaterThan(0);
    expect(entry.evidence.length).toBeGreaterThan(0);
    expect(entry.rootCauses.length).toBeGreaterThan(0);
    expect(entry.nextSteps.length).toBeGreaterThan(0);
    for (const step of entry.nextSteps) expect(step.trim()).not.toBe("");
  });

  it("has no entry for a type that does not exist", () => {
    expect(Object.keys(PLAYBOOK).sort()).toEqual([...ALL_TYPES].sort());
  });

  it.each(ALL_TYPES)("names only real tools, with input their schemas accept, for %s", (type) => {
    for (const step of PLAYBOOK[type].tools) {
      expect(TOOL_NAMES).toContain(step.tool);
      const tool = tools.find((t) => t.name === step.tool);
      const args = Object.fromEntries(Object.entries(step.args ?? {}).map(([k, v]) => [k, v === POD_PLACEHOLDER ? "conductor-server-0" : v]));
      const parsed = tool?.inputSchema.safeParse({ executionId: EXECUTION_ID, ...args });
      expect(parsed?.success, `${type}: ${step.tool} ${JSON.stringify(step.args)} ${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
    }
  });

  it("starts every entry with the incident details", () => {
    for (const type of ALL_TYPES) expect(PLAYBOOK[type].tools[0]?.tool).toBe("get_incident_details");
  });

  it("keeps self-describing types to few calls and digs into pods for component types", () => {
    for (const entry of Object.values(PLAYBOOK)) {
      if (entry.category === "self-describing") expect(entry.tools.length).toBeLessThanOrEqual(3);
      if (entry.category === "component") expect(entry.tools.map((t) => t.tool)).toEqual(expect.arrayContaining(["get_pods_data", "get_pod_events", "pull_pod_logs"]));
      if (entry.category === "network") expect(entry.tools.map((t) => t.tool)).toContain("get_ingress_info");
    }
    expect(PLAYBOOK.CONDUCTOR_HIGH_CPU_USAGE.tools.map((t) => t.tool)).toEqual(expect.arrayContaining(["get_top_output", "get_thread_dump"]));
  });

  it("falls back to the UNKNOWN entry for an unexpected type", () => {
    expect(getPlaybookEntry("NOT_A_TYPE" as IssueType)).toBe(PLAYBOOK.UNKNOWN);
  });
});

describe("renderPlaybookPrompt", () => {
  it("renders every type by default, compactly", () => {
    const prompt = renderPlaybookPrompt();
    for (const type of ALL_TYPES) expect(prompt).toContain(`## ${type} —`);
    // The whole playbook sits in every system prompt: keep it near 3k tokens.
    expect(prompt.length).toBeLessThan(14_000);
  });

  it("renders only the types asked for, with their tools and next steps", () => {
    const prompt = renderPlaybookPrompt(["REDIS_CRITICAL_USAGE", "POD_RESTARTED"]);
    expect(prompt).toContain("## REDIS_CRITICAL_USAGE");
    expect(prompt).toContain("## POD_RESTARTED");
    expect(prompt).not.toContain("## DNS_HEALTHY");
    expect(prompt).toContain('get_pod_events(pod="{pod}")');
    expect(prompt).toContain(PLAYBOOK.POD_RESTARTED.nextSteps[0]);
  });

  it("explains a tool's purpose once, not in every entry", () => {
    const prompt = renderPlaybookPrompt();
    const why = PLAYBOOK.POD_RESTARTED.tools.find((t) => t.tool === "get_pods_data")?.why ?? "";
    expect(prompt.split(why).length - 1).toBe(1);
  });
});

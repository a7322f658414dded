import { describe, expect, it } from "vitest";
import { createTools } from "../../src/tools/create-tools.ts";
import type { Tool, ToolDeps } from "../../src/tools/types.ts";
import { CONTEXT, EXECUTION, EXECUTION_ID, createFakeDeps, createFakeRunner } from "./fake-deps.ts";

function setUp(overrides: Partial<ToolDeps> = {}) {
  const fake = createFakeRunner();
  const { deps, reads } = createFakeDeps(fake.runner, overrides);
  const tool = createTools(deps).find((t) => t.name === "get_incident_details") as Tool;
  const run = () => tool.execute({ executionId: EXECUTION_ID }, { executionId: EXECUTION_ID });
  return { run, runs: fake.runs, reads };
}

describe("get_incident_details", () => {
  it("summarises the execution's status, issues and cluster data without dispatching a command", async () => {
    const { run, runs, reads } = setUp();
    const result = await run();
    expect(runs).toHaveLength(0);
    expect(reads).toEqual([EXECUTION_ID]);
    expect(result.status).toBe("ok");
    expect(result.command).toBeUndefined();
    const text = result.output;
    expect(text).toContain(`Health check ${EXECUTION_ID} (health_check): FAILED`);
    expect(text).toContain("Cluster: acme-eu-1 of Acme (c3f0c5-acme-eu-1)");
    expect(text).toContain("Reason: Health check found 2 issues");
    expect(text).toContain("- CRITICAL: The Redis instance is at 71%, above the CRITICAL threshold of 65%");
    expect(text).toContain("  deciderQueueSize: 48213");
    expect(text).toMatch(/componentHealth: \{conductor: UP, workers: UP, prometheus: UP\}/);
    expect(result.data).toMatchObject({ status: "FAILED", issues: EXECUTION.issues, clusterData: EXECUTION.clusterData, cluster: CONTEXT });
  });

  it("says when the health check recorded no cluster data or issues", async () => {
    const { run } = setUp({
      readExecution: async () => ({
        execution: { ...EXECUTION, status: "TIMED_OUT", reasonForIncompletion: "Task health_check_issues timed out", issues: [], clusterData: null },
        context: CONTEXT,
      }),
    });
    const result = await run();
    expect(result.output).toContain("(health_check): TIMED_OUT");
    expect(result.output).toContain("Issues: none recorded");
    expect(result.output).toContain("Cluster data: not recorded by this health check");
  });

  it("parses cluster data that arrived as JSON text and cuts it to the budget", async () => {
    const queues = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`queue_${i}`, i * 17]));
    const { run } = setUp({
      outputBudget: 1000,
      readExecution: async () => ({ execution: { ...EXECUTION, clusterData: { queues: JSON.stringify(queues) } }, context: CONTEXT }),
    });
    const result = await run();
    expect(result.output.length).toBeLessThanOrEqual(1000);
    expect(result.output).toContain("- CRITICAL: The Redis instance");
    expect(result.output).toMatch(/\[cut: showing the first [\d,]+ of [\d,]+ characters\]$/);
    expect((result.data as { clusterData: { queues: Record<string, number> } }).clusterData.queues.queue_199).toBe(3383);
  });

  it("a failure to read the execution is an error result", async () => {
    const { run } = setUp({ readExecution: () => Promise.reject(new Error("Conductor returned 503 for GET /api/workflow")) });
    const result = await run();
    expect(result.status).toBe("error");
    expect(result.output).toBe(`Could not read execution ${EXECUTION_ID}: Conductor returned 503 for GET /api/workflow`);
  });
});

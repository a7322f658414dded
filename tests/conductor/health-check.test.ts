import { describe, expect, it } from "vitest";
import { deriveClusterContext, deriveCloudEnvironmentTag } from "../../src/conductor/context.ts";
import { ConductorError } from "../../src/conductor/errors.ts";
import { readHealthCheck } from "../../src/conductor/health-check.ts";
import { workflowSchema } from "../../src/conductor/schemas.ts";
import { CONTEXT, healthCheckJson, workflow } from "./fake-conductor.ts";

describe("readHealthCheck", () => {
  it("reads issues, cluster data, status and input from the fixture execution", () => {
    const execution = readHealthCheck(workflowSchema.parse(healthCheckJson()));
    expect(execution).toMatchObject({
      workflowId: "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
      workflowName: "health_check",
      status: "COMPLETED",
      reasonForIncompletion: null,
      input: { organizationName: "Acme", clusterName: "viz-stage" },
      failedTasks: [],
    });
    expect(execution.issues).toEqual([
      { type: "REDIS_CRITICAL_USAGE", severity: "CRITICAL", description: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" },
      { type: "POD_RESTARTED", severity: "MINOR", description: "Pod has been restarted - conductor-server-6d9f7c-x2x9q" },
    ]);
    expect(execution.clusterData).toMatchObject({ deciderQueueSize: 18234, postgres: { connections: 40 } });
  });

  it.each([
    ["issues", { issues: [{ severity: "MAJOR", text: "Heap usage is at 91%" }] }],
    ["result", { result: [{ severity: "MAJOR", message: "Heap usage is at 91%" }] }],
    ["JSON text", { output: JSON.stringify([{ severity: "major", description: "Heap usage is at 91%" }]) }],
    ["nested", { response: { body: { data: { list: [{ severity: "MAJOR", description: "Heap usage is at 91%" }] } } } }],
  ])("finds the issue list under %s", (_name, outputData) => {
    const wf = workflow({ status: "COMPLETED", tasks: [{ referenceTaskName: "issues", status: "COMPLETED", outputData }] });
    expect(readHealthCheck(wf).issues).toEqual([{ severity: "MAJOR", description: "Heap usage is at 91%" }]);
  });

  it("skips arrays that are not issues and uses the last completed run of a retried task", () => {
    const wf = workflow({
      status: "COMPLETED",
      tasks: [
        { referenceTaskName: "issues", status: "FAILED", outputData: { issues: [{ severity: "MINOR", description: "stale" }] } },
        { referenceTaskName: "issues", status: "COMPLETED", outputData: { tags: ["a", "b"], issues: [{ severity: "WARNING", description: "stale API key" }] } },
      ],
    });
    expect(readHealthCheck(wf).issues).toEqual([{ severity: "WARNING", description: "stale API key" }]);
  });

  it("a timed-out health check without the tasks has no issues, no cluster data, and names the failed task", () => {
    const wf = workflow({
      status: "TIMED_OUT",
      workflowType: "health_check",
      reasonForIncompletion: "Workflow timed out after 300 seconds",
      tasks: [{ referenceTaskName: "get_cluster_data_ref", status: "TIMED_OUT", reasonForIncompletion: "Task timed out" }],
    });
    expect(readHealthCheck(wf)).toMatchObject({
      workflowName: "health_check",
      status: "TIMED_OUT",
      reasonForIncompletion: "Workflow timed out after 300 seconds",
      issues: [],
      clusterData: null,
      failedTasks: [{ referenceTaskName: "get_cluster_data_ref", status: "TIMED_OUT", reason: "Task timed out" }],
    });
  });
});

describe("deriveClusterContext", () => {
  it("derives the full context from the fixture execution, tag derived when absent", () => {
    expect(deriveClusterContext(healthCheckJson())).toEqual(CONTEXT);
  });

  it("derives the tag as c + five chars of the org id + - + cluster", () => {
    expect(deriveCloudEnvironmentTag("3f0c549d-aaaa", "viz-stage")).toBe("c3f0c5-viz-stage");
  });

  it("keeps a cloudEnvironmentTag present in the input", () => {
    const context = deriveClusterContext({ workflowId: "x", input: { organizationId: "org-1", clusterName: "c1", cloudEnvironmentTag: "custom-tag" } });
    expect(context.cloudEnvironmentTag).toBe("custom-tag");
  });

  it("falls back to customerId and agentHandlerRequest.clusterName", () => {
    const context = deriveClusterContext({
      workflowId: "x",
      input: { customerId: "ab12cd34-0000", organizationName: "Globex", agentHandlerRequest: { clusterName: "gx-prod" } },
    });
    expect(context).toEqual({
      executionId: "x",
      organizationId: "ab12cd34-0000",
      organizationName: "Globex",
      clusterName: "gx-prod",
      clusterId: null,
      cloudEnvironmentTag: "cab12c-gx-prod",
      taskDomain: "ab12cd34-0000#-#gx-prod",
    });
  });

  it.each([
    [{ clusterName: "c1" }, "organizationId (or customerId)"],
    [{ organizationId: "org-1", clusterName: "  " }, "clusterName (or agentHandlerRequest.clusterName)"],
  ])("names the missing field and the execution: %j", (input, field) => {
    let error: unknown;
    try {
      deriveClusterContext({ workflowId: "exec-9", input });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConductorError);
    expect(error).toMatchObject({ code: "conductor_context" });
    expect((error as Error).message).toBe(`execution exec-9 has no ${field} in its input, so the cluster to investigate is unknown`);
  });
});

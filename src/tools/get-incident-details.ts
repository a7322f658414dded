import type { HealthCheckExecution } from "../conductor/health-check.ts";
import type { ClusterContext } from "../conductor/types.ts";
import { errorMessage } from "../lib/errors.ts";
import type { ToolFactory } from "./command-tool.ts";
import { cutText, isEmptyOutput, parseOutput, renderOutput } from "./format-output.ts";
import { executionOnlySchema } from "./tool-schemas.ts";
import type { Tool } from "./types.ts";

/** Reads the failing execution itself: no command is dispatched, so it is cheap and always first. */
export const getIncidentDetailsTool: ToolFactory = (deps) => {
  const tool: Tool<typeof executionOnlySchema> = {
  name: "get_incident_details",
  description:
    "What the failing health check itself recorded (no command is run, instant): its status and reason, every " +
    "issue with its severity, and the cluster data it collected — Redis usage, decider queue size (= running " +
    "workflows), indexer queue size, heap, CPU, Postgres — and component health. Call it first.",
  inputSchema: executionOnlySchema,
  async execute(input, ctx) {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const { execution, context } = await deps.readExecution(input.executionId, ctx.signal);
      const clusterData = parseOutput(execution.clusterData);
      const shown = cutText(renderIncident(execution, context, clusterData), deps.outputBudget);
      return {
        status: "ok",
        output: shown.text,
        data: {
          workflowId: execution.workflowId,
          status: execution.status,
          reasonForIncompletion: execution.reasonForIncompletion,
          issues: execution.issues,
          clusterData,
          cluster: context,
        },
        durationMs: elapsed(),
        ...(shown.truncated ? { truncated: shown.truncated } : {}),
      };
    } catch (error) {
      return {
        status: "error",
        output: `Could not read execution ${input.executionId}: ${errorMessage(error)}`,
        durationMs: elapsed(),
      };
    }
  },
  };
  return tool;
};

function renderIncident(execution: HealthCheckExecution, context: ClusterContext, clusterData: unknown): string {
  const lines = [
    `Health check ${execution.workflowId} (${execution.workflowName}): ${execution.status}`,
    `Cluster: ${context.clusterName} of ${context.organizationName} (${context.cloudEnvironmentTag})`,
  ];
  if (execution.reasonForIncompletion) lines.push(`Reason: ${execution.reasonForIncompletion}`);
  lines.push(
    execution.issues.length === 0 ? "Issues: none recorded" : `Issues (${execution.issues.length}):`,
    ...execution.issues.map((issue) => `- ${issue.severity}: ${issue.description}`),
  );
  if (isEmptyOutput(clusterData)) {
    lines.push("Cluster data: not recorded by this health check");
  } else {
    lines.push("Cluster data:", renderOutput(clusterData).replace(/^/gm, "  "));
  }
  return lines.join("\n");
}

import { ConductorError } from "./errors.ts";
import type { ClusterContext } from "./types.ts";

/** The part of an execution the context is read from (a Workflow or a HealthCheckExecution). */
export interface ExecutionInput {
  workflowId: string;
  input: Record<string, unknown>;
}

/**
 * Which organisation and cluster a command runs against, from the failing execution's input
 * (domain.md §4). Fails, naming the field and execution, when org or cluster is missing.
 */
export function deriveClusterContext(execution: ExecutionInput): ClusterContext {
  const { input, workflowId } = execution;
  const request = asRecord(input.agentHandlerRequest);
  const organizationId = readText(input.organizationId) ?? readText(input.customerId);
  const clusterName = readText(input.clusterName) ?? readText(request?.clusterName);
  if (!organizationId) throw missingField("organizationId (or customerId)", workflowId);
  if (!clusterName) throw missingField("clusterName (or agentHandlerRequest.clusterName)", workflowId);
  return {
    executionId: workflowId,
    organizationId,
    organizationName: readText(input.organizationName) ?? organizationId,
    clusterName,
    clusterId: readText(input.clusterId) ?? null,
    cloudEnvironmentTag: readText(input.cloudEnvironmentTag) ?? deriveCloudEnvironmentTag(organizationId, clusterName),
    taskDomain: `${organizationId}#-#${clusterName}`,
  };
}

/** `c` + first five characters of the org id + `-` + cluster: `c3f0c5-viz-stage`. */
export function deriveCloudEnvironmentTag(organizationId: string, clusterName: string): string {
  return `c${organizationId.slice(0, 5)}-${clusterName}`;
}

function missingField(field: string, workflowId: string): ConductorError {
  return new ConductorError("conductor_context", `execution ${workflowId} has no ${field} in its input, so the cluster to investigate is unknown`, {
    request: { workflowId },
  });
}

function readText(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

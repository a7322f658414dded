import type { ToolFactory } from "./command-tool.ts";
import { getClusterMetricsTool } from "./get-cluster-metrics.ts";
import { getDeploymentsInfoTool } from "./get-deployments-info.ts";
import { getIncidentDetailsTool } from "./get-incident-details.ts";
import { getInfrastructureMetricsTool } from "./get-infrastructure-metrics.ts";
import { getIngressInfoTool } from "./get-ingress-info.ts";
import { getPodEventsTool } from "./get-pod-events.ts";
import { getPodsDataTool } from "./get-pods-data.ts";
import { getThreadDumpTool } from "./get-thread-dump.ts";
import { getTopOutputTool } from "./get-top-output.ts";
import { pullPodLogsTool } from "./pull-pod-logs.ts";
import { runSqlSelectTool } from "./run-sql-select.ts";
import type { Tool, ToolDeps } from "./types.ts";

/** In TOOL_NAMES order: the order the model sees them. */
const FACTORIES: readonly ToolFactory[] = [
  getIncidentDetailsTool,
  getClusterMetricsTool,
  getInfrastructureMetricsTool,
  getPodsDataTool,
  getDeploymentsInfoTool,
  getPodEventsTool,
  getTopOutputTool,
  pullPodLogsTool,
  getIngressInfoTool,
  getThreadDumpTool,
  runSqlSelectTool,
];

/** Every investigation tool, built over the shared services. All are read-only. */
export function createTools(deps: ToolDeps): Tool[] {
  return FACTORIES.map((create) => create(deps));
}

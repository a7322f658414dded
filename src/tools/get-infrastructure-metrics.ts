import { defineCommandTool } from "./command-tool.ts";
import { executionOnlySchema } from "./tool-schemas.ts";

export const getInfrastructureMetricsTool = defineCommandTool({
  name: "get_infrastructure_metrics",
  description:
    "Kubernetes infrastructure metrics of the incident's cluster: node and pod CPU and memory usage against requests " +
    "and limits. Use it to tell an app problem from node pressure. Returns metrics with units.",
  command: "GET_INFRASTRUCTURE_METRICS",
  inputSchema: executionOnlySchema,
  toParameters: () => ({}),
});

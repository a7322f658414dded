import { defineCommandTool } from "./command-tool.ts";
import { executionOnlySchema } from "./tool-schemas.ts";

export const getClusterMetricsTool = defineCommandTool({
  name: "get_cluster_metrics",
  description:
    "Conductor-level metrics of the incident's cluster, live: Redis used memory, decider and indexer queue depths, " +
    "running workflows, JVM heap and CPU of the server. Use it to confirm or size a saturation alert (Redis, heap, CPU). " +
    "Returns name/value pairs with units.",
  command: "GET_CLUSTER_METRICS",
  inputSchema: executionOnlySchema,
  toParameters: () => ({}),
});

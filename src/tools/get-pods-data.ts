import { defineCommandTool } from "./command-tool.ts";
import { executionOnlySchema } from "./tool-schemas.ts";

export const getPodsDataTool = defineCommandTool({
  name: "get_pods_data",
  description:
    "Lists the pods of the incident's cluster: name, phase/status, ready, restart count, last termination reason " +
    "(e.g. OOMKilled), node and age. Start here for component-down, pod-not-running and pod-restarted alerts, and to " +
    "learn the exact pod names the other tools need.",
  command: "GET_PODS_DATA",
  inputSchema: executionOnlySchema,
  toParameters: () => ({}),
});

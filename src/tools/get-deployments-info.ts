import { defineCommandTool } from "./command-tool.ts";
import { executionOnlySchema } from "./tool-schemas.ts";

export const getDeploymentsInfoTool = defineCommandTool({
  name: "get_deployments_info",
  description:
    "Lists the deployments of the incident's cluster: replicas desired vs ready, image and version, resource " +
    "requests/limits. Use it to spot a scaled-down or unavailable component, a recent image change, or tight limits.",
  command: "GET_DEPLOYMENTS_INFO",
  inputSchema: executionOnlySchema,
  toParameters: () => ({}),
});

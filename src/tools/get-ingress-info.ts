import { defineCommandTool } from "./command-tool.ts";
import { executionOnlySchema } from "./tool-schemas.ts";

export const getIngressInfoTool = defineCommandTool({
  name: "get_ingress_info",
  description:
    "Ingress of the incident's cluster: hosts, rules, backends and the load-balancer address. Use it for DNS, " +
    "domain-resolution and reachability alerts; an empty address means the load balancer was never provisioned.",
  command: "GET_INGRESS_INFO",
  inputSchema: executionOnlySchema,
  toParameters: () => ({}),
});

import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { executionIdSchema, podNameSchema } from "./tool-schemas.ts";

export const getTopOutputTool = defineCommandTool({
  name: "get_top_output",
  description:
    "`top` output (CPU and memory by process) from inside a pod; without a pod, the in-cluster agent's default " +
    "target. Use it to find the hot process behind a CPU or heap alert.",
  command: "GET_TOP_OUTPUT_FROM_POD",
  inputSchema: z
    .object({ executionId: executionIdSchema, pod: podNameSchema.optional().describe("Pod to look inside; omit for the default") })
    .strict(),
  toParameters: ({ pod }) => (pod === undefined ? {} : { podName: pod }),
});

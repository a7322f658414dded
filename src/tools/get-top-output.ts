import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { executionIdSchema, podNameSchema } from "./tool-schemas.ts";

export const getTopOutputTool = defineCommandTool({
  name: "get_top_output",
  description:
    "`top` output: CPU and memory per process inside one pod, or per pod when no pod is given. Use it to find the " +
    "hot pod or process behind a CPU or heap alert.",
  command: "GET_TOP_OUTPUT_FROM_POD",
  inputSchema: z
    .object({ executionId: executionIdSchema, pod: podNameSchema.optional().describe("Pod to look inside; omit for all pods") })
    .strict(),
  toParameters: ({ pod }) => (pod === undefined ? {} : { podName: pod }),
});

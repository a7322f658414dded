import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { executionIdSchema, podNameSchema } from "./tool-schemas.ts";

export const getThreadDumpTool = defineCommandTool({
  name: "get_thread_dump",
  description:
    "Takes a JVM thread dump of one Conductor pod and uploads it. Returns only the storage paths of the dump files, " +
    "not the threads themselves: cite the paths so a human can open them. Use it for unexplained high CPU or a hung " +
    "server, after identifying the pod.",
  command: "DOWNLOAD_THREAD_DUMP",
  inputSchema: z.object({ executionId: executionIdSchema, pod: podNameSchema }).strict(),
  toParameters: ({ pod }) => ({ podName: pod }),
});

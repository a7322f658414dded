import { z } from "zod";
import { defineCommandTool } from "./command-tool.ts";
import { executionIdSchema, podNameSchema } from "./tool-schemas.ts";

export const getPodEventsTool = defineCommandTool({
  name: "get_pod_events",
  description:
    "Kubernetes events of one pod (type, reason, message, count, age — like `kubectl get events`). Use it after " +
    "get_pods_data for a pod that restarted, is not ready or not running: shows OOMKilled, CrashLoopBackOff, " +
    "ImagePullBackOff, failing probes, scheduling failures.",
  command: "GET_POD_EVENTS",
  inputSchema: z.object({ executionId: executionIdSchema, pod: podNameSchema }).strict(),
  toParameters: ({ pod }) => ({ podName: pod }),
  describeEmpty: ({ pod }) => `GET_POD_EVENTS completed but found no events for pod ${pod} (events expire after about an hour).`,
});

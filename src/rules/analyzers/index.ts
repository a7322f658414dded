import type { Analyzer } from "../types.ts";
import { analyzeAlertIssues } from "./analyze-alert-issues.ts";
import { analyzeDeciderQueue } from "./analyze-decider-queue.ts";
import { analyzeExecutionStatus } from "./analyze-execution-status.ts";
import { analyzeHotPod } from "./analyze-hot-pod.ts";
import { analyzeIngress } from "./analyze-ingress.ts";
import { analyzeLogExceptions } from "./analyze-log-exceptions.ts";
import { analyzePodEvents } from "./analyze-pod-events.ts";
import { analyzePodStatuses } from "./analyze-pod-statuses.ts";
import { analyzeThreadDump } from "./analyze-thread-dump.ts";
import { analyzeToolFailures } from "./analyze-tool-failures.ts";

/** Every analyzer runs on every triage; each acts only on the evidence it understands. */
export const ANALYZERS: readonly Analyzer[] = [
  analyzeAlertIssues,
  analyzeExecutionStatus,
  analyzeDeciderQueue,
  analyzePodStatuses,
  analyzePodEvents,
  analyzeLogExceptions,
  analyzeIngress,
  analyzeHotPod,
  analyzeThreadDump,
  analyzeToolFailures,
];

export {
  analyzeAlertIssues,
  analyzeDeciderQueue,
  analyzeExecutionStatus,
  analyzeHotPod,
  analyzeIngress,
  analyzeLogExceptions,
  analyzePodEvents,
  analyzePodStatuses,
  analyzeThreadDump,
  analyzeToolFailures,
};

import type { Analyzer } from "../../types.ts";
import { analyzeAgentLogs } from "./analyze-agent-logs.ts";
import { analyzeAlertIssues } from "./analyze-alert-issues.ts";
import { analyzeCapacityChanges } from "./analyze-capacity-changes.ts";
import { analyzeCertificates } from "./analyze-certificates.ts";
import { analyzeChallengeRedirect } from "./analyze-challenge-redirect.ts";
import { analyzeClockSkew } from "./analyze-clock-skew.ts";
import { analyzeCrashErrors } from "./analyze-crash-errors.ts";
import { analyzeControllerLogs } from "./analyze-controller-logs.ts";
import { analyzeDbSessions } from "./analyze-db-sessions.ts";
import { analyzeDeciderQueue } from "./analyze-decider-queue.ts";
import { analyzeDeployments } from "./analyze-deployments.ts";
import { analyzeDnsLoad } from "./analyze-dns-load.ts";
import { analyzeDrainStopped } from "./analyze-drain-stopped.ts";
import { analyzeDnsRecords } from "./analyze-dns-records.ts";
import { analyzeErrorSinceChange } from "./analyze-error-since-change.ts";
import { analyzeExecutionStatus } from "./analyze-execution-status.ts";
import { analyzeExternalWaits } from "./analyze-external-waits.ts";
import { analyzeHotPod } from "./analyze-hot-pod.ts";
import { analyzeIngress } from "./analyze-ingress.ts";
import { analyzeJvmHeadroom } from "./analyze-jvm-headroom.ts";
import { analyzeKnownIssues } from "./analyze-known-issues.ts";
import { analyzeLbHealthCheck } from "./analyze-lb-health-check.ts";
import { analyzeLockHolders } from "./analyze-lock-holders.ts";
import { analyzeLogExceptions } from "./analyze-log-exceptions.ts";
import { analyzeLogMessages } from "./analyze-log-messages.ts";
import { analyzeNetworkPolicies } from "./analyze-network-policies.ts";
import { analyzeNoisyNeighbour } from "./analyze-noisy-neighbour.ts";
import { analyzePendingTasks } from "./analyze-pending-tasks.ts";
import { analyzePodEvents } from "./analyze-pod-events.ts";
import { analyzePodStatuses } from "./analyze-pod-statuses.ts";
import { analyzeQuotaUsage } from "./analyze-quota-usage.ts";
import { analyzePollStorm } from "./analyze-poll-storm.ts";
import { analyzePoolSize } from "./analyze-pool-size.ts";
import { analyzeProbeTargets } from "./analyze-probe-targets.ts";
import { analyzeRecentChanges } from "./analyze-recent-changes.ts";
import { analyzeRetryStorm } from "./analyze-retry-storm.ts";
import { analyzeRedisCommands } from "./analyze-redis-commands.ts";
import { analyzeRunawayLoop } from "./analyze-runaway-loop.ts";
import { analyzeSaturation } from "./analyze-saturation.ts";
import { analyzeSearchBackend } from "./analyze-search-backend.ts";
import { analyzeSqlRows } from "./analyze-sql-rows.ts";
import { analyzeTableScans } from "./analyze-table-scans.ts";
import { analyzeTableBloat } from "./analyze-table-bloat.ts";
import { analyzeDependencyAuth } from "./analyze-dependency-auth.ts";
import { analyzeVersionSplit } from "./analyze-version-split.ts";
import { analyzeTaskTimings } from "./analyze-task-timings.ts";
import { analyzeThreadDump } from "./analyze-thread-dump.ts";
import { analyzeToolFailures } from "./analyze-tool-failures.ts";
import { analyzeVolumeZone } from "./analyze-volume-zone.ts";
import { analyzeWorkloadShape } from "./analyze-workload-shape.ts";

/** Every analyzer runs on every triage; each acts only on the evidence it understands. */
export const ANALYZERS: readonly Analyzer[] = [
  analyzeAlertIssues,
  analyzeExecutionStatus,
  analyzeDeciderQueue,
  analyzeSqlRows,
  analyzePendingTasks,
  analyzeExternalWaits,
  analyzeRunawayLoop,
  analyzeRedisCommands,
  analyzeTableScans,
  analyzeTableBloat,
  analyzeDependencyAuth,
  analyzeVersionSplit,
  analyzeSaturation,
  analyzeDeployments,
  analyzeQuotaUsage,
  analyzeRecentChanges,
  analyzeCapacityChanges,
  analyzePodStatuses,
  analyzePodEvents,
  analyzeVolumeZone,
  analyzeProbeTargets,
  analyzeJvmHeadroom,
  analyzeLogExceptions,
  analyzeCrashErrors,
  analyzeAgentLogs,
  analyzeErrorSinceChange,
  analyzeLogMessages,
  analyzeSearchBackend,
  analyzeClockSkew,
  analyzeNetworkPolicies,
  analyzeIngress,
  analyzeLbHealthCheck,
  analyzeControllerLogs,
  analyzeDnsRecords,
  analyzeCertificates,
  analyzeChallengeRedirect,
  analyzeDbSessions,
  analyzeLockHolders,
  analyzeWorkloadShape,
  analyzeDrainStopped,
  analyzeRetryStorm,
  analyzePollStorm,
  analyzePoolSize,
  analyzeDnsLoad,
  analyzeHotPod,
  analyzeNoisyNeighbour,
  analyzeTaskTimings,
  analyzeThreadDump,
  analyzeKnownIssues,
  analyzeToolFailures,
];

export {
  analyzeAlertIssues,
  analyzeCapacityChanges,
  analyzeCertificates,
  analyzeChallengeRedirect,
  analyzeClockSkew,
  analyzeControllerLogs,
  analyzeCrashErrors,
  analyzeDbSessions,
  analyzeDeciderQueue,
  analyzeDeployments,
  analyzeExecutionStatus,
  analyzeExternalWaits,
  analyzeHotPod,
  analyzeIngress,
  analyzeJvmHeadroom,
  analyzeLogExceptions,
  analyzeLogMessages,
  analyzePodEvents,
  analyzePodStatuses,
  analyzeQuotaUsage,
  analyzeProbeTargets,
  analyzeRecentChanges,
  analyzeRedisCommands,
  analyzeRunawayLoop,
  analyzeSaturation,
  analyzeSearchBackend,
  analyzeSqlRows,
  analyzeTaskTimings,
  analyzeThreadDump,
  analyzeToolFailures,
  analyzeVolumeZone,
  analyzeWorkloadShape,
};

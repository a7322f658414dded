import type { ReadOnlyCommand, CommandParameters } from "./commands.ts";

/** What a command workflow is run against; derived from the failing health-check execution. */
export interface ClusterContext {
  executionId: string;
  organizationId: string;
  organizationName: string;
  clusterName: string;
  clusterId: string | null;
  cloudEnvironmentTag: string;
  /** `<orgId>#-#<clusterName>`: the in-cluster agent's task domain and the correlation id. */
  taskDomain: string;
}

export const TERMINAL_STATUSES = ["COMPLETED", "FAILED", "TERMINATED", "TIMED_OUT"] as const;

export interface CommandOutcome {
  command: ReadOnlyCommand;
  workflowId: string | null;
  /** Workflow status, or DEADLINE when our wait ran out, or START_FAILED when it never started. */
  status: "COMPLETED" | "FAILED" | "TERMINATED" | "TIMED_OUT" | "PAUSED" | "DEADLINE" | "START_FAILED";
  output: unknown;
  reason: string | null;
  /**
   * True when Conductor itself failed the command (unreachable, timed out, 5xx on the start or on
   * every read), as opposed to the command running and reporting something.
   */
  transport?: boolean;
  durationMs: number;
}

/** Dispatches one allow-listed command and waits for it; never throws for a failed command. */
export interface CommandRunner {
  run<C extends ReadOnlyCommand>(
    context: ClusterContext,
    command: C,
    parameters: CommandParameters<C>,
    /** `callKey`: one per triage; makes the agentHandlerId of each call deterministic (idempotent starts). */
    options?: { signal?: AbortSignal; timeoutMs?: number; callKey?: string },
  ): Promise<CommandOutcome>;
}

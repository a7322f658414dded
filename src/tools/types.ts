import type { z } from "zod";
import type { ClusterContext, CommandRunner } from "../conductor/types.ts";
import type { HealthCheckExecution } from "../conductor/health-check.ts";

export type ToolStatus = "ok" | "error" | "no_data";

/** What a tool hands back. Expected failures are results, never exceptions. */
export interface ToolResult {
  status: ToolStatus;
  /** Compact text for the model, already cut to the output budget. */
  output: string;
  /** The parsed output for the rules engine (untruncated), when there was one. */
  data?: unknown;
  /** The command dispatched, if any, for audit. */
  command?: string;
  durationMs: number;
  /** Present when `output` was cut: how many characters were kept of how many. */
  truncated?: { keptChars: number; totalChars: number };
  /**
   * Set when the call yielded nothing for a reason outside the cluster: Conductor failed in
   * transit (unreachable, timeouts, 5xx), or the triage's signal (deadline, shutdown) cut it.
   */
  failure?: "transport" | "cancelled";
}

/** Per-triage context a tool runs in. The model never supplies org or cluster. */
export interface ToolContext {
  executionId: string;
  /** Aborts at the triage's deadline or on shutdown; its reason says which. */
  signal?: AbortSignal;
  /** One per triage: each command's agentHandlerId is derived from it, so a lost start can be looked up. */
  runKey?: string;
}

/** Shared services the tools are built over (created once per process). */
export interface ToolDeps {
  runner: CommandRunner;
  /** Reads (and caches) the failing execution and its cluster context. */
  readExecution(executionId: string, signal?: AbortSignal): Promise<{ execution: HealthCheckExecution; context: ClusterContext }>;
  outputBudget: number;
  commandTimeoutMs: number;
}

export interface Tool<S extends z.ZodType = z.ZodType> {
  name: string;
  /** Model-facing: when to use it and what it returns. */
  description: string;
  inputSchema: S;
  execute(input: z.output<S>, ctx: ToolContext): Promise<ToolResult>;
}

/** One tool call as recorded for stats, audit and eval. */
export interface ToolCallRecord {
  name: string;
  input: unknown;
  result: ToolResult;
  /** True when an identical earlier call's result was reused instead of running it again. */
  cached: boolean;
}

/**
 * Runs tools by name for one triage: validates input with the tool's zod schema, pins the
 * execution id to the triage's own (the model cannot point a tool elsewhere), turns exceptions
 * into error results, and reuses the result of an identical repeated call.
 */
export interface ToolInvoker {
  call(name: string, input: unknown): Promise<ToolResult & { cached: boolean }>;
  /** Runs a call whose earlier result was a transient failure once more (the cache would repeat the failure). Optional. */
  retry?(name: string, input: unknown): Promise<ToolResult & { cached: boolean }>;
  readonly calls: readonly ToolCallRecord[];
}

/** The tool names (issue contract). */
export const TOOL_NAMES = [
  "get_incident_details",
  "get_cluster_metrics",
  "get_infrastructure_metrics",
  "get_pods_data",
  "get_deployments_info",
  "get_pod_events",
  "get_top_output",
  "pull_pod_logs",
  "get_ingress_info",
  "get_thread_dump",
  "run_sql_select",
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

import { z } from "zod";
import type { ReadOnlyWorkflow } from "./commands.ts";

/**
 * The Conductor response shapes the bot reads (domain.md §3), in one place so a difference
 * found on a live server is a one-line change. Objects are loose: unknown fields pass through.
 */
export const WORKFLOW_STATUSES = ["RUNNING", "COMPLETED", "FAILED", "TERMINATED", "TIMED_OUT", "PAUSED"] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

const record = z.record(z.string(), z.unknown());

export const tokenResponseSchema = z.looseObject({ token: z.string().min(1) });

export const taskSchema = z.looseObject({
  referenceTaskName: z.string().optional(),
  taskType: z.string().optional(),
  status: z.string().optional(),
  reasonForIncompletion: z.string().nullish(),
  outputData: record.nullish(),
});
export type Task = z.output<typeof taskSchema>;

export const workflowSchema = z.looseObject({
  workflowId: z.string().min(1),
  workflowName: z.string().optional(),
  workflowType: z.string().optional(),
  correlationId: z.string().nullish(),
  status: z.enum(WORKFLOW_STATUSES),
  input: record.nullish().transform((v) => v ?? {}),
  /** Command outputs vary with the agent's version: JSON of any shape, or text (domain.md §5). */
  output: z.unknown().optional(),
  reasonForIncompletion: z.string().nullish(),
  tasks: z
    .array(taskSchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type Workflow = z.output<typeof workflowSchema>;

export const workflowSummarySchema = z.looseObject({
  workflowId: z.string().min(1),
  workflowType: z.string().optional(),
  status: z.string().optional(),
  correlationId: z.string().nullish(),
  startTime: z.union([z.string(), z.number()]).optional(),
});

export const searchResultSchema = z.looseObject({
  totalHits: z.number(),
  results: z
    .array(workflowSummarySchema)
    .nullish()
    .transform((v) => v ?? []),
});
export type SearchResult = z.output<typeof searchResultSchema>;

/** The start-workflow id comes back as plain text; accept a JSON-quoted string as well. */
export const workflowIdTextSchema = z
  .string()
  .transform((text) => text.trim().replace(/^"(.*)"$/, "$1"))
  .pipe(z.string().regex(/^[\w-]{1,128}$/, "expected a workflow id"));

/** Only the command workflows of the allow-list can be started (see commands.ts). */
export interface StartWorkflowRequest {
  name: ReadOnlyWorkflow;
  version?: number;
  correlationId?: string;
  input: Record<string, unknown>;
  taskToDomain?: Record<string, string>;
}

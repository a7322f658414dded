import { z } from "zod";

/** Which engine produced a report. `rules` standing in for the model says why in `fallbackReason`. */
export const ENGINES = ["claude", "rules"] as const;
export type Engine = (typeof ENGINES)[number];

export const findingSchema = z.object({
  text: z.string().trim().min(1).max(600).describe("One piece of evidence, with the concrete number, name or log line"),
  tool: z.string().trim().min(1).max(60).describe("The tool the evidence came from, e.g. get_pod_events"),
  callId: z.string().trim().min(1).max(40).optional().describe('The id of the call it came from (the "call c3" line of its result)'),
  excerpt: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe("A verbatim excerpt (at most 200 characters) of that call's output holding every number and name the text states"),
});

/** What the model must submit (the `submit_report` tool's input). */
export const modelReportSchema = z.object({
  issue: z.string().trim().min(1).max(300).describe("One line: what is wrong, on which cluster"),
  severity: z.enum(["CRITICAL", "MAJOR", "MINOR", "WARNING", "UNKNOWN"]),
  findings: z.array(findingSchema).min(2).max(5).describe("2-5 findings, each naming the tool it came from"),
  likelyRootCause: z
    .string()
    .trim()
    .min(1)
    .max(1200)
    .describe('The most likely root cause, or "Inconclusive — needs a human" followed by what to check'),
  confidence: z.enum(["low", "medium", "high"]),
  nextStep: z.string().trim().min(1).max(600).describe("One action for a human; the bot never acts"),
  appOrInfra: z.enum(["app", "infra", "unknown"]).describe("Whether the cause is in the application or the infrastructure"),
  ruledOut: z
    .array(z.string().trim().min(1).max(300))
    .max(6)
    .optional()
    .describe('What the evidence rules out, e.g. "ingress has an address", "no OOMKilled"'),
});
export type ModelReport = z.output<typeof modelReportSchema>;

export interface TriageStats {
  engine: Engine;
  /** Set when the rules engine stood in for the model, or the report was degraded. */
  fallbackReason: string | null;
  toolCalls: number;
  turns: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  durationMs: number;
  /** Commands dispatched, in order, for audit and eval. */
  commands: string[];
  /** Findings dropped because their excerpt or their numbers/names were not in the cited call's output. */
  findingsDropped: number;
  /** Why each of the rules engine's calls was made (the lead it followed), in order. */
  callReasons: { tool: string; reason: string }[];
}

/** The record every engine fills and every renderer reads. Rules may cite a single finding. */
export const reportSchema = modelReportSchema.extend({
  findings: z.array(findingSchema).min(1).max(5),
});
export type Report = z.output<typeof reportSchema> & { stats: TriageStats };

export function emptyStats(engine: Engine): TriageStats {
  return {
    engine,
    fallbackReason: null,
    toolCalls: 0,
    turns: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    durationMs: 0,
    commands: [],
    findingsDropped: 0,
    callReasons: [],
  };
}

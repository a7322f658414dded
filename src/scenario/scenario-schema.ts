import { z } from "zod";
import { ISSUE_TYPES } from "../alerts/types.ts";
import { modelReportSchema } from "../report/schema.ts";
import { TOOL_NAMES } from "../tools/types.ts";

/**
 * One scenario folder (scenarios/NN_snake_name/scenario.json): the alert, the failing
 * health-check execution, what each agent-handler command answers, the scripted model's turns,
 * and the facts a correct report must state.
 */
const SUBMIT_REPORT = "submit_report";

export const SCENARIO_TAGS = ["multi-issue", "red-herring", "timed-out", "digest", "fault", "self-describing"] as const;

/** A file name inside the scenario folder (no absolute paths, no `..`). */
const localFile = z.string().regex(/^(?!\/)(?!.*\.\.)[\w./-]+$/, "must be a file name inside the scenario folder");

/**
 * What one command answers. `output` is served as the workflow output as is; `text` (or the
 * contents of `file`) is served as plain text, or as `{[key]: text}` when `key` is set.
 * PULL_LOGS applies `grep` and the `lines` tail to the text.
 */
const commandOutputFields = z
  .object({
    output: z.unknown().optional(),
    text: z.string().optional(),
    file: localFile.optional(),
    /** How `file` is read: as text (default), or as JSON served as `output` (a captured object answer). */
    format: z.enum(["text", "json"]).optional(),
    key: z.string().min(1).optional(),
    status: z.enum(["COMPLETED", "FAILED", "TIMED_OUT"]).default("COMPLETED"),
    reason: z.string().optional(),
    /** Overrides the sandbox's command delay for this answer. */
    delayMs: z.number().int().nonnegative().optional(),
  })
  .strict();

const hasContent = (c: { output?: unknown; text?: string; file?: string; status: string }) =>
  c.output !== undefined || c.text !== undefined || c.file !== undefined || c.status !== "COMPLETED";
const contentMessage = { message: "a COMPLETED command needs output, text or file" };

export const commandOutputSchema = commandOutputFields.refine(hasContent, contentMessage);
export type CommandOutput = z.output<typeof commandOutputSchema>;

/** Per-pod answers keyed by pod name; "*" answers for any other pod (or no pod). */
const perPod = z.record(z.string().min(1), commandOutputSchema);

/** `match` is a case-insensitive regular expression on the query; the first match answers, no `match` = default. */
const sqlAnswer = commandOutputFields.extend({ match: z.string().min(1).optional() }).refine(hasContent, contentMessage);
export type SqlAnswer = z.output<typeof sqlAnswer>;

export const commandsSchema = z
  .object({
    GET_CLUSTER_METRICS: commandOutputSchema,
    GET_INFRASTRUCTURE_METRICS: commandOutputSchema,
    GET_PODS_DATA: commandOutputSchema,
    GET_DEPLOYMENTS_INFO: commandOutputSchema,
    GET_INGRESS_INFO: commandOutputSchema,
    GET_POD_EVENTS: perPod,
    PULL_LOGS: perPod,
    GET_TOP_OUTPUT_FROM_POD: perPod,
    DOWNLOAD_THREAD_DUMP: perPod,
    SQL_CONDUCTOR: z.array(sqlAnswer).min(1),
  })
  .partial()
  .strict();
export type ScenarioCommands = z.output<typeof commandsSchema>;

const slackMessageSchema = z.looseObject({
  text: z.string(),
  blocks: z.array(z.record(z.string(), z.unknown())).optional(),
  attachments: z.array(z.record(z.string(), z.unknown())).optional(),
  bot_id: z.string().optional(),
  user: z.string().optional(),
  username: z.string().optional(),
  subtype: z.string().optional(),
});
export type SlackMessageInput = z.output<typeof slackMessageSchema>;

const taskSchema = z.looseObject({
  referenceTaskName: z.string().min(1),
  taskType: z.string().min(1),
  status: z.string().min(1),
  outputData: z.record(z.string(), z.unknown()).optional(),
});

export const executionSchema = z.looseObject({
  workflowId: z.uuid(),
  workflowName: z.literal("health_check"),
  status: z.enum(["FAILED", "COMPLETED", "TIMED_OUT", "TERMINATED"]),
  input: z.record(z.string(), z.unknown()),
  output: z.record(z.string(), z.unknown()).default({}),
  reasonForIncompletion: z.string().nullable().default(null),
  tasks: z.array(taskSchema),
});
export type ScenarioExecution = z.output<typeof executionSchema>;

const toolCallSchema = z.object({ name: z.string().min(1), input: z.record(z.string(), z.unknown()).default({}) }).strict();
const turnSchema = z.object({ text: z.string().min(1).optional(), calls: z.array(toolCallSchema).default([]) }).strict();
export type ScriptTurn = z.output<typeof turnSchema>;

export const scenarioFileSchema = z
  .object({
    id: z.string().regex(/^\d{2}_[a-z0-9_]+$/, "must look like NN_snake_name"),
    title: z.string().min(1),
    /** The issue types the alert reports (empty for a timed-out health check). */
    issueTypes: z.array(z.enum(ISSUE_TYPES)),
    tags: z.array(z.enum(SCENARIO_TAGS)).default([]),
    alert: z.object({ message: slackMessageSchema }).strict(),
    execution: executionSchema,
    commands: commandsSchema.default({}),
    script: z.array(turnSchema).min(1),
    truth: z
      .object({
        rootCause: z.string().min(1),
        /** Each entry must appear; an array entry is a set of alternatives (any one of them). */
        requiredKeywords: z.array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).min(1),
        forbiddenClaims: z.array(z.string().min(1)).default([]),
        /** Wrong causes (case-insensitive substrings) that must not appear in the root-cause field. */
        wrongCauses: z.array(z.string().min(1)).default([]),
      })
      .strict(),
  })
  .strict()
  .superRefine((scenario, ctx) => {
    const toolNames: readonly string[] = TOOL_NAMES;
    scenario.script.forEach((turn, t) =>
      turn.calls.forEach((call, c) => {
        const path = ["script", t, "calls", c];
        const isLast = t === scenario.script.length - 1;
        if (call.name === SUBMIT_REPORT) {
          if (!isLast) ctx.addIssue({ code: "custom", path: [...path, "name"], message: "submit_report belongs in the last turn only" });
          const report = modelReportSchema.safeParse(call.input);
          for (const issue of report.error?.issues ?? []) {
            ctx.addIssue({ code: "custom", path: [...path, "input", ...issue.path.map(String)], message: issue.message });
          }
        } else if (!toolNames.includes(call.name)) {
          ctx.addIssue({ code: "custom", path: [...path, "name"], message: `"${call.name}" is not a tool (${TOOL_NAMES.join(", ")})` });
        }
      }),
    );
    if (!scenario.script.at(-1)?.calls.some((c) => c.name === SUBMIT_REPORT)) {
      ctx.addIssue({ code: "custom", path: ["script"], message: "the last turn must call submit_report" });
    }
    if (!readRouting(scenario.execution)) {
      ctx.addIssue({
        code: "custom",
        path: ["execution", "input"],
        message: "needs organizationId (or customerId) and clusterName (or agentHandlerRequest.clusterName)",
      });
    }
  });
export type ScenarioFile = z.output<typeof scenarioFileSchema>;

/** A loaded scenario: the file with every `file` reference read into `text`. */
export type Scenario = ScenarioFile & { dir: string; routing: ScenarioRouting };

export interface ScenarioRouting {
  organizationId: string;
  clusterName: string;
  /** `<orgId>#-#<clusterName>`: the correlation id and task domain commands must carry. */
  taskDomain: string;
}

/** The routing a command for this execution must carry, read with the documented fallbacks. */
export function readRouting(execution: { input: Record<string, unknown> }): ScenarioRouting | null {
  const input = execution.input;
  const request = input.agentHandlerRequest as Record<string, unknown> | undefined;
  const organizationId = stringOrNull(input.organizationId) ?? stringOrNull(input.customerId);
  const clusterName = stringOrNull(input.clusterName) ?? stringOrNull(request?.clusterName);
  if (!organizationId || !clusterName) return null;
  return { organizationId, clusterName, taskDomain: `${organizationId}#-#${clusterName}` };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

import { ISSUE_TYPES, type Alert, type KnownIssueType } from "../alerts/types.ts";
import type { Workflow } from "../conductor/schemas.ts";
import { OncallError } from "../lib/errors.ts";
import { modelReportSchema, type Report } from "../report/schema.ts";
import { scenarioFileSchema, type ScenarioFile, type SlackMessageInput } from "../scenario/scenario-schema.ts";
import type { CaptureRedactor } from "./redact-capture.ts";
import type { RecordedCall } from "./record-commands.ts";

/** Marks the ground truth a human must still write; the eval scores a TODO truth as missed. */
export const TRUTH_TODO = "TODO";

export interface CaptureInput {
  /** The scenario id and folder name (NN_snake_name). */
  id: string;
  alertMessage: SlackMessageInput;
  alert: Alert;
  workflow: Workflow;
  calls: readonly RecordedCall[];
  report: Report;
  /** Overrides the TODO truth (`feedback export`: the on-call's own root cause). */
  truth?: { rootCause: string; requiredKeywords: string[] };
}

export interface CapturedScenario {
  scenario: ScenarioFile;
  /** Every file of the folder but scenario.json, by name inside the folder. */
  files: Record<string, string>;
}

const PER_POD = new Set(["GET_POD_EVENTS", "PULL_LOGS", "GET_TOP_OUTPUT_FROM_POD", "DOWNLOAD_THREAD_DUMP"]);
const SERVED_STATUS: Record<RecordedCall["status"], "COMPLETED" | "FAILED" | "TIMED_OUT"> = {
  COMPLETED: "COMPLETED",
  FAILED: "FAILED",
  TERMINATED: "FAILED",
  START_FAILED: "FAILED",
  TIMED_OUT: "TIMED_OUT",
  DEADLINE: "TIMED_OUT",
  PAUSED: "TIMED_OUT",
};

/**
 * A live triage as a scenario folder (pure): the alert, the execution, one file per command call
 * with its raw output, the report as the script's submit_report, and a TODO truth. Everything
 * passes through `redact`. Throws `capture_invalid` when the result would not load as a scenario.
 */
export function buildCapturedScenario(input: CaptureInput, redact: CaptureRedactor): CapturedScenario {
  const files: Record<string, string> = {};
  const commands: Record<string, unknown> = {};
  input.calls.forEach((call, index) => {
    const answer = toAnswer(call, index, files, redact);
    placeAnswer(commands, call, answer, redact);
  });

  const report = toSubmittedReport(input.report, input.calls, redact);
  const issueTypes = [...new Set(input.alert.issues.map((i) => i.type).filter(isKnownIssueType))];
  const truth = input.truth ?? {
    rootCause: `${TRUTH_TODO}: write the confirmed root cause (the triage said: ${report.likelyRootCause})`.slice(0, 2000),
    requiredKeywords: [TRUTH_TODO],
  };
  const raw = {
    id: input.id,
    title: redact.text(`Captured: ${input.report.issue}`).slice(0, 200),
    issueTypes,
    tags: [],
    alert: { message: redact.json(input.alertMessage) },
    execution: redact.json(toExecution(input.workflow)),
    commands,
    script: [{ calls: [{ name: "submit_report", input: report }] }],
    truth: { ...truth, forbiddenClaims: [], wrongCauses: [] },
  };
  const parsed = scenarioFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new OncallError("capture_invalid", `the captured triage does not make a valid scenario: ${problems}`);
  }
  return { scenario: parsed.data, files };
}

function toAnswer(call: RecordedCall, index: number, files: Record<string, string>, redact: CaptureRedactor): Record<string, unknown> {
  const status = SERVED_STATUS[call.status];
  const answer: Record<string, unknown> = { status };
  if (status !== "COMPLETED" || call.reason) answer.reason = redact.text(call.reason ?? `${call.command} ended ${call.status}`);
  if (call.output === null || call.output === undefined) {
    // A command that never answered has no output; the served status and reason say what happened.
    if (status === "COMPLETED") answer.output = {};
    return answer;
  }
  const pod = typeof call.parameters.podName === "string" ? `-${slug(call.parameters.podName)}` : "";
  const base = `calls/${String(index + 1).padStart(2, "0")}-${call.command.toLowerCase().replace(/_/g, "-")}${pod}`;
  const single = singleTextField(call.output);
  if (typeof call.output === "string") {
    files[`${base}.txt`] = redact.text(call.output);
    answer.file = `${base}.txt`;
  } else if (single) {
    files[`${base}.txt`] = redact.text(single.text);
    Object.assign(answer, { file: `${base}.txt`, key: single.key });
  } else {
    files[`${base}.json`] = `${JSON.stringify(redact.json(call.output), null, 2)}\n`;
    Object.assign(answer, { file: `${base}.json`, format: "json" });
  }
  return answer;
}

/** Where the sandbox looks the answer up: per pod, per SQL query, or once per command (the first call wins). */
function placeAnswer(commands: Record<string, unknown>, call: RecordedCall, answer: Record<string, unknown>, redact: CaptureRedactor): void {
  if (PER_POD.has(call.command)) {
    const pods = (commands[call.command] ??= {}) as Record<string, unknown>;
    const pod = typeof call.parameters.podName === "string" && call.parameters.podName ? call.parameters.podName : "*";
    pods[pod] ??= answer;
  } else if (call.command === "SQL_CONDUCTOR") {
    const answers = (commands.SQL_CONDUCTOR ??= []) as unknown[];
    const query = redact.text(String(call.parameters.query ?? ""));
    answers.push({ match: `^${escapeRegExp(query)}$`, ...answer });
  } else {
    commands[call.command] ??= answer;
  }
}

function singleTextField(output: unknown): { key: string; text: string } | null {
  if (output === null || typeof output !== "object" || Array.isArray(output)) return null;
  const entries = Object.entries(output);
  const [entry] = entries;
  return entries.length === 1 && entry && typeof entry[1] === "string" ? { key: entry[0], text: entry[1] } : null;
}

/** The report as the model would have submitted it; a one-finding rules report gets the list of commands as its second. */
function toSubmittedReport(report: Report, calls: readonly RecordedCall[], redact: CaptureRedactor) {
  const { stats, ...fields } = report;
  const findings = [...fields.findings];
  if (findings.length < 2) {
    const ran = calls.map((c) => c.command).join(", ") || "none";
    findings.push({ text: `The ${stats.engine} engine ran these commands: ${ran}`.slice(0, 600), tool: "capture" });
  }
  const submitted = redact.json({ ...fields, findings });
  const checked = modelReportSchema.safeParse(submitted);
  if (!checked.success) {
    const problems = checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new OncallError("capture_invalid", `the triage's report cannot be replayed as submit_report: ${problems}`);
  }
  return checked.data;
}

function toExecution(workflow: Workflow): Record<string, unknown> {
  return {
    workflowId: workflow.workflowId,
    workflowName: workflow.workflowName ?? workflow.workflowType ?? "",
    status: workflow.status,
    input: workflow.input,
    output: isRecord(workflow.output) ? workflow.output : {},
    reasonForIncompletion: workflow.reasonForIncompletion ?? null,
    tasks: workflow.tasks.map((task) => ({
      ...task,
      referenceTaskName: task.referenceTaskName ?? task.taskType ?? "task",
      taskType: task.taskType ?? task.referenceTaskName ?? "task",
      status: task.status ?? "UNKNOWN",
      ...(task.outputData ? { outputData: task.outputData } : { outputData: undefined }),
    })),
  };
}

function isKnownIssueType(type: string): type is KnownIssueType {
  return (ISSUE_TYPES as readonly string[]).includes(type);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "pod";
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

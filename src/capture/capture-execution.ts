import { parseAlert } from "../alerts/index.ts";
import { readHealthCheck } from "../conductor/health-check.ts";
import type { Workflow } from "../conductor/schemas.ts";
import { OncallError, UsageError, errorMessage } from "../lib/errors.ts";
import type { Report } from "../report/schema.ts";
import type { SlackMessageInput } from "../scenario/scenario-schema.ts";
import type { Triager } from "../triage/types.ts";
import { synthesizeAlertMessage } from "./alert-source.ts";
import { buildCapturedScenario, type CaptureInput } from "./build-scenario.ts";
import type { RecordedCall } from "./record-commands.ts";
import { createCaptureRedactor } from "./redact-capture.ts";
import { nextCaptureId, writeCapturedScenario } from "./write-scenario.ts";

export interface CaptureDeps {
  triager: Triager;
  readWorkflow(executionId: string): Promise<Workflow>;
  /** The calls the recording runner saw; read after the triage. */
  calls: readonly RecordedCall[];
  /** The alert message from Slack (--alert), or null to write one from the execution. */
  fetchAlert: (() => Promise<SlackMessageInput>) | null;
  /** The Conductor UI base, for a synthesized alert's execution link. */
  executionUrlBase: string;
  now: () => number;
}

export interface CaptureOptions {
  executionId: string;
  outDir: string;
  engine: string;
  redactIps: boolean;
  knownSecrets: readonly string[];
  /** `feedback export`: the human's root cause as the truth, and a folder prefix. */
  truth?: CaptureInput["truth"];
  prefix?: string;
  source?: Record<string, unknown>;
}

export interface CaptureResult {
  folder: string;
  report: Report;
  calls: number;
  redactions: Record<string, number>;
  synthesizedAlert: boolean;
}

/** One live, read-only triage of `executionId`, written as a scenario folder under `outDir`. */
export async function captureExecution(options: CaptureOptions, deps: CaptureDeps): Promise<CaptureResult> {
  const { executionId } = options;
  const workflow = await deps.readWorkflow(executionId).catch((error: unknown) => {
    throw new OncallError("triage_unreadable", `cannot read execution ${executionId}: ${errorMessage(error)}`, { cause: error });
  });
  const alertMessage = deps.fetchAlert
    ? await deps.fetchAlert()
    : synthesizeAlertMessage(readHealthCheck(workflow), `${deps.executionUrlBase}/execution/${executionId}`);
  const parsed = parseAlert(alertMessage);
  if (!parsed.isAlert) throw new UsageError(`the alert message does not parse as an alert: ${parsed.reason}`);
  if (parsed.alert.executionId.toLowerCase() !== executionId.toLowerCase()) {
    throw new UsageError(`the alert links execution ${parsed.alert.executionId}, not ${executionId}`);
  }
  const id = await nextCaptureId(options.outDir, executionId, options.prefix);
  const report = await deps.triager.triage({ executionId, alert: parsed.alert });

  const redact = createCaptureRedactor({ ips: options.redactIps, knownValues: options.knownSecrets });
  const captured = buildCapturedScenario(
    { id, alertMessage, alert: parsed.alert, workflow, calls: deps.calls, report, ...(options.truth ? { truth: options.truth } : {}) },
    redact,
  );
  const redactions = redact.counts();
  const folder = await writeCapturedScenario(options.outDir, captured, {
    capturedAt: new Date(deps.now()).toISOString(),
    executionId,
    engine: options.engine,
    alert: deps.fetchAlert ? "fetched from Slack" : "synthesized from the execution (no --alert given)",
    commandCalls: deps.calls.length,
    redactions,
    ipsRedacted: options.redactIps,
    ...(options.source ? { source: options.source } : {}),
  });
  return { folder, report, calls: deps.calls.length, redactions, synthesizedAlert: !deps.fetchAlert };
}

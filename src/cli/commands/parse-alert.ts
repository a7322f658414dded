import { parseAlert, readSlackMessage, type AlertIssue, type SlackMessageLike } from "../../alerts/index.ts";
import { EXIT } from "../../lib/errors.ts";
import { readAll, type CliIo } from "../io.ts";

/** The one JSON line `parse-alert` prints; these keys are a contract for scripts. */
export interface ParseAlertOutput {
  isAlert: boolean;
  reason: string | null;
  executionId: string | null;
  severity: string | null;
  organization: string | null;
  cluster: string | null;
  issues: AlertIssue[];
  signature: string | null;
  executionUrl: string | null;
  environment: string | null;
  headline: string | null;
  notes: string[];
}

/**
 * stdin: a Slack message object as JSON, a JSON string (its text), or raw text.
 * Prints one JSON line and exits 0 whether or not the message is an alert.
 */
export async function parseAlertCommand(io: CliIo): Promise<number> {
  if (io.stdin.isTTY === true) io.stderr.write("parse-alert: reading a Slack message (JSON or text) from stdin; end with Ctrl-D\n");
  const input = readInput(await readAll(io.stdin));
  io.stdout.write(`${JSON.stringify(toOutput(input))}\n`);
  return EXIT.ok;
}

function readInput(raw: string): SlackMessageLike | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof value === "string") return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return readSlackMessage(value);
  return raw;
}

function toOutput(input: SlackMessageLike | string): ParseAlertOutput {
  const result = parseAlert(input);
  if (!result.isAlert) {
    return {
      isAlert: false,
      reason: result.reason,
      executionId: null,
      severity: null,
      organization: null,
      cluster: null,
      issues: [],
      signature: null,
      executionUrl: null,
      environment: null,
      headline: null,
      notes: [],
    };
  }
  const { alert } = result;
  return {
    isAlert: true,
    reason: null,
    executionId: alert.executionId,
    severity: alert.severity,
    organization: alert.organization,
    cluster: alert.cluster,
    issues: alert.issues,
    signature: alert.signature,
    executionUrl: alert.executionUrl,
    environment: alert.environment,
    headline: alert.headline,
    notes: alert.notes ?? [],
  };
}

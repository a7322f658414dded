import { OncallError } from "../lib/errors.ts";

/** Stable codes: tests, logs and callers match on these, never on message text. */
export type ConductorErrorCode =
  | "conductor_http"
  | "conductor_timeout"
  | "conductor_network"
  | "conductor_auth"
  | "conductor_malformed"
  | "conductor_aborted"
  | "conductor_context"
  | "conductor_refused";

/** What the failed call was about; everything here is safe to log (no headers, no bodies). */
export interface ConductorRequestInfo {
  method?: string;
  path?: string;
  status?: number;
  workflowId?: string;
  /** The workflow being started, for POST /workflow. */
  workflowName?: string;
  command?: string;
}

export class ConductorError extends OncallError {
  declare readonly code: ConductorErrorCode;
  readonly request: ConductorRequestInfo;

  /**
   * A start that may have been accepted although no answer said so (its response was lost and no
   * lookup could tell): sending it again could run the command twice.
   */
  readonly mayHaveStarted: boolean;

  constructor(code: ConductorErrorCode, message: string, options: { cause?: unknown; request?: ConductorRequestInfo; mayHaveStarted?: boolean } = {}) {
    super(code, message, { cause: options.cause });
    this.name = "ConductorError";
    this.request = options.request ?? {};
    this.mayHaveStarted = options.mayHaveStarted ?? false;
  }

  /** Worth another attempt: the server or the network may answer next time. */
  get isTransient(): boolean {
    return (
      this.code === "conductor_network" ||
      this.code === "conductor_timeout" ||
      (this.code === "conductor_http" && (this.request.status ?? 0) >= 500)
    );
  }
}

/** `GET /workflow/x (workflow x, command GET_PODS_DATA)`: the subject of an error message. */
export function describeRequest(info: ConductorRequestInfo): string {
  const about = [
    info.workflowId && !info.path?.includes(info.workflowId) ? `workflow ${info.workflowId}` : undefined,
    info.workflowName ? `start ${info.workflowName}` : undefined,
    info.command ? `command ${info.command}` : undefined,
  ].filter(Boolean);
  const subject = [info.method, info.path].filter(Boolean).join(" ") || "Conductor request";
  return about.length > 0 ? `${subject} (${about.join(", ")})` : subject;
}

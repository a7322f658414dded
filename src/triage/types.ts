import type { Alert } from "../alerts/types.ts";
import type { Report } from "../report/schema.ts";

export interface TriageRequest {
  executionId: string;
  /** Null when triaging an execution directly (`oncall-agent triage <execId>`). */
  alert: Alert | null;
  signal?: AbortSignal;
}

/** The one step the bot needs from an investigation engine: an execution in, a report out. */
export interface Triager {
  triage(request: TriageRequest): Promise<Report>;
}

import type { Alert } from "../alerts/types.ts";
import type { Report } from "../report/schema.ts";

export interface TriageRequest {
  executionId: string;
  /** Null when triaging an execution directly (`oncall-agent triage <execId>`). */
  alert: Alert | null;
  /** Shutdown: aborting it stops every call at once, and the triage throws `triage_cancelled`. */
  signal?: AbortSignal;
  /**
   * Makes each command's agentHandlerId deterministic per (this key, call), so a start whose
   * answer was lost is found again rather than started twice; e.g. `<channel>:<ts>#<attempt>`.
   * Default: a fresh key per triage.
   */
  runKey?: string;
}

/**
 * The one step the bot needs from an investigation engine: an execution in, a report out.
 * `triage` throws an OncallError with one of TRIAGE_ERROR_CODES (src/lib/errors.ts) instead of
 * returning a report it cannot stand behind: `triage_cancelled` (the shutdown signal aborted it;
 * nothing from it may be posted), `evidence_unavailable` (Conductor failed in transit: the
 * execution could not be read, or every command failed; worth a retry later) and
 * `execution_unreadable` (the execution is missing or malformed; a retry will not help). Its
 * own deadline is not an error: the rules engine answers from what arrived in time.
 */
export interface Triager {
  triage(request: TriageRequest): Promise<Report>;
}

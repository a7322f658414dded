/** Exit codes shared by every command; documented in `--help` and the README. */
export const EXIT = {
  ok: 0,
  /** The command ran and found a problem (SQL rejected, smoke check failed, a triage failed). */
  failure: 1,
  /** The user must fix something: configuration, arguments or input. */
  usage: 2,
  /** Another process holds the state file lock. */
  locked: 3,
} as const;

/**
 * An error that stops one unit of work. `code` is stable (tests and logs match on it),
 * the message says what failed and how to fix it, and `cause` keeps the original.
 */
export class OncallError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "OncallError";
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/**
 * Why a triage gave no report (see Triager in src/triage/types.ts); the bot decides on these:
 * cancelled → back to claimed, evidence unavailable → retry with backoff, unreadable → a note.
 */
export const TRIAGE_ERROR_CODES = ["triage_cancelled", "evidence_unavailable", "execution_unreadable"] as const;
export type TriageErrorCode = (typeof TRIAGE_ERROR_CODES)[number];

/** Bad configuration or arguments: printed without a stack trace, exit code 2. */
export class UsageError extends OncallError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("usage", message, { ...options, exitCode: EXIT.usage });
    this.name = "UsageError";
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

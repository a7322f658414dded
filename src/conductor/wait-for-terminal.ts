import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { TERMINAL_STATUSES } from "./types.ts";
import { ConductorError } from "./errors.ts";
import type { Workflow } from "./schemas.ts";

export interface WaitOptions {
  /** How long to wait, in ms from the call. */
  deadlineMs: number;
  signal?: AbortSignal;
  /**
   * The pause after a poll is `pollLateness` × the time waited so far, kept within
   * [`pollMinMs`, `pollMaxMs`]: a result is seen at most ~5% (or 50 ms) after it is ready, while a
   * long command is polled ever more rarely. Defaults 50 ms / 3000 ms / 0.05.
   */
  pollMinMs?: number;
  pollMaxMs?: number;
  pollLateness?: number;
  /** A workflow PAUSED this long is reported as stuck rather than waited on. Default 15 s. */
  pausedGraceMs?: number;
}

export type WaitResult =
  | { state: "terminal"; status: TerminalStatus; workflow: Workflow }
  /** PAUSED past the grace period (or at the deadline): nobody will resume it for us. */
  | { state: "stuck"; workflow: Workflow }
  /** The deadline passed first; `workflow` is the last state read, if any read succeeded. */
  | { state: "deadline"; workflow: Workflow | null; lastError: ConductorError | null };

/** Reads the workflow with a request timeout no longer than what is left of the deadline. */
export type ReadWorkflow = (timeoutMs: number, signal?: AbortSignal) => Promise<Workflow>;

export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function isTerminalStatus(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/**
 * Polls with a pause proportional to the time already waited (commands finish in seconds to minutes). Transient read
 * failures are waited out until the deadline; anything else (404, auth, cancel) is thrown.
 */
export async function pollUntilTerminal(
  workflowId: string,
  read: ReadWorkflow,
  options: WaitOptions,
  deps: { clock: Clock; logger: Logger },
): Promise<WaitResult> {
  const { clock } = deps;
  const started = clock.now();
  const deadline = started + options.deadlineMs;
  const pollMin = options.pollMinMs ?? 50;
  const pollMax = options.pollMaxMs ?? 3000;
  const lateness = options.pollLateness ?? 0.05;
  const pausedGrace = options.pausedGraceMs ?? 15_000;
  let last: Workflow | null = null;
  let lastError: ConductorError | null = null;
  let pausedSince: number | undefined;

  for (;;) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) break;
    try {
      last = await read(remaining, options.signal);
      lastError = null;
    } catch (error) {
      if (!(error instanceof ConductorError) || !error.isTransient) throw error;
      lastError = error;
      deps.logger.debug({ ...error.request, error: error.message }, "poll failed; polling again");
    }
    if (last && isTerminalStatus(last.status)) return { state: "terminal", status: last.status, workflow: last };
    if (last?.status === "PAUSED") {
      pausedSince ??= clock.now();
      if (clock.now() - pausedSince >= pausedGrace) return { state: "stuck", workflow: last };
    } else {
      pausedSince = undefined;
    }
    const pause = Math.min(pollMax, Math.max(pollMin, Math.round((clock.now() - started) * lateness)));
    const wait = Math.min(pause, deadline - clock.now());
    if (wait <= 0) break;
    try {
      await clock.sleep(wait, options.signal);
    } catch (abort) {
      throw new ConductorError("conductor_aborted", `waiting for workflow ${workflowId} was cancelled`, { cause: abort, request: { workflowId } });
    }
  }
  if (last?.status === "PAUSED") return { state: "stuck", workflow: last };
  return { state: "deadline", workflow: last, lastError };
}

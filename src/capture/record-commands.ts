import type { CommandOutcome, CommandRunner } from "../conductor/types.ts";

/** One command call of a triage, as the runner answered it (raw, before any tool trimmed it). */
export interface RecordedCall {
  command: CommandOutcome["command"];
  parameters: Record<string, unknown>;
  status: CommandOutcome["status"];
  output: unknown;
  reason: string | null;
}

/** A CommandRunner that remembers every call and its raw outcome, in the order they finished. */
export function recordCommands(runner: CommandRunner): { runner: CommandRunner; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  return {
    calls,
    runner: {
      async run(context, command, parameters, options) {
        const outcome = await runner.run(context, command, parameters, options);
        calls.push({
          command,
          parameters: { ...(parameters as Record<string, unknown>) },
          status: outcome.status,
          output: outcome.output,
          reason: outcome.reason,
        });
        return outcome;
      },
    },
  };
}

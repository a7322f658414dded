import { join } from "node:path";
import { loadConfig, readEnvironment } from "../../config/index.ts";
import { createCommandRunner, createConductorClient, createExecutionReader, type CommandOutcome } from "../../conductor/index.ts";
import { systemClock, type Clock } from "../../lib/clock.ts";
import { formatDuration } from "../../lib/duration.ts";
import { EXIT, UsageError, errorMessage } from "../../lib/errors.ts";
import { createLogger, type Logger } from "../../lib/logger.ts";
import { parseOutput } from "../../tools/format-output.ts";
import { assessDatabaseRole, ROLE_CHECK_QUERY } from "../../verify/database-role.ts";
import type { CliIo } from "../io.ts";

export interface SmokeDeps {
  /** Default: global fetch. Tests aim it at msw. */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Default: a logger on stderr at the configured level. */
  logger?: Logger;
}

const EXECUTION_ID = /\/execution\/([0-9a-f-]{8,})/i;

/**
 * `smoke <execution>`: an LLM-free live check of the Conductor path. Reads the failing
 * execution's cluster context and dispatches three read-only commands through the real client.
 * Prints one PASS/FAIL line per step and a verdict; 0 when all passed, 1 otherwise.
 */
export async function smokeCommand(
  options: { execution: string | undefined },
  io: Pick<CliIo, "stdout" | "stderr" | "env" | "cwd">,
  deps: SmokeDeps = {},
): Promise<number> {
  const execution = options.execution?.trim();
  if (!execution) throw new UsageError("smoke needs a health-check execution id or URL: npm run smoke -- <execution-id>");
  const executionId = EXECUTION_ID.exec(execution)?.[1] ?? execution;
  const config = loadConfig(readEnvironment(io.env, join(io.cwd, ".env")), ["conductor"]);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createLogger({ ...config.log, destination: io.stderr });
  const client = createConductorClient({ ...config.conductor, fetch: deps.fetch, clock, logger });
  const print = (line: string) => void io.stdout.write(`${line}\n`);
  const started = clock.now();
  try {
    let details;
    try {
      details = await createExecutionReader(client)(executionId);
    } catch (error) {
      print(`FAIL read execution ${executionId}  ${formatDuration(clock.now() - started)}  ${errorMessage(error)}`);
      print("FAIL: could not read the execution, no command dispatched");
      return EXIT.failure;
    }
    const { context } = details;
    print(`PASS read execution ${executionId}  ${formatDuration(clock.now() - started)}`);
    print(`     org ${context.organizationName} (${context.organizationId}), cluster ${context.clusterName}, domain ${context.taskDomain}`);

    const runner = createCommandRunner({ client, clock, logger, commandTimeoutMs: config.conductor.commandTimeoutMs });
    const outcomes = await Promise.all([
      runner.run(context, "GET_PODS_DATA", {}),
      runner.run(context, "GET_CLUSTER_METRICS", {}),
      runner.run(context, "SQL_CONDUCTOR", { query: ROLE_CHECK_QUERY, transactional: false, expectedRowCount: null }),
    ]);
    for (const outcome of outcomes) print(formatOutcome(outcome));
    const sql = outcomes[2];
    if (sql?.status === "COMPLETED") for (const line of describeRole(sql.output)) print(line);
    const passed = outcomes.filter((o) => o.status === "COMPLETED").length;
    const verdict = passed === outcomes.length ? "PASS" : "FAIL";
    print(`${verdict}: ${passed}/${outcomes.length} commands completed in ${formatDuration(clock.now() - started)}`);
    return verdict === "PASS" ? EXIT.ok : EXIT.failure;
  } finally {
    await client.close();
  }
}

/** The database role as SQL_CONDUCTOR runs: what is right, or each fix with its statement. */
function describeRole(output: unknown): string[] {
  try {
    const role = assessDatabaseRole(parseOutput(output));
    return [`     ${role.summary}`, ...role.warnings.map((warning) => `WARN ${warning}`)];
  } catch (error) {
    return [`WARN database role not checked: ${errorMessage(error)}`];
  }
}

function formatOutcome(outcome: CommandOutcome): string {
  const timing = formatDuration(outcome.durationMs);
  const workflow = outcome.workflowId ? `  workflow ${outcome.workflowId}` : "";
  if (outcome.status === "COMPLETED") return `PASS ${outcome.command}  ${timing}${workflow}`;
  return `FAIL ${outcome.command}  ${timing}  ${outcome.status}: ${outcome.reason ?? "no reason given"}${workflow}`;
}

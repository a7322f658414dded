import type { ConductorConfig } from "../config/index.ts";
import { createCommandRunner, createConductorClient, createExecutionReader } from "../conductor/index.ts";
import { systemClock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import { silentLogger } from "../lib/logger.ts";
import { checkDatabaseRole } from "./database-role.ts";

export interface ConductorCheck {
  detail: string;
  /** What to fix about the database role, each with the statement to run. */
  warnings: string[];
}

/**
 * A token for the access key, one read (a search for health-check executions, size 1), then the
 * database role as the agent sees it: SQL_CONDUCTOR routed through the newest execution's cluster.
 */
export async function verifyConductor(conductor: ConductorConfig, options: { timeoutMs: number }): Promise<ConductorCheck> {
  const client = createConductorClient({
    serverUrl: conductor.serverUrl,
    authKey: conductor.authKey,
    authSecret: conductor.authSecret,
    requestTimeoutMs: Math.min(conductor.requestTimeoutMs, options.timeoutMs),
    retries: 0,
  });
  try {
    const result = await client.searchWorkflows({ query: "workflowType IN (health_check)", start: 0, size: 1 });
    const read = `token OK; search read ${result.totalHits} health_check execution${result.totalHits === 1 ? "" : "s"} at ${new URL(conductor.serverUrl).host}`;
    const latest = result.results[0]?.workflowId;
    if (latest === undefined) return { detail: `${read}; database role not checked (no health_check execution to route SQL_CONDUCTOR through)`, warnings: [] };
    try {
      const { context } = await createExecutionReader(client)(latest);
      const runner = createCommandRunner({ client, clock: systemClock, logger: silentLogger, commandTimeoutMs: options.timeoutMs });
      const role = await checkDatabaseRole(runner, context, options.timeoutMs);
      return { detail: `${read}; ${role.summary} (cluster ${context.clusterName})`, warnings: role.warnings };
    } catch (error) {
      return { detail: `${read}; database role not checked`, warnings: [`the role check through SQL_CONDUCTOR failed: ${errorMessage(error)}`] };
    }
  } finally {
    await client.close();
  }
}

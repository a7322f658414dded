import type { ConductorConfig } from "../config/index.ts";
import { createConductorClient } from "../conductor/index.ts";

/** A token for the access key, then one read: a search for health-check executions, size 1. */
export async function verifyConductor(conductor: ConductorConfig, options: { timeoutMs: number }): Promise<string> {
  const client = createConductorClient({
    serverUrl: conductor.serverUrl,
    authKey: conductor.authKey,
    authSecret: conductor.authSecret,
    requestTimeoutMs: Math.min(conductor.requestTimeoutMs, options.timeoutMs),
    retries: 0,
  });
  try {
    const result = await client.searchWorkflows({ query: "workflowType IN (health_check)", start: 0, size: 1 });
    return `token OK; search read ${result.totalHits} health_check execution${result.totalHits === 1 ? "" : "s"} at ${new URL(conductor.serverUrl).host}`;
  } finally {
    await client.close();
  }
}

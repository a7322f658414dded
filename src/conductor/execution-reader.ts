import { abortable } from "./abortable.ts";
import type { ConductorClient } from "./client.ts";
import { deriveClusterContext } from "./context.ts";
import { readHealthCheck, type HealthCheckExecution } from "./health-check.ts";
import type { ClusterContext } from "./types.ts";

export interface ExecutionDetails {
  execution: HealthCheckExecution;
  context: ClusterContext;
}

export type ReadExecution = (executionId: string, signal?: AbortSignal) => Promise<ExecutionDetails>;

export interface ExecutionReaderOptions {
  /** Executions kept; the least recently read is dropped first. Default 200. */
  maxEntries?: number;
}

/**
 * Reads a failing execution once and shares it: every tool of a triage asks for the same one.
 * Concurrent callers share one request; a failure is not cached, so the next call tries again.
 */
export function createExecutionReader(client: Pick<ConductorClient, "getWorkflow">, options: ExecutionReaderOptions = {}): ReadExecution {
  const maxEntries = options.maxEntries ?? 200;
  const cache = new Map<string, Promise<ExecutionDetails>>();

  function load(executionId: string): Promise<ExecutionDetails> {
    // No caller's signal here: one caller giving up must not cancel the read for the others.
    const pending = client.getWorkflow(executionId, { includeTasks: true }).then((workflow) => {
      const execution = readHealthCheck(workflow);
      return { execution, context: deriveClusterContext(execution) };
    });
    pending.catch(() => {
      if (cache.get(executionId) === pending) cache.delete(executionId);
    });
    return pending;
  }

  return (executionId, signal) => {
    let entry = cache.get(executionId);
    if (entry) {
      cache.delete(executionId);
    } else {
      entry = load(executionId);
      const oldest = cache.size >= maxEntries ? cache.keys().next() : undefined;
      if (oldest && !oldest.done) cache.delete(oldest.value);
    }
    cache.set(executionId, entry);
    return abortable(entry, signal);
  };
}

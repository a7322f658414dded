import type { Config } from "../config/index.ts";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import type { StateHandle } from "./operations.ts";
import { openPostgresStore } from "./postgres/open-postgres-store.ts";
import { pgStateHandle } from "./postgres/pg-state-handle.ts";
import type { State } from "./schema.ts";
import { openStateStore } from "./state-store.ts";

export interface OpenedStore {
  handle: StateHandle;
  /** The state file was unusable and moved aside: the bot rebuilds from the channels' history. */
  recoveredFromCorruption: boolean;
  /** The whole state, for a dry run's in-memory copy. */
  snapshot(): Promise<State>;
  close(): Promise<void>;
}

/** PostgreSQL when ONCALL_STATE_URL is set (replicas may share it), else the locked state file. */
export async function openConfiguredStore(
  config: Pick<Config, "postgres" | "oncall">,
  deps: { clock: Clock; logger: Logger; stop?: AbortSignal; pollIntervalMs?: number },
): Promise<OpenedStore> {
  if (config.postgres) {
    const store = await openPostgresStore(config.postgres, deps);
    return { handle: pgStateHandle(store), recoveredFromCorruption: false, snapshot: () => store.snapshot(), close: () => store.close() };
  }
  const file = await openStateStore(config.oncall.stateFile, { clock: deps.clock, logger: deps.logger });
  return { handle: file, recoveredFromCorruption: file.recoveredFromCorruption, snapshot: async () => file.state, close: () => file.close() };
}

import type { PostgresConfig } from "../../config/index.ts";
import type { Clock } from "../../lib/clock.ts";
import { OncallError, errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { isConnectionError, MAX_PROBE_DELAY_MS } from "./connection-health.ts";
import { migrate } from "./migrations.ts";
import { PgStateStore } from "./pg-store.ts";
import { createPostgresPool, describeUrl, newHolderId } from "./pool.ts";

/**
 * Connects to ONCALL_STATE_URL, migrates the schema (under the advisory lock) and opens the store
 * as a new holder. While the server is unreachable it waits with backoff instead of exiting, so a
 * replica restarted during a database outage does not crash-loop; `stop` ends the wait.
 */
export async function openPostgresStore(
  config: PostgresConfig,
  deps: { clock: Clock; logger: Logger; stop?: AbortSignal; pollIntervalMs?: number },
): Promise<PgStateStore> {
  const holder = newHolderId();
  const pool = createPostgresPool(config, { holder }, deps.logger);
  let delay = 500;
  for (;;) {
    try {
      await migrate(pool, deps.logger);
      break;
    } catch (error) {
      if (isConnectionError(error) && !deps.stop?.aborted) {
        deps.logger.warn({ url: describeUrl(config.url), error: errorMessage(error), retryInMs: delay }, "PostgreSQL is unreachable; waiting for it");
        const waited = await deps.clock.sleep(delay, deps.stop).then(() => true, () => false);
        delay = Math.min(delay * 2, MAX_PROBE_DELAY_MS);
        if (waited) continue;
      }
      await pool.end().catch(() => {});
      if (error instanceof OncallError) throw error;
      throw new OncallError("state_unreachable", `could not open the PostgreSQL state at ${describeUrl(config.url)}: ${errorMessage(error)}`, { cause: error });
    }
  }
  // The poller renews its channel lease once per cycle: two cycles of slack keep one poller per channel.
  const channelLeaseMs = Math.max(config.leaseMs, 2 * (deps.pollIntervalMs ?? 0));
  deps.logger.info({ url: describeUrl(config.url), holder, leaseMs: config.leaseMs, channelLeaseMs }, "state in PostgreSQL");
  return new PgStateStore(pool, { holder, leaseMs: config.leaseMs, channelLeaseMs }, deps);
}

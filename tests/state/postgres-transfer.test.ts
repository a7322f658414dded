import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/lib/clock.ts";
import {
  advanceWatermark,
  claim,
  emptyState,
  failAttempt,
  markReplied,
  recordDiagnosis,
  recordNotification,
  startAttempt,
  type State,
} from "../../src/state/index.ts";
import { PgStateStore } from "../../src/state/postgres/pg-store.ts";
import { startPostgres, type PostgresServer } from "../helpers/postgres-server.ts";
import { createSpyLogger } from "./spy-logger.ts";
import { runCliInProcess } from "../helpers/run-cli.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const C = "C0ALERTS";
const a1 = { channel: C, ts: "1700000000.000100", executionId: "exec-1", signature: "sig-1" };
const a2 = { channel: C, ts: "1700000000.000200", executionId: "exec-2", signature: "sig-2" };

/** A file state with a replied alert (notified, diagnosed), a claimed one that failed once, and a watermark. */
function sampleState(): State {
  let s = emptyState();
  s = markReplied(startAttempt(claim(s, a1, NOW), a1, NOW), a1, { replyTs: "1700000001.000001", kind: "full", now: NOW });
  s = recordNotification(s, a1, "email", { status: "sent", reason: "severity MAJOR", now: NOW });
  s = recordDiagnosis(s, a1.signature, { summary: "Redis full", thread: { channel: C, ts: a1.ts, permalink: null }, now: NOW });
  s = failAttempt(startAttempt(claim(s, a2, NOW), a2, NOW), a2, { error: "Conductor answered 503", now: NOW, retryAt: NOW + 30_000 });
  return advanceWatermark(s, C, "1700000000.000200", NOW);
}

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliInProcess(args, { LOG_LEVEL: "silent", ...env }, cwd);
}

describe("oncall-agent state migrate | export | import", () => {
  it("moves a file state into PostgreSQL and back without losing or replaying an alert", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oncall-transfer-"));
    const url = await server.createDatabase();
    const original = sampleState();
    writeFileSync(join(dir, "state.json"), JSON.stringify(original));
    const pgEnv = { ONCALL_STATE_URL: url, ONCALL_STATE_TLS: "disable" };

    expect(await cli(["state", "migrate"], pgEnv, dir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/from version 0 to 2/) });
    expect(await cli(["state", "migrate"], pgEnv, dir)).toMatchObject({ code: 0, stdout: expect.stringMatching(/nothing to do/) });

    const exported = await cli(["state", "export", "--out", "export.json"], { ONCALL_STATE_FILE: "state.json" }, dir);
    expect(exported.code).toBe(0);
    const imported = await cli(["state", "import", "export.json"], pgEnv, dir);
    expect(imported).toMatchObject({ code: 0, stdout: expect.stringMatching(/2 alerts added, 0 already known/) });
    // A second import replays nothing.
    expect(await cli(["state", "import", "export.json"], pgEnv, dir)).toMatchObject({ stdout: expect.stringMatching(/0 alerts added, 2 already known/) });

    const back = await cli(["state", "export"], pgEnv, dir);
    expect(back.code).toBe(0);
    const fromPg = JSON.parse(back.stdout) as State;
    expect(fromPg.alerts).toEqual(original.alerts);
    expect(fromPg.channels).toEqual(original.channels);
    expect(fromPg.signatures).toEqual(original.signatures);
    expect(fromPg.executions).toEqual(original.executions);

    writeFileSync(join(dir, "from-pg.json"), back.stdout);
    const intoFile = await cli(["state", "import", "from-pg.json"], { ONCALL_STATE_FILE: "new-state.json" }, dir);
    expect(intoFile).toMatchObject({ code: 0, stdout: expect.stringMatching(/into the file store: 2 alerts added/) });
    const file = JSON.parse(readFileSync(join(dir, "new-state.json"), "utf8")) as State;
    expect(file.alerts).toEqual(original.alerts);
    expect(file.channels).toEqual(original.channels);
  });

  it("imports the claimed alert free for any replica to take, with its attempt history", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oncall-transfer-"));
    const url = await server.createDatabase();
    writeFileSync(join(dir, "export.json"), JSON.stringify(sampleState()));
    expect((await cli(["state", "import", "export.json"], { ONCALL_STATE_URL: url, ONCALL_STATE_TLS: "disable" }, dir)).code).toBe(0);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const store = new PgStateStore(pool, { holder: "replica-x", leaseMs: 30_000 }, { clock: systemClock, logger: createSpyLogger().logger });
    try {
      const taken = await store.claimPending({ limit: 10, now: NOW + 60_000 });
      expect(taken).toHaveLength(1);
      expect(taken[0]).toMatchObject({ executionId: "exec-2", status: "claimed", attempts: 1, lastError: "Conductor answered 503" });
    } finally {
      await store.close();
    }
  });

  it("shows the shared state in `status`, without the password", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oncall-transfer-"));
    const url = await server.createDatabase();
    const env = { ONCALL_STATE_URL: url, ONCALL_STATE_TLS: "disable" };
    writeFileSync(join(dir, "export.json"), JSON.stringify(sampleState()));
    expect((await cli(["state", "import", "export.json"], env, dir)).code).toBe(0);
    const status = await cli(["status", "--json"], env, dir);
    expect(status.code).toBe(0);
    expect(status.stdout).not.toContain("oncall-test");
    const view = JSON.parse(status.stdout) as { stateUrl: string; [key: string]: unknown };
    expect(view.stateUrl).toMatch(/^postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:/);
    expect(JSON.stringify(view)).toContain("exec-2"); // the claimed alert is in flight
  });

  it("refuses to export while a replica holds leases (exit 3) unless --live", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oncall-transfer-"));
    const url = await server.createDatabase();
    const env = { ONCALL_STATE_URL: url, ONCALL_STATE_TLS: "disable" };
    expect((await cli(["state", "migrate"], env, dir)).code).toBe(0);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const running = new PgStateStore(pool, { holder: "running-replica", leaseMs: 30_000 }, { clock: systemClock, logger: createSpyLogger().logger });
    try {
      expect(await running.leaseChannel(C)).toBeDefined();
      const refused = await cli(["state", "export"], env, dir);
      expect(refused).toMatchObject({ code: 3, stderr: expect.stringMatching(/replicas are running .*1 live leases/) });
      expect(refused.stderr).not.toContain("oncall-test"); // the password never shows
      expect(await cli(["state", "export", "--live"], env, dir)).toMatchObject({ code: 0 });
    } finally {
      await running.close();
    }
  });

  it("rejects a file that is not an exported state, and a store it cannot reach, with exit 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oncall-transfer-"));
    writeFileSync(join(dir, "bad.json"), '{"version": 99, "alerts": {}}');
    const url = await server.createDatabase();
    const bad = await cli(["state", "import", "bad.json"], { ONCALL_STATE_URL: url, ONCALL_STATE_TLS: "disable" }, dir);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringMatching(/newer oncall-agent/) });
    expect(await cli(["state", "migrate"], {}, dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs ONCALL_STATE_URL/) });
  });
});

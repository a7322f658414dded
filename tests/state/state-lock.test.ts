import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXIT } from "../../src/lib/errors.ts";
import { openStateStore, type StateStore, type StateStoreOptions } from "../../src/state/index.ts";
import { createSpyLogger, fixedClock } from "./spy-logger.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const FIXTURE = fileURLToPath(new URL("./fixtures/open-store.ts", import.meta.url));

let dir: string;
let file: string;
const stores: StateStore[] = [];
const children: ChildProcess[] = [];

async function openStore(options: StateStoreOptions = {}) {
  const spy = createSpyLogger();
  const store = await openStateStore(file, { logger: spy.logger, clock: fixedClock(NOW) }, options);
  stores.push(store);
  return { store, lines: spy.lines };
}

function runFixture(mode: "hold" | "try"): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, file, mode], { cwd: ROOT, stdio: "pipe" });
  children.push(child);
  return child;
}

async function readAll(stream: NodeJS.ReadableStream | null): Promise<string> {
  let text = "";
  for await (const chunk of stream ?? []) text += String(chunk);
  return text;
}

async function waitForReady(child: ChildProcess): Promise<void> {
  let seen = "";
  for await (const chunk of child.stdout ?? []) {
    seen += String(chunk);
    if (seen.includes("ready")) return;
  }
  throw new Error(`fixture exited before holding the lock: ${await readAll(child.stderr)}`);
}

/** Makes the lock look as if its holder stopped refreshing it a minute ago. */
async function ageLock(): Promise<void> {
  const old = new Date(Date.now() - 60_000);
  await utimes(`${file}.lock`, old, old);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "oncall-lock-"));
  file = join(dir, "state.json");
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await Promise.all(stores.splice(0).map((store) => store.close().catch(() => {})));
  await rm(dir, { recursive: true, force: true });
});

describe("the state file lock", () => {
  it("makes a second store on the same file fail with state_locked and exit code 3", async () => {
    await openStore();
    const second = openStore();
    await expect(second).rejects.toMatchObject({ code: "state_locked", exitCode: EXIT.locked });
    await expect(second).rejects.toThrow(
      new RegExp(`another oncall-agent is already running on ${file} \\(pid \\d+ on [^,]+, lock held since \\d{4}-\\d\\d-\\d\\dT.*\\); stop it or set ONCALL_STATE_FILE`),
    );
  });

  it("is released on close, so a later open succeeds", async () => {
    const { store } = await openStore();
    await store.close();
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    const { store: again } = await openStore();
    expect(again.firstRun).toBe(false);
  });

  it("does not take over a lock of unknown holder while it is fresh, and does once it went stale", async () => {
    await mkdir(`${file}.lock`); // no owner.json: an older version's lock, or a holder that died creating it
    await expect(openStore({ lockWaitMs: 0 })).rejects.toMatchObject({ code: "state_locked" });
    await ageLock();
    const { store } = await openStore({ lockWaitMs: 0 });
    expect(store.firstRun).toBe(true);
  });

  it("waits, bounded and saying so, for a lock that may be stale, and takes it once it is", async () => {
    await mkdir(`${file}.lock`);
    const started = Date.now();
    const { store, lines } = await openStore({ lockStaleMs: 2000, lockWaitMs: 10_000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(store.firstRun).toBe(true);
    expect(lines.find((line) => line.level === 40)?.msg).toMatch(/may be stale.*waiting up to \d+ s/);
  });

  it("takes over at once a lock whose holder on this host is gone, or whose pid now names another process", async () => {
    await mkdir(`${file}.lock`);
    const dead = { pid: 2 ** 22 + 17, host: hostname(), processStart: "1", token: "t-dead", acquiredAt: new Date().toISOString() };
    await writeFile(`${file}.lock/owner.json`, JSON.stringify(dead));
    const { store } = await openStore({ lockWaitMs: 0 });
    await store.close();
    await mkdir(`${file}.lock`);
    const reused = { ...dead, pid: process.ppid, processStart: "0", token: "t-reused" }; // alive, but started at another time
    await writeFile(`${file}.lock/owner.json`, JSON.stringify(reused));
    const { store: again } = await openStore({ lockWaitMs: 0 });
    expect(again.firstRun).toBe(false);
  });

  it("stops writing once the lock is lost, and says so", async () => {
    const { store, lines } = await openStore({ lockStaleMs: 2000 });
    await rm(`${file}.lock`, { recursive: true }); // as if another process had taken it over
    const deadline = Date.now() + 5000;
    while (!lines.some((line) => line.level === 50) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lines.find((line) => line.level === 50)?.msg).toMatch(/lost the state file lock/);
    await expect(store.apply({ op: "setWatermark", channel: "C1", ts: "1700000000.000100", now: NOW })).rejects.toMatchObject({ code: "state_lock_lost", exitCode: EXIT.locked });
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe("the state file lock across processes", () => {
  it("refuses a second process while this one holds the file", async () => {
    await openStore();
    const child = runFixture("try");
    const [stdout, stderr, [code]] = await Promise.all([readAll(child.stdout), readAll(child.stderr), once(child, "exit")]);
    expect(stdout).not.toContain("opened");
    expect(code).toBe(EXIT.locked);
    expect(JSON.parse(stderr)).toMatchObject({ code: "state_locked", message: expect.stringContaining(file) });
  });

  it("is refused while another process holds it, and taken over at once when that process died", async () => {
    const holder = runFixture("hold");
    await waitForReady(holder);
    await expect(openStore()).rejects.toMatchObject({ code: "state_locked" });

    holder.kill("SIGKILL"); // no exit handler runs: the lock directory stays behind
    await once(holder, "exit");
    await expect(stat(`${file}.lock`)).resolves.toBeDefined();
    // The holder is gone: taken over at once, without waiting for the lock to go stale.
    const started = Date.now();
    const { store } = await openStore({ lockWaitMs: 0 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(store.firstRun).toBe(false); // the holder had written the fresh file
  });

  it("lets a second process in after the first closed its store", async () => {
    const holder = runFixture("hold");
    await waitForReady(holder);
    holder.stdin?.end();
    await once(holder, "exit");
    const child = runFixture("try");
    const [stdout, , [code]] = await Promise.all([readAll(child.stdout), readAll(child.stderr), once(child, "exit")]);
    expect(code).toBe(0);
    expect(stdout).toContain("opened");
  });
});

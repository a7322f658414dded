import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
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
      new RegExp(`another oncall-agent is already running on ${file} \\(lock held since \\d{4}-\\d\\d-\\d\\dT.*\\); stop it or set ONCALL_STATE_FILE`),
    );
  });

  it("is released on close, so a later open succeeds", async () => {
    const { store } = await openStore();
    await store.close();
    await expect(stat(`${file}.lock`)).rejects.toMatchObject({ code: "ENOENT" });
    const { store: again } = await openStore();
    expect(again.firstRun).toBe(false);
  });

  it("takes over a stale lock left by a crashed process, but not a fresh one", async () => {
    await mkdir(`${file}.lock`);
    await expect(openStore()).rejects.toMatchObject({ code: "state_locked" });
    await ageLock();
    const { store } = await openStore();
    expect(store.firstRun).toBe(true);
  });

  it("stops writing once the lock is lost, and says so", async () => {
    const { store, lines } = await openStore({ lockStaleMs: 2000 });
    await rm(`${file}.lock`, { recursive: true }); // as if another process had taken it over
    const deadline = Date.now() + 5000;
    while (!lines.some((line) => line.level === 50) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(lines.find((line) => line.level === 50)?.msg).toMatch(/lost the state file lock/);
    await expect(store.update((s) => ({ ...s }))).rejects.toMatchObject({ code: "state_lock_lost", exitCode: EXIT.locked });
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

  it("is refused while another process holds it, and taken over once that process died and its lock went stale", async () => {
    const holder = runFixture("hold");
    await waitForReady(holder);
    await expect(openStore()).rejects.toMatchObject({ code: "state_locked" });

    holder.kill("SIGKILL"); // no exit handler runs: the lock directory stays behind
    await once(holder, "exit");
    await expect(stat(`${file}.lock`)).resolves.toBeDefined();
    await expect(openStore()).rejects.toMatchObject({ code: "state_locked" });
    await ageLock();
    const { store } = await openStore();
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

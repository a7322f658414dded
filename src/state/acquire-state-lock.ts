import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { z } from "zod";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";

export const MIN_LOCK_STALE_MS = 2000;
export const DEFAULT_LOCK_STALE_MS = 10_000;
/** How long `run` waits for a lock that may be stale (its holder unknown) before refusing. */
export const DEFAULT_LOCK_WAIT_MS = 15_000;
const POLL_MS = 200;

export interface StateLock {
  /** Where the lock lives: a directory next to the state file, holding owner.json. */
  readonly lockPath: string;
  release(): Promise<void>;
}

/** Who holds the lock: enough to tell, on the same host, whether that process is still alive. */
const ownerSchema = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  /** The process's start time as the kernel counts it (Linux), so a reused pid is not mistaken for the holder. */
  processStart: z.string().nullable(),
  token: z.string(),
  acquiredAt: z.string(),
});
type LockOwner = z.output<typeof ownerSchema>;

export interface LockOptions {
  staleMs: number;
  /** Bound on the wait for a lock whose holder cannot be judged (no owner file, another host); 0: refuse at once. */
  waitMs?: number;
  onCompromised: (error: Error) => void;
  /** Told once when the wait starts, with the reason. */
  onWait?: (message: string) => void;
}

/**
 * Takes the exclusive lock on the state file: a `<file>.lock` directory created atomically, with
 * owner.json naming the holder (pid, host, process start time). The lock dies with its holder: on
 * the same host a holder whose process is gone (or whose pid now belongs to another process) is
 * taken over at once, so a restart after `kill -9` is never refused. A live holder refuses with
 * exit 3. A holder that cannot be judged (another host on a shared volume, an owner file not yet
 * written) is trusted while it refreshes the directory's mtime every staleMs/2, and waited for,
 * up to waitMs, once it may be stale.
 */
export async function acquireStateLock(file: string, options: LockOptions): Promise<StateLock> {
  const lockPath = `${file}.lock`;
  const staleMs = Math.max(options.staleMs, MIN_LOCK_STALE_MS);
  const waitUntil = Date.now() + (options.waitMs ?? DEFAULT_LOCK_WAIT_MS);
  const me: LockOwner = { pid: process.pid, host: hostname(), processStart: processStart(process.pid), token: randomUUID(), acquiredAt: new Date().toISOString() };
  let told = false;
  for (;;) {
    if (await tryCreate(lockPath, me)) return holdLock(lockPath, me, staleMs, options.onCompromised);
    const holder = await readHolder(lockPath);
    if (holder.kind === "gone") continue; // released meanwhile
    const verdict = judge(holder, me, staleMs);
    if (verdict === "dead") {
      await takeOver(lockPath, holder.owner);
      continue;
    }
    if (verdict === "alive" || Date.now() >= waitUntil) throw lockedError(file, holder);
    if (!told) {
      told = true;
      options.onWait?.(
        `the lock ${lockPath} may be stale (${holder.owner ? `held by pid ${holder.owner.pid} on ${holder.owner.host}` : "no owner recorded"}); ` +
          `waiting up to ${Math.round((waitUntil - Date.now()) / 1000)} s for it`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

type Holder = { kind: "gone" } | { kind: "held"; owner: LockOwner | null; refreshedAt: number; createdAt: number };

async function tryCreate(lockPath: string, me: LockOwner): Promise<boolean> {
  try {
    await mkdir(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new OncallError("state_lock_failed", `could not create the lock ${lockPath}: ${errorMessage(error)}`, { cause: error });
  }
  // Written beside, then renamed: a reader sees no owner or the whole owner, never half of it.
  const temp = `${lockPath}/owner.json.${me.token}`;
  await writeFile(temp, JSON.stringify(me));
  await rename(temp, `${lockPath}/owner.json`);
  return true;
}

async function readHolder(lockPath: string): Promise<Holder> {
  let info;
  try {
    info = await stat(lockPath);
  } catch {
    return { kind: "gone" };
  }
  const owner = await readFile(`${lockPath}/owner.json`, "utf8")
    .then((text) => ownerSchema.safeParse(JSON.parse(text)))
    .then((parsed) => (parsed.success ? parsed.data : null))
    .catch(() => null);
  return { kind: "held", owner, refreshedAt: info.mtimeMs, createdAt: info.birthtimeMs > 0 ? info.birthtimeMs : info.mtimeMs };
}

/** alive: refuse; dead: take over now; unknown: wait while it may still refresh. */
function judge(holder: Extract<Holder, { kind: "held" }>, me: LockOwner, staleMs: number): "alive" | "dead" | "unknown" {
  const stale = Date.now() - holder.refreshedAt >= staleMs;
  const { owner } = holder;
  if (!owner || owner.host !== me.host) return stale ? "dead" : "unknown";
  if (owner.pid === me.pid) return "alive"; // this process already holds it
  if (!isAlive(owner.pid)) return "dead";
  const start = processStart(owner.pid);
  if (start !== null && owner.processStart !== null && start !== owner.processStart) return "dead"; // the pid was reused
  return "alive";
}

/** Moves the dead holder's lock aside (one atomic rename: of two racing starters only one wins), then removes it. */
async function takeOver(lockPath: string, judged: LockOwner | null): Promise<void> {
  const current = await readHolder(lockPath);
  if (current.kind === "gone" || current.owner?.token !== judged?.token) return; // changed meanwhile: judge again
  const aside = `${lockPath}.stale-${randomUUID()}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  await rm(aside, { recursive: true, force: true });
}

function holdLock(lockPath: string, me: LockOwner, staleMs: number, onCompromised: (error: Error) => void): StateLock {
  let lost = false;
  const refresh = async () => {
    const holder = await readHolder(lockPath);
    if (holder.kind === "gone" || holder.owner?.token !== me.token) {
      lost = true;
      clearInterval(timer);
      onCompromised(new Error(holder.kind === "gone" ? `the lock ${lockPath} was removed` : `the lock ${lockPath} was taken over by pid ${holder.owner?.pid ?? "?"}`));
      return;
    }
    const now = new Date();
    await utimes(lockPath, now, now).catch(() => {});
  };
  const timer = setInterval(() => void refresh(), staleMs / 2);
  timer.unref();
  return {
    lockPath,
    async release() {
      clearInterval(timer);
      if (lost) return;
      const holder = await readHolder(lockPath);
      if (holder.kind === "held" && holder.owner?.token === me.token) await rm(lockPath, { recursive: true, force: true });
    },
  };
}

function lockedError(file: string, holder: Extract<Holder, { kind: "held" }>): OncallError {
  const since = new Date(holder.owner ? Date.parse(holder.owner.acquiredAt) : holder.createdAt).toISOString();
  const who = holder.owner ? `pid ${holder.owner.pid} on ${holder.owner.host}, ` : "";
  return new OncallError(
    "state_locked",
    `another oncall-agent is already running on ${file} (${who}lock held since ${since}); stop it or set ONCALL_STATE_FILE to another path`,
    { exitCode: EXIT.locked },
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot); null where there is no /proc. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? null;
  } catch {
    return null;
  }
}

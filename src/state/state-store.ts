import { mkdir, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import writeFileAtomic from "write-file-atomic";
import type { Clock } from "../lib/clock.ts";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { DEFAULT_LOCK_STALE_MS, acquireStateLock, type StateLock } from "./acquire-state-lock.ts";
import { emptyState } from "./decisions.ts";
import { moveAside, readStateFile } from "./load-state.ts";
import { stateSchema, type State } from "./schema.ts";

export interface StateStoreDeps {
  logger: Logger;
  clock: Clock;
}

export interface StateStoreOptions {
  /** A lock not refreshed for this long is a crashed process's and is taken over (default 10 s, at least 2 s). */
  lockStaleMs?: number;
  /** How long to wait for a lock that may be stale (holder unknown) before refusing (default 15 s; 0: at once). */
  lockWaitMs?: number;
}

/** The state file, held under an exclusive lock for as long as the store is open. */
export interface StateStore {
  /** The absolute path of the state file. */
  readonly file: string;
  /** The current state; treat it as read-only and change it through update. */
  readonly state: State;
  /** No state file existed: this is the first run on this path. */
  readonly firstRun: boolean;
  /** The file was unusable and was moved aside: start channels from "now" rather than replay history. */
  readonly recoveredFromCorruption: boolean;
  /**
   * Applies a pure change and persists it atomically; calls run one at a time, in call order.
   * Returning the same object skips the write. If the change throws, the new state breaks the
   * schema or the write fails, the state stays as it was and the promise rejects.
   */
  update(change: (state: State) => State): Promise<void>;
  /** Waits for queued updates, then releases the lock. */
  close(): Promise<void>;
}

/** Locks the state file, then loads it; an unusable file is moved aside and replaced by a fresh state. */
export async function openStateStore(path: string, deps: StateStoreDeps, options: StateStoreOptions = {}): Promise<StateStore> {
  const file = await resolveStatePath(path);
  let lostLock: Error | undefined;
  const lock = await acquireStateLock(file, {
    staleMs: options.lockStaleMs ?? DEFAULT_LOCK_STALE_MS,
    ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
    onWait: (message) => deps.logger.warn({ file }, message),
    onCompromised: (error) => {
      lostLock = error;
      deps.logger.error({ file, err: errorMessage(error) }, "lost the state file lock; no further state writes");
    },
  });
  try {
    const loaded = await readStateFile(file);
    if (loaded.kind === "loaded") {
      const origin = { firstRun: false, recoveredFromCorruption: false };
      return new FileStateStore(file, loaded.state, origin, lock, () => lostLock);
    }
    if (loaded.kind === "corrupt") {
      const movedTo = await moveAside(file, deps.clock.now());
      deps.logger.warn(
        { file, movedTo, reason: loaded.reason },
        `state file ${file} is unusable (${loaded.reason}); moved it to ${movedTo} and started with an empty state. ` +
          "Channels start from now, so alerts posted before this start are not replayed.",
      );
    } else {
      deps.logger.info({ file }, "no state file yet: starting with an empty state");
    }
    const origin = { firstRun: loaded.kind === "missing", recoveredFromCorruption: loaded.kind === "corrupt" };
    const store = new FileStateStore(file, emptyState(), origin, lock, () => lostLock);
    await store.save(); // writes the fresh file now, so an unwritable path fails at start, not mid-triage
    return store;
  } catch (error) {
    await lock.release().catch(() => {});
    throw error;
  }
}

class FileStateStore implements StateStore {
  readonly file: string;
  readonly firstRun: boolean;
  readonly recoveredFromCorruption: boolean;
  #state: State;
  #lock: StateLock;
  #lostLock: () => Error | undefined;
  #queue: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(
    file: string,
    state: State,
    origin: { firstRun: boolean; recoveredFromCorruption: boolean },
    lock: StateLock,
    lostLock: () => Error | undefined,
  ) {
    this.file = file;
    this.firstRun = origin.firstRun;
    this.recoveredFromCorruption = origin.recoveredFromCorruption;
    this.#state = state;
    this.#lock = lock;
    this.#lostLock = lostLock;
  }

  get state(): State {
    return this.#state;
  }

  update(change: (state: State) => State): Promise<void> {
    return this.#enqueue(async () => {
      const next = change(this.#state);
      if (next !== this.#state) await this.#write(next);
    });
  }

  /** Writes the current state as it is. */
  save(): Promise<void> {
    return this.#enqueue(() => this.#write(this.#state));
  }

  close(): Promise<void> {
    this.#closing ??= this.#queue.then(() => this.#lock.release()).catch((error: unknown) => {
      if (!this.#lostLock()) throw error; // a lost lock is already gone or someone else's
    });
    return this.#closing;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    if (this.#closing) return Promise.reject(new OncallError("state_closed", `the state store for ${this.file} is closed`));
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {}); // one failed update must not block the ones queued after it
    return run;
  }

  async #write(next: State): Promise<void> {
    const lost = this.#lostLock();
    if (lost) {
      throw new OncallError(
        "state_lock_lost",
        `lost the lock on ${this.file} (${lost.message}); another process may own it now, so this one stops writing`,
        { cause: lost, exitCode: EXIT.locked },
      );
    }
    const checked = stateSchema.safeParse(next);
    if (!checked.success) {
      throw new OncallError("state_invalid", `refusing to write an invalid state to ${this.file}: ${checked.error.message}`, {
        cause: checked.error,
      });
    }
    await writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { fsync: true });
    this.#state = next;
  }
}

/** An absolute path with symlinked folders resolved, so every process locks the same lock directory. */
async function resolveStatePath(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    await mkdir(dirname(absolute), { recursive: true });
    return join(await realpath(dirname(absolute)), basename(absolute));
  }
}

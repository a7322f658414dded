import { createHash } from "node:crypto";
import { mkdir, open, readFile, realpath, rename, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { Clock } from "../lib/clock.ts";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { DEFAULT_LOCK_STALE_MS, acquireStateLock, type StateLock } from "./acquire-state-lock.ts";
import { checkEntry, diffState, encodeEntry, type JournalEntry } from "./journal.ts";
import { journalPath, loadState, removeTempFiles, type Loaded } from "./load-state.ts";
import { applyOp, applyOps, type StateHandle, type StateOp } from "./operations.ts";
import { StateOverlay, scansEveryAlert } from "./overlay.ts";
import { STATE_VERSION, type State } from "./schema.ts";

export interface StateStoreDeps {
  logger: Logger;
  clock: Clock;
  /** Writes at a position and returns the bytes written; tests pass one that fails like a full disk. */
  writeAt?: (handle: FileHandle, bytes: Buffer, position: number) => Promise<number>;
}

export interface StateStoreOptions {
  /** A lock of unknown holder not refreshed for this long is taken over (default 10 s, at least 2 s). */
  lockStaleMs?: number;
  /** How long to wait for a lock that may be stale (holder unknown) before refusing (default 15 s; 0: at once). */
  lockWaitMs?: number;
  /** The journal is folded into the snapshot once it is this big and bigger than the snapshot (default 1 MiB). */
  compactBytes?: number;
}

/**
 * The state, held under an exclusive lock for as long as the store is open: a snapshot
 * (`<file>`, the whole state as JSON) plus a journal (`<file>.journal`, one checksummed line of
 * changed records per batch of operations). A batch costs one append and one fsync of its own
 * size; the journal is folded into a new snapshot in the background once it outgrows it, so
 * neither grows with history.
 */
export interface StateStore extends StateHandle {
  /** The absolute path of the snapshot. */
  readonly file: string;
  /** No state file existed: this is the first run on this path (or the state was lost). */
  readonly firstRun: boolean;
  /** The file was unusable and was moved aside: the bot rebuilds from the channels' history. */
  readonly recoveredFromCorruption: boolean;
  /**
   * Applies the operations in order, all or nothing, and resolves once they are on disk (appended,
   * length checked, fsynced). On any failure the state stays as it was and the promise rejects;
   * a failed write (a full disk) rejects with `state_write_failed`.
   */
  apply(ops: StateOp | readonly StateOp[]): Promise<void>;
  /** Tries a small write: whether the store can write again after a failure. */
  probe(): Promise<void>;
  /** Folds the journal into a new snapshot now (it also happens on its own once the journal outgrows the snapshot). */
  compact(): Promise<void>;
  /** Waits for queued work (a compaction included), then releases the lock. */
  close(): Promise<void>;
}

const DEFAULT_COMPACT_BYTES = 1 << 20;

const defaultWriteAt = async (handle: FileHandle, bytes: Buffer, position: number) => (await handle.write(bytes, 0, bytes.length, position)).bytesWritten;

/** Locks the state file, then loads snapshot + journal; an unusable file is moved aside, a newer version's refused. */
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
    await removeTempFiles(file, deps.logger);
    const loaded = await loadState(file, deps);
    const journal = await open(journalPath(file), "a+");
    const store = new FileStateStore(file, loaded, { lock, journal, lostLock: () => lostLock, deps, options });
    // A fresh or recovered state is written now (an unwritable path fails at start, not mid-triage);
    // a journal left by the last run is folded in, so the next start reads one file.
    if (loaded.origin.firstRun || loaded.origin.recoveredFromCorruption || loaded.journalBytes > 0) await store.compact();
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
  #io: FileStateStoreIo;
  #journalBytes = 0;
  #snapshotBytes = 0;
  #queue: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;

  constructor(file: string, loaded: Loaded, io: FileStateStoreIo) {
    this.file = file;
    this.firstRun = loaded.origin.firstRun;
    this.recoveredFromCorruption = loaded.origin.recoveredFromCorruption;
    this.#state = loaded.state;
    this.#journalBytes = loaded.journalBytes;
    this.#snapshotBytes = loaded.snapshotBytes;
    this.#io = io;
  }

  get state(): State {
    return this.#state;
  }

  apply(ops: StateOp | readonly StateOp[]): Promise<void> {
    const batch: readonly StateOp[] = Array.isArray(ops) ? ops : [ops as StateOp];
    return this.#enqueue(async () => {
      const { entry, commit } = this.#prepare(batch);
      if (entry === null) return;
      const invalid = checkEntry(entry);
      if (invalid) throw new OncallError("state_invalid", `refusing to write an invalid state to ${this.file}: ${invalid}`);
      await this.#append(encodeEntry(entry));
      this.#state = commit();
      const threshold = Math.max(this.#io.options.compactBytes ?? DEFAULT_COMPACT_BYTES, this.#snapshotBytes);
      if (this.#journalBytes > threshold) void this.compact().catch(() => {}); // logged inside
    });
  }

  /**
   * What a batch changes, and how to make it current once it is on disk. Keyed operations run on
   * slices (their cost does not grow with history); prune and crash recovery scan the whole state.
   */
  #prepare(batch: readonly StateOp[]): { entry: JournalEntry | null; commit: () => State } {
    if (batch.some(scansEveryAlert)) {
      const next = applyOps(this.#state, batch);
      return { entry: diffState(this.#state, next), commit: () => next };
    }
    const overlay = new StateOverlay(this.#state);
    for (const op of batch) {
      const slice = overlay.slice(op);
      overlay.absorb(slice, applyOp(slice, op));
    }
    const { alerts, executions, small } = overlay.changes();
    const base = { ...this.#state, alerts: {}, executions: {} };
    const entry: JournalEntry = { ...(diffState(base, { ...base, ...small }) ?? { v: STATE_VERSION }) };
    if (alerts.size > 0) entry.a = Object.fromEntries(alerts);
    if (executions.size > 0) entry.x = Object.fromEntries(executions);
    const changed = alerts.size > 0 || executions.size > 0 || entry.c !== undefined || entry.s !== undefined || entry.d !== undefined;
    return { entry: changed ? entry : null, commit: () => overlay.commit() };
  }

  probe(): Promise<void> {
    return this.#enqueue(() => this.#append(encodeEntry({ v: STATE_VERSION })));
  }

  compact(): Promise<void> {
    return this.#enqueue(() => this.#compact());
  }

  /** Writes the whole state as a new snapshot (temp file, fsync, read back and compared, rename), then empties the journal. */
  async #compact(): Promise<void> {
    this.#checkLock();
    const text = `${JSON.stringify(this.#state)}\n`;
    const temp = `${this.file}.tmp-${process.pid}`;
    try {
      const handle = await open(temp, "w");
      try {
        await this.#writeAll(handle, Buffer.from(text), 0, temp);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (sha256(await readFile(temp, "utf8")) !== sha256(text)) throw new Error("the snapshot read back differs from what was written");
      await rename(temp, this.file);
      await syncDirectory(dirname(this.file));
      await this.#io.journal.truncate(0);
      await this.#io.journal.sync();
      this.#journalBytes = 0;
      this.#snapshotBytes = text.length;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => {});
      const failure = writeFailure(this.file, error);
      this.#io.deps.logger.error({ file: this.file, error: failure.message }, "could not write the state snapshot; the journal keeps every change");
      throw failure;
    }
  }

  close(): Promise<void> {
    this.#closing ??= this.#queue
      .then(() => this.#io.journal.close())
      .then(() => this.#io.lock.release())
      .catch((error: unknown) => {
        if (!this.#io.lostLock()) throw error; // a lost lock is already gone or someone else's
      });
    return this.#closing;
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    if (this.#closing) return Promise.reject(new OncallError("state_closed", `the state store for ${this.file} is closed`));
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => {}); // one failed batch must not block the ones queued after it
    return run;
  }

  /** Appends one line at the journal's end, checks every byte went out, fsyncs; a failure cuts the journal back. */
  async #append(line: string): Promise<void> {
    this.#checkLock();
    const bytes = Buffer.from(line);
    try {
      await this.#writeAll(this.#io.journal, bytes, this.#journalBytes, journalPath(this.file));
      await this.#io.journal.datasync();
    } catch (error) {
      await this.#io.journal.truncate(this.#journalBytes).catch(() => {});
      throw writeFailure(journalPath(this.file), error);
    }
    this.#journalBytes += bytes.length;
  }

  async #writeAll(handle: FileHandle, bytes: Buffer, position: number, path: string): Promise<void> {
    const written = await (this.#io.deps.writeAt ?? defaultWriteAt)(handle, bytes, position);
    if (written !== bytes.length) throw new OncallError("state_write_failed", `short write to ${path}: ${written} of ${bytes.length} bytes (disk full?)`);
  }

  #checkLock(): void {
    const lost = this.#io.lostLock();
    if (lost) {
      throw new OncallError(
        "state_lock_lost",
        `lost the lock on ${this.file} (${lost.message}); another process may own it now, so this one stops writing`,
        { cause: lost, exitCode: EXIT.locked },
      );
    }
  }
}

type FileStateStoreIo = { lock: StateLock; journal: FileHandle; lostLock: () => Error | undefined; deps: StateStoreDeps; options: StateStoreOptions };

function writeFailure(path: string, error: unknown): OncallError {
  if (error instanceof OncallError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === "ENOSPC" ? "the disk is full" : code === "EDQUOT" ? "the disk quota is used up" : errorMessage(error);
  return new OncallError("state_write_failed", `could not write the state to ${path}: ${why}`, { cause: error });
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  await handle?.sync().catch(() => {}); // not every platform syncs a directory
  await handle?.close();
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

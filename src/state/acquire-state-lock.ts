import { stat } from "node:fs/promises";
import lockfile from "proper-lockfile";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";

/** proper-lockfile refuses a stale time below 2 s. */
export const MIN_LOCK_STALE_MS = 2000;
export const DEFAULT_LOCK_STALE_MS = 10_000;

export interface StateLock {
  /** Where the lock lives: a directory next to the state file. */
  readonly lockPath: string;
  release(): Promise<void>;
}

/**
 * Takes the exclusive lock on the state file: a `<file>.lock` directory whose mtime the holder
 * refreshes every staleMs/2. A lock left by a crashed process stops being refreshed and is taken
 * over once it is staleMs old. `onCompromised` fires if the lock is lost while held (e.g. the
 * event loop stalled past staleMs and another process took it over).
 */
export async function acquireStateLock(
  file: string,
  options: { staleMs: number; onCompromised: (error: Error) => void },
): Promise<StateLock> {
  const lockPath = `${file}.lock`;
  const staleMs = Math.max(options.staleMs, MIN_LOCK_STALE_MS);
  try {
    const release = await lockfile.lock(file, {
      lockfilePath: lockPath,
      realpath: false, // the state file may not exist yet; the caller resolves the path
      stale: staleMs,
      update: staleMs / 2,
      retries: 0,
      onCompromised: options.onCompromised,
    });
    return { lockPath, release };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      const since = await describeLockAge(lockPath);
      throw new OncallError(
        "state_locked",
        `another oncall-agent is already running on ${file} (lock held since ${since}); ` +
          "stop it or set ONCALL_STATE_FILE to another path",
        { cause: error, exitCode: EXIT.locked },
      );
    }
    throw new OncallError("state_lock_failed", `could not lock the state file ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** The lock directory's creation time where the file system records it, else its last refresh. */
async function describeLockAge(lockPath: string): Promise<string> {
  try {
    const info = await stat(lockPath);
    return info.birthtimeMs > 0 ? info.birthtime.toISOString() : `an unknown time, refreshed ${info.mtime.toISOString()}`;
  } catch {
    return "a moment ago"; // released between our attempt and the stat
  }
}

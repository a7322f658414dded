import { readFile, readdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Clock } from "../lib/clock.ts";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { emptyState } from "./decisions.ts";
import { applyEntry, decodeJournal } from "./journal.ts";
import { STATE_VERSION, stateSchema, type State } from "./schema.ts";

export type ParsedState = { ok: true; state: State } | { ok: false; reason: string; tooNew?: boolean };

/**
 * What was on disk: a valid state, nothing (first run), a newer version's state (refused, never
 * touched), or something unusable and why.
 */
export type LoadedState =
  | { kind: "loaded"; state: State; bytes: number }
  | { kind: "missing" }
  | { kind: "too-new"; reason: string }
  | { kind: "corrupt"; reason: string };

/** Classifies the file's text; the reason names what is wrong in words an operator can act on. */
export function parseStateText(text: string): ParsedState {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `not valid JSON (${errorMessage(error)})` };
  }
  const version = typeof data === "object" && data !== null ? (data as { version?: unknown }).version : undefined;
  if (typeof version === "number" && version > STATE_VERSION) {
    return {
      ok: false,
      tooNew: true,
      reason: `written by a newer oncall-agent (state version ${version}; this build reads up to version ${STATE_VERSION})`,
    };
  }
  const parsed = stateSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
      .join("; ");
    return { ok: false, reason: `does not match the state schema (${issues})` };
  }
  return { ok: true, state: parsed.data };
}

export async function readStateFile(file: string): Promise<LoadedState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "corrupt", reason: `could not be read (${errorMessage(error)})` };
  }
  const parsed = parseStateText(text);
  if (parsed.ok) return { kind: "loaded", state: parsed.state, bytes: Buffer.byteLength(text) };
  return parsed.tooNew ? { kind: "too-new", reason: parsed.reason } : { kind: "corrupt", reason: parsed.reason };
}

/** Renames a bad state file to `<file>.corrupt-<ISO time>` and returns the new name. */
export async function moveAside(file: string, now: number): Promise<string> {
  const target = `${file}.corrupt-${new Date(now).toISOString()}`;
  try {
    await rename(file, target);
  } catch (error) {
    throw new OncallError(
      "state_unreadable",
      `the state file ${file} is unusable and could not be moved aside to ${target} (${errorMessage(error)}); move or delete it by hand`,
      { cause: error, exitCode: EXIT.usage },
    );
  }
  return target;
}

export interface Loaded {
  state: State;
  origin: { firstRun: boolean; recoveredFromCorruption: boolean };
  journalBytes: number;
  snapshotBytes: number;
}

/** Reads the snapshot and replays the journal; a newer version's state is refused, an unusable one moved aside. */
export async function loadState(file: string, deps: { logger: Logger; clock: Clock }): Promise<Loaded> {
  const snapshot = await readStateFile(file);
  const journalText = await readFile(journalPath(file), "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw new OncallError("state_unreadable", `could not read the state journal ${journalPath(file)}: ${error.message}`, { cause: error });
  });
  const journal = decodeJournal(journalText);
  if (snapshot.kind === "too-new" || !journal.ok) {
    const reason = snapshot.kind === "too-new" ? snapshot.reason : journal.ok ? "" : journal.reason;
    throw new OncallError(
      "state_too_new",
      `the state file ${file} was ${reason}. Upgrade oncall-agent, or set ONCALL_STATE_FILE to another path; the file was left as it is.`,
      { exitCode: EXIT.usage },
    );
  }
  if (journal.torn) {
    deps.logger.warn({ file, keptBytes: journal.goodBytes, reason: journal.torn }, "the state journal ends in a torn write (a crash or a full disk); the intact part is kept");
  }
  if (snapshot.kind === "missing" && journal.entries.length === 0) {
    deps.logger.info({ file }, "no state file yet: starting with an empty state");
    return { state: emptyState(), origin: { firstRun: true, recoveredFromCorruption: false }, journalBytes: 0, snapshotBytes: 0 };
  }
  let reason = snapshot.kind === "corrupt" ? snapshot.reason : null;
  let state: State | null = null;
  if (reason === null) {
    const replayed = journal.entries.reduce(applyEntry, snapshot.kind === "loaded" ? snapshot.state : emptyState());
    const checked = stateSchema.safeParse(replayed);
    if (checked.success) state = checked.data;
    else reason = `the journal does not replay onto it (${checked.error.issues[0]?.message ?? "schema"})`;
  }
  if (state !== null) {
    const snapshotBytes = snapshot.kind === "loaded" ? snapshot.bytes : 0;
    return { state, origin: { firstRun: false, recoveredFromCorruption: false }, journalBytes: Buffer.byteLength(journalText), snapshotBytes };
  }

  const movedTo = await moveAside(file, deps.clock.now());
  await rename(journalPath(file), `${movedTo}.journal`).catch(() => {});
  deps.logger.warn(
    { file, movedTo, reason },
    `state file ${file} is unusable (${reason}); moved it to ${movedTo} and started with an empty state. ` +
      "Channels start from the recovery window: alerts with a reply of this bot are adopted, the others answered.",
  );
  return { state: emptyState(), origin: { firstRun: false, recoveredFromCorruption: true }, journalBytes: 0, snapshotBytes: 0 };
}

/**
 * The state as a running bot holds it (snapshot plus journal), read without the lock and without
 * touching anything: for `status` beside a live bot. A torn journal tail is read up to its intact part.
 */
export async function peekState(file: string): Promise<LoadedState> {
  const snapshot = await readStateFile(file);
  const journalText = await readFile(journalPath(file), "utf8").catch(() => "");
  const journal = decodeJournal(journalText);
  if (snapshot.kind === "too-new" || snapshot.kind === "corrupt") return snapshot;
  if (!journal.ok) return { kind: "too-new", reason: journal.reason };
  if (snapshot.kind === "missing" && journal.entries.length === 0) return snapshot;
  const replayed = stateSchema.safeParse(journal.entries.reduce(applyEntry, snapshot.kind === "loaded" ? snapshot.state : emptyState()));
  if (!replayed.success) return { kind: "corrupt", reason: `the journal does not replay onto the snapshot (${replayed.error.issues[0]?.message ?? "schema"})` };
  return { kind: "loaded", state: replayed.data, bytes: Buffer.byteLength(journalText) + (snapshot.kind === "loaded" ? snapshot.bytes : 0) };
}

export function journalPath(file: string): string {
  return `${file}.journal`;
}

/** Temp files a killed process left next to the state file (ours, and write-file-atomic's from older versions). */
export async function removeTempFiles(file: string, logger: Logger): Promise<void> {
  const base = basename(file);
  const leftover = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.(?:tmp-\\d+|\\d+)$`);
  const names = await readdir(dirname(file)).catch(() => []);
  const removed = names.filter((name) => leftover.test(name));
  await Promise.all(removed.map((name) => rm(join(dirname(file), name), { force: true })));
  if (removed.length > 0) logger.info({ file, removed }, "removed temp files left by an interrupted write");
}

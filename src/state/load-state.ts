import { readFile, rename } from "node:fs/promises";
import { EXIT, OncallError, errorMessage } from "../lib/errors.ts";
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

import { crc32 } from "node:zlib";
import { z } from "zod";
import {
  STATE_VERSION,
  alertRecordSchema,
  channelRecordSchema,
  debounceRecordSchema,
  signatureRecordSchema,
  type State,
} from "./schema.ts";

/**
 * The state file's journal: one line per applied batch, holding only the records it changed
 * (a record's new value, or null when it was dropped), so persisting costs the size of the
 * change, not of the history. Each line is `<crc32 hex> <json>`; a line whose checksum fails (a
 * write torn by a crash or a full disk) ends the journal. Entries are idempotent upserts, so
 * replaying one already folded into the snapshot is harmless.
 */

const MAPS = { a: "alerts", x: "executions", c: "channels", s: "signatures", d: "debounce" } as const;
type MapKey = keyof typeof MAPS;

const entrySchema = z.object({
  v: z.number().int().positive(),
  a: z.record(z.string(), alertRecordSchema.nullable()).optional(),
  x: z.record(z.string(), z.string().nullable()).optional(),
  c: z.record(z.string(), channelRecordSchema.nullable()).optional(),
  s: z.record(z.string(), signatureRecordSchema.nullable()).optional(),
  d: z.record(z.string(), debounceRecordSchema.nullable()).optional(),
});
export type JournalEntry = z.output<typeof entrySchema>;

/** The records `next` changed relative to `prev` (compared by reference: transitions copy only what they change); null when nothing did. */
export function diffState(prev: State, next: State): JournalEntry | null {
  const entry: Record<string, unknown> = { v: STATE_VERSION };
  let changed = false;
  for (const [short, name] of Object.entries(MAPS) as [MapKey, (typeof MAPS)[MapKey]][]) {
    const before = (prev[name] ?? {}) as Record<string, unknown>;
    const after = (next[name] ?? {}) as Record<string, unknown>;
    if (before === after) continue;
    const delta: Record<string, unknown> = {};
    for (const key of Object.keys(after)) if (before[key] !== after[key] || !Object.hasOwn(before, key)) delta[key] = after[key];
    for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) delta[key] = null;
    if (Object.keys(delta).length > 0) {
      entry[short] = delta;
      changed = true;
    }
  }
  return changed ? (entry as JournalEntry) : null;
}

export function applyEntry(state: State, entry: JournalEntry): State {
  let next: State = state;
  for (const [short, name] of Object.entries(MAPS) as [MapKey, (typeof MAPS)[MapKey]][]) {
    const delta = entry[short] as Record<string, unknown> | undefined;
    if (!delta) continue;
    const map: Record<string, unknown> = { ...((next[name] ?? {}) as Record<string, unknown>) };
    for (const [key, value] of Object.entries(delta)) {
      if (value === null) delete map[key];
      else map[key] = value;
    }
    next = { ...next, [name]: map };
  }
  return next;
}

export function encodeEntry(entry: JournalEntry): string {
  const json = JSON.stringify(entry);
  return `${crc32(json).toString(16).padStart(8, "0")} ${json}\n`;
}

export type DecodedJournal =
  | { ok: true; entries: JournalEntry[]; /** Bytes of the intact prefix: a torn tail is cut back to this. */ goodBytes: number; torn: string | null }
  | { ok: false; tooNew: true; reason: string };

export function decodeJournal(text: string): DecodedJournal {
  const entries: JournalEntry[] = [];
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf("\n", offset);
    if (end < 0) return { ok: true, entries, goodBytes: Buffer.byteLength(text.slice(0, offset)), torn: "an unfinished last line" };
    const line = text.slice(offset, end);
    const entry = decodeLine(line);
    if (typeof entry === "string") return { ok: true, entries, goodBytes: Buffer.byteLength(text.slice(0, offset)), torn: entry };
    if (entry.v > STATE_VERSION) {
      return { ok: false, tooNew: true, reason: `its journal was written by a newer oncall-agent (state version ${entry.v}; this build reads up to ${STATE_VERSION})` };
    }
    entries.push(entry);
    offset = end + 1;
  }
  return { ok: true, entries, goodBytes: Buffer.byteLength(text), torn: null };
}

function decodeLine(line: string): JournalEntry | string {
  const space = line.indexOf(" ");
  const json = line.slice(space + 1);
  if (space !== 8 || crc32(json).toString(16).padStart(8, "0") !== line.slice(0, 8)) return "a line whose checksum does not match";
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return "a line that is not JSON";
  }
  const version = (data as { v?: unknown } | null)?.v;
  if (typeof version === "number" && version > STATE_VERSION) return { v: version } as JournalEntry;
  const parsed = entrySchema.safeParse(data);
  return parsed.success ? parsed.data : "a line that does not match the journal schema";
}

/** Validates only what an entry carries: the records a batch changed, not the whole state. */
export function checkEntry(entry: JournalEntry): string | null {
  const parsed = entrySchema.safeParse(entry);
  if (parsed.success) return null;
  return parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".")}: ${issue.message}`)
    .join("; ");
}

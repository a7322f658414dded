import { isPlainObject, parseOutput } from "../../tools/format-output.ts";

/** Small helpers to find values in JSON of unknown shape. */

export type JsonObject = Record<string, unknown>;

/** The tools' formatter and the readers unwrap JSON the same way: one implementation. */
export const isObject: (value: unknown) => value is JsonObject = isPlainObject;
export const parseNested: (value: unknown) => unknown = parseOutput;

/** Text of a command's output whatever arrived (readers never throw on a missing or odd text). */
export function asText(value: unknown): string {
  return typeof value === "string" ? value : value === null || value === undefined ? "" : String(value);
}

/** `restart_count`, `RestartCount` and `restart-count` all become `restartcount`. */
export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** The value of the first key (compared normalized) that is present. */
export function readKey(object: JsonObject, ...names: string[]): unknown {
  const wanted = names.map(normalizeKey);
  let best: unknown;
  let rank = wanted.length;
  // One pass over the keys: each is normalized once, the earliest wanted name wins.
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null) continue;
    const at = wanted.indexOf(normalizeKey(key));
    if (at !== -1 && at < rank) {
      best = value;
      rank = at;
      if (at === 0) break;
    }
  }
  return best;
}

export function readString(object: JsonObject, ...names: string[]): string | null {
  const value = readKey(object, ...names);
  if (typeof value === "string" && value.trim() !== "") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return null;
}

/** An object's name: the first of `keys` it carries (default `name`), else its Kubernetes `metadata.name`. */
export function objectName(object: JsonObject, ...keys: string[]): string | null {
  const metadata = readKey(object, "metadata");
  return readString(object, ...(keys.length > 0 ? keys : ["name"])) ?? (isObject(metadata) ? readString(metadata, "name") : null);
}

/**
 * Visits every object depth-first. `visit` returns true to claim the object, which stops the
 * walk from descending into it (a pod's container statuses are not pods themselves).
 */
export function walkObjects(value: unknown, visit: (object: JsonObject) => boolean, depth = 0): void {
  if (depth > 12) return;
  if (Array.isArray(value)) {
    for (const item of value) walkObjects(item, visit, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  if (visit(value)) return;
  for (const child of Object.values(value)) walkObjects(child, visit, depth + 1);
}

/** Every string leaf, in document order. */
export function collectStrings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 12) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, out, depth + 1);
  else if (isObject(value)) for (const child of Object.values(value)) collectStrings(child, out, depth + 1);
  return out;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** kubectl's ages: `45s`, `3m`, `6d1h`, `2m (x25 over 7m)` → seconds; null for anything else (timestamps included). */
export function parseAge(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const head = value.trim().split(/\s+/)[0] ?? "";
  const parts = [...head.matchAll(/(\d+)([smhdwy])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== head) return null;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? ""] ?? 0), 0);
}

/**
 * Reads `48000`, `"48,000"`, `"71%"`, `"5 (2m ago)"`, `"48k"` as numbers; null when there is none.
 * Only `k` is a multiplier: `m` means milli for CPU and is left to the caller.
 */
export function toNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const match = /^\s*(-?\d[\d,_]*(?:\.\d+)?)\s*([kK](?![a-zA-Z]))?/.exec(value);
  if (!match?.[1]) return null;
  const number = Number(match[1].replace(/[,_]/g, ""));
  if (!Number.isFinite(number)) return null;
  return match[2] ? number * 1_000 : number;
}


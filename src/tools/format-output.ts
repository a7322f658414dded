/**
 * Turns command output of unknown shape (JSON of differing shapes, JSON inside strings, plain
 * text, log lines) into compact readable text for the model, and cuts it to a character budget
 * with an explicit marker so the model knows it is not seeing everything.
 */

/** Which end of a long output survives a cut: logs keep the tail (the newest lines). */
export type KeepEnd = "head" | "tail";

export interface CutText {
  text: string;
  truncated?: { keptChars: number; totalChars: number };
}

const MAX_PARSE_DEPTH = 4;
const MAX_CELL_CHARS = 80;
const MAX_TABLE_COLUMNS = 12;
const INLINE_LIST_CHARS = 120;
const INLINE_OBJECT_CHARS = 80;

/** Parses JSON wherever it hides in strings (agents often wrap JSON as text), leaving text alone. */
export function parseOutput(raw: unknown, depth = 0): unknown {
  if (depth > MAX_PARSE_DEPTH) return raw;
  if (typeof raw === "string") {
    const parsed = tryParseJson(raw);
    return parsed === undefined ? raw : parseOutput(parsed, depth + 1);
  }
  if (Array.isArray(raw)) return raw.map((item) => parseOutput(item, depth + 1));
  if (isPlainObject(raw)) {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, parseOutput(value, depth + 1)]));
  }
  return raw;
}

/** True when the output carries nothing: null, blank text, or only empty containers. */
export function isEmptyOutput(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.every(isEmptyOutput);
  if (isPlainObject(value)) return Object.values(value).every(isEmptyOutput);
  return false;
}

/** Compact, indentation-based text: scalar `key: value` lines, tables for uniform rows, text kept as lines. */
export function renderOutput(value: unknown): string {
  return renderValue(value, "").trimEnd();
}

/** Keeps `budget` characters (marker included) from the head or the tail, on a line boundary when one is near. */
export function cutText(text: string, budget: number, keep: KeepEnd = "head"): CutText {
  if (text.length <= budget) return { text };
  const total = text.length;
  const room = Math.max(0, budget - cutMarker(total, total, keep).length);
  const kept = keep === "head" ? snapHead(text, room) : snapTail(text, room);
  const marker = cutMarker(kept.length, total, keep);
  return {
    text: keep === "head" ? `${kept}${marker}` : `${marker}${kept}`,
    truncated: { keptChars: kept.length, totalChars: total },
  };
}

export function cutMarker(kept: number, total: number, keep: KeepEnd): string {
  const counts = `${formatCount(kept)} of ${formatCount(total)} characters`;
  return keep === "head"
    ? `\n… [cut: showing the first ${counts}]`
    : `[cut: showing the last ${counts} — the newest lines; older lines dropped] …\n`;
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tryParseJson(text: string): unknown {
  const trimmed = text.trim();
  const looksLikeJson =
    (trimmed.startsWith("{") && trimmed.endsWith("}")) || (trimmed.startsWith("[") && trimmed.endsWith("]"));
  if (!looksLikeJson) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function snapHead(text: string, room: number): string {
  const slice = text.slice(0, room);
  const lastNewline = slice.lastIndexOf("\n");
  return lastNewline > room / 2 ? slice.slice(0, lastNewline) : slice;
}

function snapTail(text: string, room: number): string {
  if (room === 0) return "";
  const slice = text.slice(text.length - room);
  if (text[text.length - room - 1] === "\n") return slice;
  const firstNewline = slice.indexOf("\n");
  return firstNewline !== -1 && firstNewline < room / 2 ? slice.slice(firstNewline + 1) : slice;
}

function isScalar(value: unknown): value is string | number | boolean | null | undefined {
  return value === null || value === undefined || ["string", "number", "boolean", "bigint"].includes(typeof value);
}

function renderScalar(value: unknown): string {
  if (value === null || value === undefined) return "-";
  if (typeof value === "string") return value === "" ? '""' : value;
  return String(value);
}

function renderValue(value: unknown, indent: string): string {
  if (typeof value === "string") return indentLines(value.replace(/\s+$/, ""), indent) + "\n";
  if (isScalar(value)) return `${indent}${renderScalar(value)}\n`;
  if (Array.isArray(value)) return renderArray(value, indent);
  if (isPlainObject(value)) return renderObject(value, indent);
  return `${indent}${JSON.stringify(value)}\n`;
}

function renderObject(object: Record<string, unknown>, indent: string): string {
  const entries = Object.entries(object);
  if (entries.length === 0) return `${indent}{}\n`;
  return entries
    .map(([key, value]) => {
      if (isInline(value)) return `${indent}${key}: ${renderInline(value)}\n`;
      return `${indent}${key}:\n${renderValue(value, indent + "  ")}`;
    })
    .join("");
}

function renderArray(items: unknown[], indent: string): string {
  if (items.length === 0) return `${indent}[]\n`;
  if (isInline(items)) return `${indent}${renderInline(items)}\n`;
  const table = renderTable(items, indent);
  if (table !== undefined) return table;
  if (items.every((item) => typeof item === "string")) return items.map((line) => `${indent}${line}\n`).join("");
  return items
    .map((item) => {
      if (!isPlainObject(item) && isInline(item)) return `${indent}- ${renderInline(item)}\n`;
      const body = renderValue(item, indent + "  ");
      return `${indent}- ${body.slice(indent.length + 2)}`;
    })
    .join("");
}

/** Rows of flat objects (pod lists, events, metrics) read best as a kubectl-like table. */
function renderTable(items: unknown[], indent: string): string | undefined {
  if (items.length < 2 || !items.every(isPlainObject)) return undefined;
  const rows = items as Record<string, unknown>[];
  if (!rows.every((row) => Object.values(row).every((value) => isScalar(value) || isInline(value)))) return undefined;
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (columns.length > MAX_TABLE_COLUMNS) return undefined;
  const cells = [columns, ...rows.map((row) => columns.map((column) => clip(renderInline(row[column]))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)));
  return cells
    .map((line) => indent + line.map((cell, i) => (i === line.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join("  ") + "\n")
    .join("");
}

function isInline(value: unknown): boolean {
  if (typeof value === "string") return !value.includes("\n");
  if (isScalar(value)) return true;
  if (Array.isArray(value)) {
    return value.length === 0 || (value.every((item) => isScalar(item) && !String(item).includes("\n")) && renderInline(value).length <= INLINE_LIST_CHARS);
  }
  if (!isPlainObject(value)) return false;
  const values = Object.values(value);
  return values.every((item) => isScalar(item) && !String(item).includes("\n")) && renderInline(value).length <= INLINE_OBJECT_CHARS;
}

/** One line: `a, b, c` for a list, `{desired: 2, ready: 1}` for a small record. */
function renderInline(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : value.map(renderScalar).join(", ");
  if (isPlainObject(value)) {
    return `{${Object.entries(value).map(([key, item]) => `${key}: ${renderScalar(item)}`).join(", ")}}`;
  }
  return renderScalar(value);
}

function indentLines(text: string, indent: string): string {
  return indent === "" ? text : text.split("\n").map((line) => indent + line).join("\n");
}

function clip(cell: string): string {
  const oneLine = cell.replace(/\s*\n\s*/g, " ⏎ ");
  return oneLine.length <= MAX_CELL_CHARS ? oneLine : `${oneLine.slice(0, MAX_CELL_CHARS - 1)}…`;
}

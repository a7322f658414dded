import { asText, normalizeKey } from "./walk-json.ts";

/** A table row keyed by normalized header (`LAST SEEN` → `lastseen`, `CPU(cores)` → `cpucores`). */
export type TableRow = Record<string, string>;

/** Upper-case column names; kubectl top adds a lower-case unit in parentheses (`CPU(cores)`). */
const HEADER_TOKEN = /^[A-Z%][A-Z0-9 _./+%-]*(\([a-z]+\))?$/;

/**
 * Parses kubectl-like tables found anywhere in `text`: a header row of upper-case column names,
 * then rows until a blank line. Columns split on tabs or runs of 2+ spaces; when a row does not
 * split into as many cells (empty cells, e.g. an ingress without ADDRESS) it is cut at the
 * header's column offsets instead.
 */
export function parseTables(text: string): TableRow[] {
  const lines = asText(text).split(/\r?\n/);
  const rows: TableRow[] = [];
  let header: Header | null = null;
  for (const line of lines) {
    if (line.trim() === "") {
      header = null;
      continue;
    }
    const next = readHeader(line);
    if (next) {
      header = next;
      continue;
    }
    if (header) rows.push(readRow(line, header));
  }
  return rows;
}

interface Column {
  key: string;
  start: number;
}

interface Header {
  columns: Column[];
  /** True when the header's columns are separated by 2+ spaces, so offsets are meaningful. */
  aligned: boolean;
}

function readHeader(line: string): Header | null {
  const wide = splitCells(line);
  const aligned = wide.length >= 2;
  const tokens = aligned ? wide : line.trim().split(/\s+/);
  if (tokens.length < 2 || !tokens.every((token) => HEADER_TOKEN.test(token))) return null;
  if (!tokens.some((token) => /^[A-Z]{3,}/.test(token))) return null;
  const columns: Column[] = [];
  let from = 0;
  for (const token of tokens) {
    const start = line.indexOf(token, from);
    columns.push({ key: normalizeKey(token), start });
    from = start + token.length;
  }
  return { columns, aligned };
}

function splitCells(line: string): string[] {
  return line.trim().split(/\t+|\s{2,}/).filter((cell) => cell !== "");
}

function readRow(line: string, { columns, aligned }: Header): TableRow {
  const row: TableRow = {};
  const cells = splitCells(line);
  const words = line.trim().split(/\s+/);
  // Offsets are trusted only when no value crosses a column boundary (kubectl's own layout).
  const fitsOffsets = aligned && columns.every((column, i) => i === 0 || column.start >= line.length || /\s/.test(line[column.start - 1] ?? " "));
  const zipped = cells.length === columns.length ? cells : !fitsOffsets && words.length === columns.length ? words : null;
  columns.forEach((column, i) => {
    if (zipped) row[column.key] = zipped[i] ?? "";
    else if (aligned) row[column.key] = line.slice(column.start, columns[i + 1]?.start ?? line.length).trim();
    // Single-space columns: the last one (an event MESSAGE) takes the rest of the line.
    else row[column.key] = i === columns.length - 1 ? words.slice(i).join(" ") : (words[i] ?? "");
  });
  return row;
}

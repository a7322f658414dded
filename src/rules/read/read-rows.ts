import { parseTables } from "./parse-table.ts";
import { asText, isObject, readKey, type JsonObject } from "./walk-json.ts";

const ROW_KEYS = ["rows", "result", "results", "data", "records", "items", "values"];

/**
 * SQL result rows as records, whatever the shape: an array of objects; `{columns, rows: [[...]]}`
 * or `{fields: [{name}], rows}` (node-postgres); arrays whose first row is the header; arrays
 * without one (columns named `column1`, `column2`, ...); those nested under `data`/`result`; a
 * psql or MySQL text table; or a kubectl-like table. Empty when nothing reads as rows.
 */
export function extractRows(data: unknown, text: string): Record<string, unknown>[] {
  const found = rowsOf(data, 0);
  if (found) return found;
  const source = asText(text);
  const pipe = readPipeTable(source);
  return pipe.length > 0 ? pipe : parseTables(source);
}

/** Rows of a column/row shaped value (`{columns, rows}`, `{fields, rows}`, header + arrays); null when it is not one. */
export function rowsFromColumns(data: unknown): Record<string, unknown>[] | null {
  if (!isObject(data) && !Array.isArray(data)) return null;
  const object = isObject(data) ? data : null;
  const rows = object ? readKey(object, ...ROW_KEYS) : data;
  const columns = object ? readKey(object, "columns", "fields", "headers", "header") : undefined;
  if (!Array.isArray(rows) || !rows.every(Array.isArray)) return object ? nested(object) : null;
  const arrays = rows as unknown[][];
  if (Array.isArray(columns)) return zip(columns.map(columnName), arrays);
  const [first, ...rest] = arrays;
  if (first && rest.length > 0 && isHeader(first, rest)) return zip(first.map(String), rest);
  return zip(Array.from({ length: Math.max(0, ...arrays.map((r) => r.length)) }, (_, i) => `column${i + 1}`), arrays);
}

function rowsOf(data: unknown, depth: number): Record<string, unknown>[] | null {
  if (depth > 4) return null;
  if (Array.isArray(data)) {
    if (data.length > 0 && data.every(isObject)) return data;
    return rowsFromColumns(data);
  }
  if (!isObject(data)) return null;
  const tabled = rowsFromColumns(data);
  if (tabled) return tabled;
  const listed = readKey(data, ...ROW_KEYS);
  if (Array.isArray(listed)) return listed.length === 0 ? [] : listed.every(isObject) ? listed : null;
  if (isObject(listed)) return rowsOf(listed, depth + 1);
  return null;
}

function nested(object: JsonObject): Record<string, unknown>[] | null {
  const inner = readKey(object, ...ROW_KEYS);
  return isObject(inner) ? rowsFromColumns(inner) : null;
}

function columnName(column: unknown): string {
  return isObject(column) ? String(readKey(column, "name", "column", "field") ?? "") : String(column);
}

/** A first row of strings is a header when some later row holds a non-string where it has a string, or it repeats no value below. */
function isHeader(first: unknown[], rest: unknown[][]): boolean {
  if (!first.every((cell) => typeof cell === "string" && cell.trim() !== "")) return false;
  if (rest.some((row) => row.some((cell) => typeof cell !== "string" && cell !== null))) return true;
  return first.every((cell, i) => /^[a-z_][a-z0-9_]*$/i.test(String(cell)) && !rest.some((row) => row[i] === cell)) && first.some((cell) => /^[a-z_]+$/.test(String(cell)));
}

function zip(names: string[], rows: unknown[][]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
}

/** psql (` a | b ` over `---+---`, `(2 rows)`) and MySQL (`+---+` borders) tables. */
function readPipeTable(text: string): Record<string, string>[] {
  const lines = text.split(/\r?\n/);
  const rows: Record<string, string>[] = [];
  for (let i = 0; i < lines.length - 1; i += 1) {
    const header = lines[i] ?? "";
    const rule = lines[i + 1] ?? "";
    const mysql = /^\s*\+[-+]+\+\s*$/.test(header);
    const headerLine = mysql ? rule : header;
    const ruleLine = mysql ? (lines[i + 2] ?? "") : rule;
    if (!headerLine.includes("|") && !/^\s*-+\s*$/.test(ruleLine)) continue;
    if (!/^\s*[-+|]*-[-+|]*\s*$/.test(ruleLine)) continue;
    const names = cells(headerLine);
    if (names.length === 0 || names.some((n) => n === "")) continue;
    let j = i + (mysql ? 3 : 2);
    for (; j < lines.length; j += 1) {
      const line = lines[j] ?? "";
      if (/^\s*\+[-+]+\+\s*$/.test(line)) continue;
      if (line.trim() === "" || /^\s*\(\d+ rows?\)\s*$/.test(line)) break;
      const values = cells(line);
      rows.push(Object.fromEntries(names.map((name, k) => [name, values[k] ?? ""])));
    }
    i = j;
  }
  return rows;
}

function cells(line: string): string[] {
  return line.replace(/^\s*\|/, "").replace(/\|\s*$/, "").split("|").map((cell) => cell.trim());
}

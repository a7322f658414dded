import { parseTables } from "./parse-table.ts";
import { isObject, readKey } from "./walk-json.ts";

/** SQL result rows as records: `{columns, rows: [[...]]}`, an array of objects, or a text table. */
export function extractRows(data: unknown, text: string): Record<string, unknown>[] {
  const object = isObject(data) ? data : null;
  const rows = object ? readKey(object, "rows", "result", "results", "data") : data;
  const columns = object ? readKey(object, "columns", "fields") : undefined;
  if (Array.isArray(rows) && rows.length > 0) {
    if (rows.every(Array.isArray) && Array.isArray(columns)) {
      const names = columns.map((c) => (isObject(c) ? String(readKey(c, "name") ?? "") : String(c)));
      return (rows as unknown[][]).map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
    }
    if (rows.every(isObject)) return rows;
  }
  return parseTables(text);
}

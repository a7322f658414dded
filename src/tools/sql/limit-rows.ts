export interface LimitRowsOptions {
  /** Most result rows to show. */
  maxRows: number;
  /** Most characters of text, the cut marker included. */
  maxChars: number;
}

export interface LimitedRows {
  /** Tab-separated table (header line for object rows), then a marker line when anything was cut. */
  text: string;
  /** How many rows the result had, or null when the output was not readable as rows. */
  rowCount: number | null;
  shownRows: number;
  truncated: boolean;
}

type Table = { header: string[] | null; rows: string[][] } | { text: string };

/** Keys under which a wrapper object usually holds its rows. */
const ROW_KEYS = ["rows", "result", "results", "data", "records", "resultSet"];
/** Room kept for the marker line when something is cut. */
const MARKER_RESERVE = 64;

/**
 * Renders SQL result rows compactly for the model, bounded by rows and characters, and says what
 * was cut. Accepts whatever the SQL command returned: an array of objects or of arrays, a wrapper
 * object holding one, a JSON string of those, or plain text.
 */
export function limitSqlRows(rows: unknown, options: LimitRowsOptions): LimitedRows {
  const table = toTable(rows);
  const cellLimit = Math.max(20, Math.min(500, Math.floor(options.maxChars / 4)));
  if ("text" in table) return limitText(table.text, options.maxChars);
  if (table.rows.length === 0) return { text: "(0 rows)", rowCount: 0, shownRows: 0, truncated: false };

  const header = table.header === null ? [] : [renderLine(table.header, cellLimit)];
  const lines = table.rows.slice(0, options.maxRows).map((row) => renderLine(row, cellLimit));
  const whole = [...header, ...lines].join("\n");
  if (lines.length === table.rows.length && whole.length <= options.maxChars) {
    return { text: whole, rowCount: table.rows.length, shownRows: lines.length, truncated: false };
  }

  const budget = Math.max(0, options.maxChars - MARKER_RESERVE);
  const kept = header.map((line) => line.slice(0, budget));
  let used = kept.join("\n").length;
  let shown = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    kept.push(line);
    used += line.length + 1;
    shown += 1;
  }
  const hidden = table.rows.length - shown;
  const why = shown < lines.length ? ` (output limit ${options.maxChars.toLocaleString("en-US")} chars)` : "";
  const marker = `… ${hidden.toLocaleString("en-US")} more ${hidden === 1 ? "row" : "rows"} not shown${why}`;
  return { text: [...kept, marker].join("\n"), rowCount: table.rows.length, shownRows: shown, truncated: true };
}

function limitText(text: string, maxChars: number): LimitedRows {
  if (text.length <= maxChars) return { text, rowCount: null, shownRows: 0, truncated: false };
  const kept = text.slice(0, Math.max(0, maxChars - MARKER_RESERVE));
  const marker = `… ${(text.length - kept.length).toLocaleString("en-US")} more characters not shown`;
  return { text: `${kept}\n${marker}`, rowCount: null, shownRows: 0, truncated: true };
}

function toTable(value: unknown): Table {
  if (value === null || value === undefined) return { text: "(no output)" };
  if (typeof value === "string") return fromString(value);
  if (Array.isArray(value)) return fromArray(value);
  if (typeof value === "object") return fromObject(value as Record<string, unknown>);
  return { text: String(value) };
}

function fromString(value: string): Table {
  const trimmed = value.trim();
  if (!trimmed.startsWith("[") && !trimmed.startsWith("{")) return { text: value };
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return typeof parsed === "object" && parsed !== null ? toTable(parsed) : { text: value };
  } catch {
    return { text: value };
  }
}

function fromObject(value: Record<string, unknown>): Table {
  const { columns, rows } = value;
  if (Array.isArray(columns) && Array.isArray(rows) && rows.every(Array.isArray)) {
    return { header: columns.map(readColumnName), rows: rows.map((row: unknown[]) => row.map(formatCell)) };
  }
  const key = ROW_KEYS.find((candidate) => Array.isArray(value[candidate]));
  return key === undefined ? { text: toJson(value) } : fromArray(value[key] as unknown[]);
}

function fromArray(items: unknown[]): Table {
  if (items.length > 0 && items.every(isRecord)) {
    const header = [...new Set(items.flatMap((item) => Object.keys(item)))];
    return { header, rows: items.map((item) => header.map((column) => formatCell(item[column]))) };
  }
  if (items.every(Array.isArray)) return { header: null, rows: items.map((row: unknown[]) => row.map(formatCell)) };
  return { header: null, rows: items.map((item) => [formatCell(item)]) };
}

function readColumnName(column: unknown): string {
  if (isRecord(column) && typeof column.name === "string") return column.name;
  return formatCell(column);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\r?\n|\r/g, "\\n");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return toJson(value);
  return String(value);
}

/** JSON that also survives bigint values (drivers return int8 columns as bigint). */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item));
}

function renderLine(cells: string[], cellLimit: number): string {
  return cells.map((cell) => (cell.length > cellLimit ? `${cell.slice(0, cellLimit - 1)}…` : cell)).join("\t");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

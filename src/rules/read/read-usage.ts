import { parseTables } from "./parse-table.ts";
import { asText, normalizeKey, readKey, readString, toNumber, walkObjects } from "./walk-json.ts";

/** CPU and memory of one pod (kubectl top / metrics) or one process (top inside a pod). */
export interface UsageRecord {
  name: string;
  cpuMillis: number | null;
  memoryBytes: number | null;
  /** For `top` inside a pod: %CPU of the process (can exceed 100 on several cores). */
  cpuPercent: number | null;
  /** The container, for `kubectl top pods --containers` (POD and NAME columns): `name` is then the pod. */
  container?: string | null;
}

const UNITS: Record<string, number> = { ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40, k: 1e3, m: 1e6, g: 1e9, kb: 1e3, mb: 1e6, gb: 1e9 };

/** Usage rows from JSON, a `kubectl top pods` table, or `top` output (the process table). */
export function extractUsage(data: unknown, raw: string): UsageRecord[] {
  const text = asText(raw);
  const records: UsageRecord[] = [];
  walkObjects(data, (object) => {
    const name = readString(object, "name", "pod", "podName", "command", "process");
    const cpu = readKey(object, "cpu", "cpuUsage", "cpuCores", "cpuMillicores");
    const memory = readKey(object, "memory", "memoryUsage", "memoryBytes", "mem");
    const percent = toNumber(readKey(object, "cpuPercent", "%cpu", "pcpu"));
    if (!name || (cpu === undefined && memory === undefined && percent === null)) return false;
    records.push({ name, cpuMillis: parseCpu(cpu), memoryBytes: parseMemory(memory), cpuPercent: percent });
    return true;
  });
  if (records.length > 0) return records;
  const process = readTopProcesses(text);
  if (process.length > 0) return process;
  return parseTables(text).flatMap((row) => {
    const cpuKey = Object.keys(row).find((k) => k.startsWith("cpu"));
    const memKey = Object.keys(row).find((k) => k.startsWith("memory"));
    // `kubectl top pods --containers` prints POD then NAME (the container).
    const name = row.pod ?? row.name;
    return name && (cpuKey || memKey)
      ? [{ name, cpuMillis: parseCpu(cpuKey ? row[cpuKey] : undefined), memoryBytes: parseMemory(memKey ? row[memKey] : undefined), cpuPercent: null, container: row.pod ? (row.name ?? null) : null }]
      : [];
  });
}

/** `1850m` → 1850, `2` cores → 2000. */
export function parseCpu(value: unknown): number | null {
  if (typeof value === "number") return value <= 64 ? value * 1000 : value;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(m|n|cores?)?\s*$/i.exec(value);
  if (!match?.[1]) return null;
  const n = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  return unit === "m" ? n : unit === "n" ? n / 1e6 : n * 1000;
}

/** `3200Mi` → bytes. */
export function parseMemory(value: unknown): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?)?\s*$/i.exec(value);
  if (!match?.[1]) return null;
  return Number(match[1]) * (UNITS[(match[2] ?? "").toLowerCase()] ?? 1);
}

/** Linux `top`: whitespace columns, right-aligned, COMMAND last. */
function readTopProcesses(text: string): UsageRecord[] {
  const lines = text.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => /%CPU/.test(line) && /COMMAND/.test(line));
  if (headerIndex === -1) return [];
  const header = (lines[headerIndex] ?? "").trim().split(/\s+/).map(normalizeKey);
  const cpuColumn = header.indexOf("cpu");
  const commandColumn = header.indexOf("command");
  return lines.slice(headerIndex + 1).flatMap((line) => {
    const cells = line.trim().split(/\s+/);
    if (cells.length < header.length) return [];
    const percent = toNumber(cells[cpuColumn]);
    const command = cells.slice(commandColumn).join(" ");
    return percent === null ? [] : [{ name: command, cpuMillis: null, memoryBytes: null, cpuPercent: percent }];
  });
}

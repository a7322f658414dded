import { parseTables } from "./parse-table.ts";
import { readRedisInfo } from "./read-redis.ts";
import { asText, isObject, normalizeKey, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

/** What a number is: a measured reading, or a configured bound (a limit, a maximum, an alert threshold). */
export type MetricRole = "value" | "limit" | "threshold";

export interface MetricSample {
  /** The metric or key path as written (`redis_memory_used_bytes`, `conductor.heapPct`), labels apart. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** `bytes`, `%`, `GiB`, `/s`, `seconds`... from the value, a `unit` field or the name's suffix. */
  unit: string | null;
  role: MetricRole;
  /** For a reading: the limit and threshold given beside it (same object, or a `…_max_…` series of the same stem). */
  limit: number | null;
  threshold: number | null;
  /** For a range (Prometheus matrix): the first and highest values; `value` is the latest. */
  first: number | null;
  peak: number | null;
  /** Prometheus `# TYPE` (gauge, counter, summary...), when given. */
  type: string | null;
}

const NAME_KEYS = ["name", "metric", "key", "label", "type"];
const VALUE_KEYS = ["value", "val", "current", "size", "count", "usage", "used"];
/** Keys that hold a limit, not a reading. */
const NOT_A_READING = /threshold|limit|max|min|capacity|total/;
const THRESHOLD_WORDS = new Set(["threshold", "thresholds", "trigger", "alertlevel", "warnlevel", "criticallevel"]);
const LIMIT_WORDS = new Set(["limit", "limits", "max", "maximum", "min", "minimum", "capacity", "quota", "allocatable", "ceiling", "total"]);
/** Words of a name that say what bounds it, left out when matching a reading to its bound. */
const BOUND_WORDS = /^(used|usage|current|value|max|maximum|limit|limits|capacity|threshold|total|size)$/;
/** A sample line; label values are quoted and may hold braces (`uri="/api/tasks/poll/batch/{taskType}"`). */
const PROM_LINE = /^([a-zA-Z_:][\w:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|NaN|[+-]Inf)(?:\s+-?\d+)?\s*$/;

/**
 * Every number a metrics output holds, each with its role: Prometheus text exposition, the
 * Prometheus HTTP API (vector and matrix), name/value(/unit/threshold/max) records, nested
 * objects (flattened to key paths), `[name, value]` pairs, `redis-cli INFO`, and `Name: value`
 * text lines. A configured bound is never a reading: it is a sample with role limit/threshold,
 * and it is attached to the reading it bounds.
 */
export function readMetrics(data: unknown, text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  readPromApi(data, samples);
  if (samples.length === 0) readJson(data, "", samples, 0);
  const source = asText(text);
  if (samples.length === 0) readPromText(source, samples);
  if (samples.length === 0) samples.push(...redisSamples(source));
  if (samples.length === 0) readTables(source, samples);
  if (samples.length === 0) readTextLines(source, samples);
  return pairBounds(samples);
}

/**
 * Finds a numeric reading whose name matches `pattern` (tested on normalized names such as
 * `deciderqueuesize`): as a key, as a name/value pair, as a sample of any shape `readMetrics`
 * reads, or as `Name: 48,000` in text. Limits and thresholds are never returned.
 */
export function findMetric(data: unknown, text: string, pattern: RegExp): number | null {
  let found: number | null = null;
  walkObjects(data, (object) => {
    if (found !== null) return true;
    for (const [key, value] of Object.entries(object)) {
      const k = normalizeKey(key);
      if (pattern.test(k) && !NOT_A_READING.test(k) && toNumber(value) !== null && !isRatio(value)) {
        found = toNumber(value);
        return true;
      }
    }
    const name = readString(object, ...NAME_KEYS);
    if (name && pattern.test(normalizeKey(name)) && !NOT_A_READING.test(normalizeKey(name))) {
      found = toNumber(readKey(object, ...VALUE_KEYS));
      return found !== null;
    }
    return false;
  });
  if (found !== null) return found;
  const sample = readMetrics(data, text).find((s) => s.role === "value" && pattern.test(normalizeKey(s.name)));
  return sample?.value ?? findMetricInText(asText(text), pattern);
}

/**
 * The reading (never a bound) whose name or label values match `pattern` (tested on normalized
 * text: `jvm_memory_used_bytes{area="heap"}` matches /heap/), with its unit, limit and threshold.
 */
export function findSample(data: unknown, text: string, pattern: RegExp): MetricSample | null {
  return readMetrics(data, text).find((s) => s.role === "value" && (pattern.test(normalizeKey(s.name)) || Object.values(s.labels).some((v) => pattern.test(normalizeKey(v))))) ?? null;
}

function findMetricInText(text: string, pattern: RegExp): number | null {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*[-*•]?\s*([A-Za-z][\w .()/-]{0,60}?)\s*[:=]\s*(-?\d[\d,_]*(?:\.\d+)?\s*[kK]?)/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const name = normalizeKey(match[1]);
    if (pattern.test(name) && !NOT_A_READING.test(name)) return toNumber(match[2]);
  }
  return null;
}

/**
 * A percentage reading: a key or name matching `keyPattern` (which should say percent/usage), or
 * `NN%` on a text line matching `linePattern` (`Redis used memory: 6.1 GiB (71%)` → 71). A percent
 * that follows a threshold or limit word (`above the threshold of 65%`) is the bound, not the reading.
 */
export function findPercent(data: unknown, text: string, keyPattern: RegExp, linePattern: RegExp = keyPattern): number | null {
  const fromData = findMetric(data, "", keyPattern);
  if (fromData !== null && fromData <= 100) return fromData;
  for (const line of asText(text).split(/\r?\n/)) {
    if (!linePattern.test(normalizeKey(line))) continue;
    const reading = [...line.matchAll(/(\d+(?:\.\d+)?)\s*%/g)].find((m) => !/(threshold|limit|max(imum)?|capacity|quota|target)\b[^%\d]{0,20}$/i.test(line.slice(Math.max(0, m.index - 40), m.index)));
    if (reading?.[1]) return Number(reading[1]);
  }
  return null;
}

/** `{status, data: {resultType: "vector"|"matrix", result: [{metric, value|values}]}}`, wherever it sits. */
function readPromApi(data: unknown, out: MetricSample[]): void {
  walkObjects(data, (object) => {
    const resultType = readString(object, "resultType");
    const result = readKey(object, "result");
    if (!resultType || !Array.isArray(result)) return false;
    for (const series of result.filter(isObject)) {
      const metric = isObject(series.metric) ? series.metric : {};
      const labels = Object.fromEntries(Object.entries(metric).filter(([k, v]) => k !== "__name__" && typeof v === "string")) as Record<string, string>;
      const name = typeof metric.__name__ === "string" ? metric.__name__ : "";
      const points = (Array.isArray(series.values) ? series.values : Array.isArray(series.value) ? [series.value] : [])
        .map((point) => (Array.isArray(point) ? promNumber(point[1]) : null))
        .filter((n): n is number => n !== null);
      const latest = points[points.length - 1];
      if (latest === undefined) continue;
      out.push(sample(name, labels, latest, null, { first: points.length > 1 ? (points[0] ?? null) : null, peak: points.length > 1 ? Math.max(...points) : null }));
    }
    return true;
  });
  if (out.length === 0 && isObject(data) && readString(data, "resultType") === "scalar" && Array.isArray(data.result)) {
    const value = promNumber(data.result[1]);
    if (value !== null) out.push(sample("scalar", {}, value, null));
  }
}

/** Name/value records, nested objects as key paths, `[name, value]` pairs. */
function readJson(value: unknown, path: string, out: MetricSample[], depth: number): void {
  if (depth > 8 || value === null || value === undefined) return;
  if (Array.isArray(value)) {
    const pairs = value.filter((item): item is [string, unknown] => Array.isArray(item) && item.length >= 2 && typeof item[0] === "string");
    if (pairs.length === value.length && pairs.length > 0) {
      for (const [name, ...rest] of pairs) {
        const reading = rest.map(withUnit).find((r) => r !== null);
        if (reading) out.push(sample(join(path, name), {}, reading.value, reading.unit));
        // `["node-1", "cpu 22%", "mem 48%"]`: labelled readings of the thing the first cell names.
        else for (const labelled of rest.flatMap(labelledReading)) out.push(sample(join(path, labelled.label), { name }, labelled.value, labelled.unit));
      }
      return;
    }
    value.forEach((item) => readJson(item, path, out, depth + 1));
    return;
  }
  if (!isObject(value)) {
    // redis-cli INFO text held inside JSON (`{redis: {info: "# Memory\r\nused_memory:..."}}`).
    if (typeof value === "string" && value.includes("\n")) {
      out.push(...redisSamples(value));
      return;
    }
    const reading = withUnit(value);
    if (reading && path) out.push(sample(path, {}, reading.value, reading.unit));
    return;
  }
  const record = readRecord(value);
  if (record) {
    out.push(record);
    return;
  }
  const start = out.length;
  for (const [key, child] of Object.entries(value)) readJson(child, join(path, key), out, depth + 1);
  attachSiblings(out.slice(start), path);
}

/** `{name|metric: "x{a=\"b\"}", value: 1, unit, threshold, max}`: one reading with its bounds. */
function readRecord(object: JsonObject): MetricSample | null {
  const rawName = readString(object, "metric", "name", "key", "label");
  if (!rawName) return null;
  const reading = withUnit(readKey(object, "value", "val", "current", "usage", "used", "reading"));
  if (!reading) return null;
  const { name, labels } = splitLabels(rawName);
  const unit = readString(object, "unit", "units") ?? reading.unit;
  const base = sample(name, labels, reading.value, unit);
  return {
    ...base,
    threshold: withUnit(readKey(object, "threshold", "alertThreshold", "warnThreshold", "criticalThreshold"))?.value ?? null,
    limit: withUnit(readKey(object, "limit", "max", "maximum", "capacity", "total"))?.value ?? null,
  };
}

/**
 * Inside one object, a bound key bounds its sibling readings: a bare `threshold`/`max` every
 * reading of a compatible scale, a named one (`heapMaxPct`) the reading of its stem (`heapPct`).
 */
function attachSiblings(siblings: MetricSample[], path: string): void {
  const direct = siblings.filter((s) => parentOf(s.name) === path);
  for (const bound of direct.filter((s) => s.role !== "value")) {
    const stem = stemOf(lastSegment(bound.name));
    for (const reading of direct.filter((s) => s.role === "value" && sameScale(s, bound) && (stem === "" || stemOf(lastSegment(s.name)) === stem))) {
      if (bound.role === "threshold") reading.threshold ??= bound.value;
      else reading.limit ??= bound.value;
    }
  }
}

/** A percent is bounded by a percent, bytes by a size; a number of unknown scale fits either. */
function sameScale(a: MetricSample, b: MetricSample): boolean {
  const scale = (s: MetricSample) => (s.unit === "%" || /pct|percent|ratio/i.test(s.name) ? "%" : s.unit && /^([kmgt]i?b?|bytes)$/i.test(s.unit) ? "size" : null);
  const [x, y] = [scale(a), scale(b)];
  return x === null || y === null || x === y;
}

function lastSegment(name: string): string {
  return name.split(".").pop() ?? name;
}

function readPromText(text: string, out: MetricSample[]): void {
  const types = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const type = /^#\s*TYPE\s+(\S+)\s+(\w+)/.exec(line);
    if (type?.[1] && type[2]) {
      types.set(type[1], type[2]);
      continue;
    }
    const match = PROM_LINE.exec(line.trim());
    if (!match?.[1] || match[3] === undefined) continue;
    const value = promNumber(match[3]);
    if (value === null) continue;
    const name = match[1];
    const base = name.replace(/_(bucket|sum|count)$/, "");
    out.push({ ...sample(name, parseLabels(match[2] ?? ""), value, null), type: types.get(name) ?? types.get(base) ?? null });
  }
}

function redisSamples(text: string): MetricSample[] {
  const info = readRedisInfo(text);
  if (!info) return [];
  const out = Object.entries(info.fields).flatMap(([key, raw]) => {
    const reading = withUnit(raw);
    return reading && /^-?\d/.test(raw) ? [sample(key, {}, reading.value, /memory|bytes/.test(key) && !/human|ratio/.test(key) ? "bytes" : reading.unit)] : [];
  });
  const used = out.find((s) => s.name === "used_memory");
  if (used && info.maxmemory !== null && info.maxmemory > 0) used.limit = info.maxmemory;
  return out;
}

/**
 * Tables: a `METRIC VALUE` table (a `194 / 200` value is 194 bounded by 200), or rows of a named
 * thing with numeric columns (`NODE  CPU%  MEM%`): one sample per column, labelled with the row's name.
 */
function readTables(text: string, out: MetricSample[]): void {
  for (const row of parseTables(text)) {
    const name = row.metric ?? row.name ?? row.key;
    const value = row.value ?? row.current ?? row.reading;
    if (name && value !== undefined) {
      const bounded = /^\s*(-?\d[\d,]*(?:\.\d+)?)\s*\/\s*(\d[\d,]*(?:\.\d+)?)\s*(\S*)\s*$/.exec(value);
      const reading = bounded ? withUnit(`${bounded[1]} ${bounded[3] ?? ""}`) : withUnit(value);
      if (!reading) continue;
      const item = sample(name, {}, reading.value, reading.unit);
      if (bounded?.[2]) item.limit = Number(bounded[2].replace(/,/g, ""));
      item.threshold = withUnit(row.threshold)?.value ?? null;
      item.limit ??= withUnit(row.limit ?? row.max)?.value ?? null;
      out.push(item);
      continue;
    }
    const subject = row.name ?? row.node ?? row.pod ?? Object.values(row)[0];
    for (const [column, cell] of Object.entries(row)) {
      const reading = withUnit(cell);
      if (reading && subject && cell !== subject) out.push(sample(column, { name: subject }, reading.value, reading.unit ?? (/pct|percent|%/.test(column) ? "%" : null)));
    }
  }
}

/** `cpu 22%` → cpu, 22, %. */
function labelledReading(value: unknown): { label: string; value: number; unit: string | null }[] {
  const match = typeof value === "string" ? /^\s*([A-Za-z][\w .-]*?)\s+(-?\d[\d,]*(?:\.\d+)?)\s*(%|[A-Za-z/]+)?\s*$/.exec(value) : null;
  return match?.[1] && match[2] ? [{ label: match[1], value: Number(match[2].replace(/,/g, "")), unit: match[3] ?? null }] : [];
}

/** `Decider queue: 48,000`, `heap used = 3.1 GiB` lines. */
function readTextLines(text: string, out: MetricSample[]): void {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*[-*•]?\s*([A-Za-z][\w .()/-]{0,60}?)\s*[:=]\s*(-?\d[\d,_]*(?:\.\d+)?\s*(?:[kKMGT]i?B?|%|ms|s|\/s|bytes)?)(?:\s|$|,|;|\()/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const reading = withUnit(match[2]);
    if (reading) out.push(sample(match[1].trim(), {}, reading.value, reading.unit));
  }
}

function sample(name: string, labels: Record<string, string>, value: number, unit: string | null, range: { first: number | null; peak: number | null } = { first: null, peak: null }): MetricSample {
  return { name, labels, value, unit: unit ?? unitFromName(name), role: roleOf(name), limit: null, threshold: null, first: range.first, peak: range.peak, type: null };
}

/** The role from the words of the name's last segment (`redis.threshold`, `redis_memory_max_bytes`, `cpuLimit`, `maxmemory`). */
export function roleOf(name: string): MetricRole {
  const words = wordsOf(name.split(".").pop() ?? name);
  if (words.some((w) => THRESHOLD_WORDS.has(w) || w.endsWith("threshold"))) return "threshold";
  // Counts are readings, and so is `total` in snake_case (Prometheus counters: `errors_total_15m`).
  if (words[words.length - 1] === "count") return "value";
  const snake = /_/.test(name) && !/[a-z][A-Z]/.test(name);
  return words.some((w) => (LIMIT_WORDS.has(w) && !(snake && w === "total")) || /^max[a-z]/.test(w)) ? "limit" : "value";
}

/** `node_memory_MemTotal_bytes` → node, memory, mem, total, bytes. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_.:-]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

/** Readings get the bound series of their stem: `redis_memory_used_bytes` ↔ `redis_memory_max_bytes`. */
function pairBounds(samples: MetricSample[]): MetricSample[] {
  const bounds = samples.filter((s) => s.role !== "value");
  for (const reading of samples.filter((s) => s.role === "value")) {
    const stem = stemOf(reading.name);
    for (const bound of bounds.filter((b) => stemOf(b.name) === stem && sameScale(reading, b) && labelsAgree(reading.labels, b.labels))) {
      if (bound.role === "threshold") reading.threshold ??= bound.value;
      else reading.limit ??= bound.value;
    }
  }
  return samples;
}

function stemOf(name: string): string {
  return wordsOf(name)
    .filter((word) => !BOUND_WORDS.test(word))
    .join("_");
}

function labelsAgree(a: Record<string, string>, b: Record<string, string>): boolean {
  return Object.entries(b).every(([k, v]) => a[k] === undefined || a[k] === v);
}

function parentOf(name: string): string {
  const at = name.lastIndexOf(".");
  return at === -1 ? "" : name.slice(0, at);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** `conductor_task_queue_depth{taskType="x"}` → name and labels. */
function splitLabels(raw: string): { name: string; labels: Record<string, string> } {
  const match = /^([^{]+)(\{.*\})$/.exec(raw.trim());
  return match?.[1] ? { name: match[1], labels: parseLabels(match[2] ?? "") } : { name: raw, labels: {} };
}

function parseLabels(raw: string): Record<string, string> {
  return Object.fromEntries([...raw.matchAll(/([\w.]+)\s*=\s*"((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? "", (m[2] ?? "").replace(/\\"/g, '"')]));
}

function promNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value !== "string") return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** `71%`, `6.1 GiB`, `400/s`, `1850m`, `3,201`, 0.97 → value and unit; null for text, booleans, ratios like `2/3` and timestamps. */
function withUnit(value: unknown): { value: number; unit: string | null } | null {
  if (typeof value === "number") return Number.isFinite(value) ? { value, unit: null } : null;
  if (typeof value !== "string" || isRatio(value) || /^\d{4}-\d{2}-\d{2}/.test(value.trim())) return null;
  const match = /^\s*(-?\d[\d,_]*(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([a-zA-Z%/][\w/%]*)?\s*$/.exec(value);
  if (!match?.[1]) return null;
  const n = Number(match[1].replace(/[,_]/g, ""));
  return Number.isFinite(n) ? { value: n, unit: match[2] ?? null } : null;
}

function isRatio(value: unknown): boolean {
  return typeof value === "string" && /^\s*\d+\s*\/\s*\d+\s*$/.test(value);
}

function unitFromName(name: string): string | null {
  const suffix = /(?:_|\b)(bytes|seconds|ratio|percent|milliseconds|ms)(?:_total)?$/i.exec(name)?.[1]?.toLowerCase();
  if (suffix) return suffix === "percent" ? "%" : suffix;
  return /(pct|percent)$/i.test(name) ? "%" : null;
}

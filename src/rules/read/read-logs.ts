import { asText, isObject, readKey, readString, type JsonObject } from "./walk-json.ts";

/**
 * Reads log output of any common shape into records (level, message, exception and its
 * `Caused by` chain), then counts what matters: exception classes and the dominant messages by
 * template. Shapes: JSON lines (logstash/logback, ECS, bunyan/pino, log4j2 JSON, Python JSON),
 * logfmt (`level=error msg=...`), klog (`E1201 10:00:00.123456 1 file.go:12] msg`), Spring Boot
 * text, Redis server logs, and plain text with a level word near the start; Java and Python stack
 * traces attach to the record above them. Nothing is dropped by keyword: a line is background
 * only by its level.
 */

export type LogLevel = "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR" | "FATAL";
export type LogFormat = "json" | "logfmt" | "klog" | "spring" | "redis" | "text";

export interface LogRecord {
  format: LogFormat;
  level: LogLevel | null;
  time: string | null;
  logger: string | null;
  message: string;
  /** The exception thrown with this record: a stack trace's header, `error.type`, `err.name`, or `Class: text` in the message. */
  exception: ThrownException | null;
  /** `Caused by:` exceptions, outermost first; the last one is the root. */
  causes: ThrownException[];
  /** Exception classes the message only names (`... (x.y.FooException); use ...`), not thrown here. */
  mentions: string[];
  /** A verbatim excerpt of the output: the record's first line, or for JSON the message as written in it. */
  sample: string;
  /** Physical lines the record spans (stack traces included). */
  lineCount: number;
}

export interface ThrownException {
  name: string;
  message: string | null;
  /** Verbatim: the line that names it (`Caused by: x.y.Z: text`), or the record's excerpt. */
  sample: string;
}

export interface ExceptionCount {
  name: string;
  count: number;
  /** Records where it appeared as a `Caused by:` (so it is a root, not a wrapper). */
  asCause: number;
  /** The most frequent direct `Caused by:` beneath it, when it wraps one. */
  root: string | null;
  /** The most frequent deepest `Caused by:` beneath it (the end of the chain). */
  rootCause: string | null;
  sample: string;
}

export interface MessageCount {
  template: string;
  count: number;
  sample: string;
  level: LogLevel | null;
}

export interface LogSummary {
  /** Non-empty physical lines. */
  lines: number;
  /** Log records (a stack trace belongs to the record above it). */
  records: number;
  errorLines: number;
  warnLines: number;
  /** Records below WARN (INFO, DEBUG, TRACE): background by level. */
  belowWarnLines: number;
  /**
   * Always 0: lines used to be dropped as noise when they mentioned "deprecat"; nothing is dropped
   * by keyword any more. Kept only so existing callers compile; read `belowWarnLines` instead.
   */
  noiseLines: 0;
  /** Records per format found (`json`, `klog`, ...), so a reader can tell what shape the log had. */
  formats: Partial<Record<LogFormat, number>>;
  /** Thrown exceptions (stack headers, `Caused by`, structured error fields, `Class: text`), most frequent first. */
  exceptions: ExceptionCount[];
  /** Exception classes only named inside messages, most frequent first. */
  mentions: ExceptionCount[];
  /** ERROR/FATAL messages by template, most frequent first; lines without a level that read like failures count too (Redis, nginx). */
  errors: MessageCount[];
  warns: MessageCount[];
  /** Lines that looked like JSON records but did not parse (cut lines, say); read as text instead. */
  unreadJsonLines: number;
}

const EXCEPTION = /\b((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Fault))\b/g;
/** A class name thrown: at the start of the text or after `: `, and followed by `:` or the end. */
const THROWN_AT = /(?:^|:\s+|\s-\s+)((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Fault))(?=:|\s*$)/g;
const STACK_FRAME = /^\s*(at\s+\S|\.\.\.\s*\d+\s+(more|common frames omitted)|File\s+"[^"]+",\s+line\s+\d+|Traceback \(most recent call last\):)/;
const CAUSED_BY = /^\s*Caused by:\s*([\w$.]+)(?::\s*(.*))?$/;
const EXCEPTION_HEADER = /^\s*((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable|Fault)|[A-Z][\w$]*(?:Exception|Error))(?::\s*(.*))?$/;
const KLOG = /^([IWEF])(\d{4})\s+(\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+\d+\s+([\w.-]+:\d+)\]\s?(.*)$/;
const SPRING = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+([A-Z]+)\s+\d+\s+---\s+(?:\[[^\]]*\]\s*)+(\S+)\s+:\s?(.*)$/;
const REDIS = /^(\d+:[XCSM])\s+(\d{1,2}\s+\w{3}(?:\s+\d{4})?\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+([.\-*#])\s+(.*)$/;
/** Container-runtime prefix when logs are read from node files: `2025-01-01T10:00:00.1Z stderr F `. */
const CRI_PREFIX = /^\d{4}-\d{2}-\d{2}T[\d:.]+(?:Z|[+-]\d{2}:\d{2})\s+(?:stdout|stderr)\s+[FP]\s/;
const TIMESTAMP = /^(\d{4}[-/]\d{2}[-/]\d{2}(?:[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}:\d{2}(?:[.,]\d+)?|\d{10,13}(?:\.\d+)?)$/;
const FAILURE_WORDS = /\b(error|fatal|panic|failed|failure|corrupt\w*|bad file format|refused|denied)\b/i;

const LEVEL_WORDS: Record<string, LogLevel> = {
  trace: "TRACE", finest: "TRACE", finer: "TRACE", debug: "DEBUG", fine: "DEBUG", verbose: "DEBUG",
  info: "INFO", information: "INFO", notice: "INFO", config: "INFO",
  warn: "WARN", warning: "WARN",
  error: "ERROR", err: "ERROR", severe: "ERROR", critical: "FATAL", crit: "FATAL", fatal: "FATAL", panic: "FATAL", emerg: "FATAL", alert: "FATAL", dpanic: "FATAL",
};
const KLOG_LEVELS: Record<string, LogLevel> = { I: "INFO", W: "WARN", E: "ERROR", F: "FATAL" };
const REDIS_LEVELS: Record<string, LogLevel> = { ".": "DEBUG", "-": "DEBUG", "*": "INFO", "#": "WARN" };

/** Counts of a log's records: levels, thrown exceptions with their causes, and ERROR/WARN messages by template. */
export function summarizeLogs(text: string): LogSummary {
  const parsed = parseLogRecords(text);
  const exceptions = new Counter();
  const mentions = new Counter();
  const errors = new Map<string, MessageCount>();
  const warns = new Map<string, MessageCount>();
  const formats: LogSummary["formats"] = {};
  let errorLines = 0;
  let warnLines = 0;
  let belowWarnLines = 0;
  for (const record of parsed.records) {
    formats[record.format] = (formats[record.format] ?? 0) + 1;
    exceptions.addRecord(record);
    for (const name of record.mentions) mentions.add(name, record.sample);
    if (record.level === "ERROR" || record.level === "FATAL") {
      errorLines += 1;
      countMessage(errors, record);
    } else if (record.level === "WARN") {
      warnLines += 1;
      countMessage(warns, record);
    } else if (record.level !== null) {
      belowWarnLines += 1;
    } else if (record.exception === null && FAILURE_WORDS.test(record.message)) {
      countMessage(errors, record);
    }
  }
  return {
    lines: parsed.lines,
    records: parsed.records.length,
    errorLines,
    warnLines,
    belowWarnLines,
    noiseLines: 0,
    formats,
    exceptions: exceptions.list(),
    mentions: mentions.list(),
    errors: byCount(errors),
    warns: byCount(warns),
    unreadJsonLines: parsed.unreadJsonLines,
  };
}

/**
 * Log text from a command's parsed output, whatever held it: a string, an array of lines, log
 * records as JSON objects (written back as JSON lines, so every field stays readable), or those
 * inside an object (`{pod, logs: [...]}`). Null when the output holds no text at all.
 */
export function logTextFromData(data: unknown, depth = 0): string | null {
  if (typeof data === "string") return data;
  if (depth > 6 || data === null || data === undefined) return null;
  if (Array.isArray(data)) {
    const parts = data.flatMap((item) => (isObject(item) && isLogObject(item) ? [JSON.stringify(item)] : [logTextFromData(item, depth + 1)].filter((t): t is string => t !== null)));
    return parts.length > 0 ? parts.join("\n") : null;
  }
  if (!isObject(data)) return typeof data === "number" || typeof data === "boolean" ? String(data) : null;
  if (isLogObject(data)) return JSON.stringify(data);
  const parts = Object.values(data).map((value) => logTextFromData(value, depth + 1)).filter((t): t is string => t !== null && t.trim() !== "");
  return parts.length > 0 ? parts.join("\n") : null;
}

function isLogObject(object: JsonObject): boolean {
  return typeof readKey(object, "message", "msg", "@message", "log") === "string";
}

/** Records of a log, with stack-trace lines folded into the record they belong to. */
export function parseLogRecords(text: string): { records: LogRecord[]; lines: number; unreadJsonLines: number } {
  const records: LogRecord[] = [];
  let lines = 0;
  let unreadJsonLines = 0;
  let current: LogRecord | null = null;
  // A record with a level and no message (Spring Boot's failure analysis, a properties warning) writes it on the lines below.
  let body: string[] | null = null;
  for (const rawLine of asText(text).split(/\r?\n/)) {
    if (rawLine.trim() === "") continue;
    lines += 1;
    const line = rawLine.replace(CRI_PREFIX, "");
    if (current && body) {
      const next = readLine(line).record;
      if (next.level === null && next.time === null && next.format === "text" && next.exception === null) {
        body.push(line.trim());
        current.message = messageOf(body);
        current.lineCount += 1;
        continue;
      }
      body = null;
    }
    if (current && attachToTrace(current, line)) continue;
    const { record, unreadJson } = readLine(line);
    if (unreadJson) unreadJsonLines += 1;
    records.push(record);
    current = record;
    body = record.level !== null && record.message === "" && record.exception === null ? [] : null;
  }
  return { records, lines, unreadJsonLines };
}

/**
 * A message written below its record's header, as one line: Spring Boot's failure analysis is
 * its `Description:` (what failed to start and why), the banner lines of stars aside.
 */
function messageOf(body: readonly string[]): string {
  const text = body.filter((line) => !/^[*=#-]{3,}$/.test(line)).join(" ");
  return /\bDescription:\s*(.*?)(?:\s+Action:.*)?$/.exec(text)?.[1] ?? text;
}

/** The message after the level, with numbers and ids blanked so repeats of one message group together. */
export function toTemplate(line: string): string {
  const { record } = readLine(line);
  return maskMessage(record.message);
}

/** Numbers, UUIDs, hex ids, IPs and durations blanked: `took 1234 ms for 5fe2…` → `took # ms for <id>`. */
export function maskMessage(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<id>")
    .replace(/\b[0-9a-f]{2,}\.{2,}[0-9a-f]{1,}\b/gi, "<id>")
    .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, "<hex>")
    .replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, "<ip>")
    .replace(/\d[\d,_]*(?:\.\d+)?/g, "#")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 120);
}

function readLine(line: string): { record: LogRecord; unreadJson: boolean } {
  const trimmed = line.trim();
  if (trimmed.startsWith("{")) {
    const json = tryJson(trimmed);
    if (json) return { record: readJsonRecord(json, trimmed), unreadJson: false };
    return { record: readTextLine(trimmed), unreadJson: trimmed.startsWith('{"') };
  }
  return { record: readTextLine(trimmed), unreadJson: false };
}

function tryJson(text: string): JsonObject | null {
  try {
    const value = JSON.parse(text) as unknown;
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}

/** A record from its text line; the level is the first level word before the message begins. */
function readTextLine(line: string): LogRecord {
  const klog = KLOG.exec(line);
  if (klog) {
    const { message, err } = readKlogMessage(klog[5] ?? "");
    return withThrown({ ...blank("klog", line), level: KLOG_LEVELS[klog[1] ?? ""] ?? null, time: klog[3] ?? null, logger: klog[4] ?? null, message: err ? `${message}: ${err}` : message });
  }
  const spring = SPRING.exec(line);
  if (spring) {
    return withThrown({ ...blank("spring", line), level: toLevel(spring[2]), time: spring[1] ?? null, logger: spring[3] ?? null, message: (spring[4] ?? "").trim() });
  }
  const redis = REDIS.exec(line);
  if (redis) {
    const rest = redis[4] ?? "";
    const marked = /^(WARNING|ERROR|FATAL)\b:?\s*/i.exec(rest);
    // Redis has no error level: it logs its failures at its highest, `#`.
    const level = marked ? toLevel(marked[1]) : redis[3] === "#" && FAILURE_WORDS.test(rest) ? "ERROR" : (REDIS_LEVELS[redis[3] ?? ""] ?? null);
    return { ...blank("redis", line), level, time: redis[2] ?? null, message: rest.trim() };
  }
  if (/(^|\s)(level|lvl|severity)=\S/.test(line) && /^\s*(ts|time|t|timestamp)=|(^|\s)(msg|message|caller|err)=/.test(line)) return readLogfmt(line);
  return withThrown(readPlain(line));
}

/** `2024-01-01 10:00:00,004 [ERROR] some.logger: text`, `ts ERROR [thread] c.x.Y - text`, `ERROR:root:text`, `[job] ts WARN text`. */
function readPlain(line: string): LogRecord {
  const record = blank("text", line);
  const tokens = line.split(/\s+/);
  let index = 0;
  for (; index < Math.min(tokens.length, 8); index += 1) {
    const token = tokens[index] ?? "";
    const word = /^[[(<]?([A-Za-z]+)[\])>]?:?$/.exec(token)?.[1] ?? /^([A-Z]+):\S/.exec(token)?.[1];
    const level = word ? LEVEL_WORDS[word.toLowerCase()] : undefined;
    // A lower-case word is a level only in a level's position (after timestamps and tags), never inside prose.
    if (level && (word === word?.toUpperCase() || /^[[(<]/.test(token) || token.endsWith(":") || index > 0 || tokens.length === 1)) {
      record.level = level;
      const after = token.includes(":") && !token.endsWith(":") ? [token.slice(token.indexOf(":") + 1), ...tokens.slice(index + 1)] : tokens.slice(index + 1);
      record.message = stripPrefix(after.join(" "));
      record.time = tokens.slice(0, index).find((t) => TIMESTAMP.test(t.replace(/^\[|\]$/g, ""))) ?? null;
      return splitLogger(record);
    }
    if (!isPrefixToken(token)) break;
  }
  // No level in a level's position: an upper-case level word further on still counts (`... ERROR ...`).
  const late = /\b(FATAL|SEVERE|ERROR|WARN(?:ING)?)\b/.exec(line);
  if (late?.[1]) {
    record.level = toLevel(late[1]);
    record.message = stripPrefix(line.slice(late.index + late[0].length));
    return splitLogger(record);
  }
  record.message = stripPrefix(line);
  return record;
}

/** Timestamps, dates, bracketed tags and pids that come before a level. */
function isPrefixToken(token: string): boolean {
  const bare = token.replace(/^\[|\]$/g, "");
  // `nginx:` and `sshd[812]:` name the program before its level.
  return TIMESTAMP.test(bare) || /^\[[^\]]*\]?$/.test(token) || /^[\w.-]+(\[\d+\])?:$/.test(token) || /^\d+#\d+:$/.test(token) || /^\d+(:[A-Z])?$/.test(token) || /^[A-Z][a-z]{2}$/.test(token) || /^\d{1,2}(:\d{2}){1,2}(\.\d+)?$/.test(bare) || /^-+$/.test(token);
}

function stripPrefix(text: string): string {
  return text.replace(/^[\s:\]-]*(\d+\s+---\s+)?(\[[^\]]*\]\s*)*/, "").trim();
}

/** `c.n.c.Dao - text` or `c.n.c.Dao : text`: the logger is a field, the text the message. */
function splitLogger(record: LogRecord): LogRecord {
  const match = /^((?:[\w$]+\.)+[\w$]+|[\w$]+(?:\.[\w$]+)*)\s+(?:-|:)\s+(.*)$/.exec(record.message);
  if (match?.[1] && match[2] !== undefined && /\./.test(match[1])) return { ...record, logger: match[1], message: match[2].trim() };
  const colon = /^((?:[\w$]+\.)+[\w$]+):\s+(.*)$/.exec(record.message);
  if (colon?.[1] && colon[2] !== undefined && !/(Exception|Error)$/.test(colon[1])) return { ...record, logger: colon[1], message: colon[2].trim() };
  return record;
}

function readLogfmt(line: string): LogRecord {
  const fields = new Map<string, string>();
  for (const match of line.matchAll(/([\w.@-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2] ?? "";
    fields.set((match[1] ?? "").toLowerCase(), raw.startsWith('"') ? unquote(raw) : raw);
  }
  const message = fields.get("msg") ?? fields.get("message") ?? "";
  const err = fields.get("err") ?? fields.get("error");
  return withThrown({
    ...blank("logfmt", line),
    level: toLevel(fields.get("level") ?? fields.get("lvl") ?? fields.get("severity")),
    time: fields.get("ts") ?? fields.get("time") ?? null,
    logger: fields.get("logger") ?? fields.get("caller") ?? fields.get("component") ?? null,
    message: err ? (message ? `${message}: ${err}` : err) : message,
  });
}

/** klog's structured form: `"msg" key="value" err="..."`; the plain form is the message as is. */
function readKlogMessage(rest: string): { message: string; err: string | null } {
  const quoted = /^"((?:[^"\\]|\\.)*)"(.*)$/.exec(rest);
  const err = /\berr="((?:[^"\\]|\\.)*)"/.exec(rest)?.[1];
  return { message: quoted ? unquote(`"${quoted[1] ?? ""}"`) : rest.trim(), err: err === undefined ? null : unquote(`"${err}"`) };
}

function unquote(value: string): string {
  try {
    return JSON.parse(value) as string;
  } catch {
    return value.slice(1, -1);
  }
}

function readJsonRecord(object: JsonObject, line: string): LogRecord {
  // Docker's json-file driver wraps the application's own line in `log`.
  const wrapped = readKey(object, "log");
  if (typeof wrapped === "string" && readKey(object, "stream") !== undefined) return { ...readLine(wrapped.trim()).record, sample: clip(line) };
  const log = readKey(object, "log");
  // Serilog's compact JSON uses @l, @m/@mt and @x.
  const error = readKey(object, "error", "err", "exception", "exc", "thrown", "throwable", "@x");
  const text = readString(object, "message", "msg", "@message", "@m", "@mt", "event", "text", "textPayload") ?? "";
  // zap/logrus put the cause in a one-line `error` string beside the message.
  const message = typeof error === "string" && !error.includes("\n") && error.trim() !== "" && !text.includes(error) ? (text ? `${text}: ${error}` : error) : text;
  const record: LogRecord = {
    ...blank("json", line),
    level: toLevel(readKey(object, "level", "log.level", "severity", "levelname", "lvl", "loglevel", "@level", "@l", "severityText") ?? (isObject(log) ? readKey(log, "level") : undefined)),
    time: readString(object, "@timestamp", "timestamp", "time", "ts", "datetime", "asctime", "@t"),
    logger: readString(object, "logger_name", "logger", "loggerName", "log.logger", "name", "caller") ?? (isObject(log) ? readString(log, "logger") : null),
    message,
    sample: excerptOf(line, text),
  };
  const trace = readJsonError(object, typeof error === "string" && !error.includes("\n") ? undefined : error);
  if (trace.type) record.exception = { name: trace.type, message: trace.message, sample: record.sample };
  for (const traceLine of trace.stack.split(/\r?\n/)) attachToTrace(record, traceLine);
  record.lineCount = 1;
  return withThrown(record);
}

/** ECS `error.*` (nested or dotted), logback `stack_trace`, bunyan/pino `err`, log4j2 `thrown`, Python `exc_info`. */
function readJsonError(object: JsonObject, error: unknown): { type: string | null; message: string | null; stack: string } {
  const stackKeys = ["stack_trace", "stackTrace", "stack", "exc_info", "exception", "extendedStackTrace", "trace"];
  if (isObject(error)) {
    return {
      type: readString(error, "type", "name", "class", "exception_class", "exceptionClass", "kind"),
      message: readString(error, "message", "msg", "exception_message"),
      stack: readString(error, ...stackKeys) ?? "",
    };
  }
  return {
    type: readString(object, "error.type", "exception_class", "exception.type", "error_type", "errorType"),
    message: readString(object, "error.message", "exception_message", "exception.message", "error_message"),
    stack: readString(object, "error.stack_trace", "exception.stacktrace", "error.stack", ...stackKeys) ?? (typeof error === "string" ? error : ""),
  };
}

/** Folds a stack-trace line into the record; false when the line starts a new record. */
function attachToTrace(record: LogRecord, line: string): boolean {
  if (line.trim() === "") return false;
  const cause = CAUSED_BY.exec(line);
  if (cause?.[1]) {
    record.causes.push({ name: cause[1], message: cause[2]?.trim() || null, sample: clip(line) });
    record.lineCount += 1;
    return true;
  }
  if (STACK_FRAME.test(line) || /^\s+\S/.test(line) && record.lineCount > 1) {
    record.lineCount += 1;
    return true;
  }
  const header = EXCEPTION_HEADER.exec(line);
  // An exception header right below a record (or below its frames) is that record's thrown exception;
  // an unqualified one (`TypeError: x`) only below frames.
  if (header?.[1] && (/\./.test(header[1]) || record.lineCount > 1)) {
    const thrown = { name: header[1], message: header[2]?.trim() || null, sample: clip(line) };
    if (record.exception === null) {
      record.exception = thrown;
      record.causes.push(...chainIn(header[2] ?? "", thrown.sample));
    } else if (record.exception.name !== header[1]) {
      // Python prints the root last (`psycopg2.OperationalError: ...` after the frames).
      record.causes.push(thrown);
    }
    record.lineCount += 1;
    return true;
  }
  return false;
}

/** `Outer: Inner: text` is Java's toString of a wrapped exception: Inner caused Outer. */
function chainIn(text: string, sample: string): ThrownException[] {
  return [...text.matchAll(THROWN_AT)].flatMap((m) => (m[1] ? [{ name: m[1], message: null, sample }] : []));
}

/** The exceptions thrown in the message itself (`... - x.y.FooException: text`), and those it only names. */
function withThrown(record: LogRecord): LogRecord {
  const thrown = chainIn(record.message, record.sample);
  if (record.exception === null && thrown[0]) {
    record.exception = { ...thrown[0], message: record.message.slice(record.message.indexOf(thrown[0].name) + thrown[0].name.length).replace(/^:\s*/, "") || null };
    record.causes.unshift(...thrown.slice(1));
  }
  const known = new Set([record.exception?.name, ...record.causes.map((c) => c.name), ...thrown.map((t) => t.name)]);
  record.mentions = [...new Set([...record.message.matchAll(EXCEPTION)].map((m) => m[1] ?? ""))].filter((name) => name && !known.has(name));
  return record;
}

function blank(format: LogFormat, line: string): LogRecord {
  return { format, level: null, time: null, logger: null, message: line, exception: null, causes: [], mentions: [], sample: clip(line), lineCount: 1 };
}

function toLevel(value: unknown): LogLevel | null {
  if (typeof value === "number") {
    // bunyan and pino: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal.
    if (value >= 60) return "FATAL";
    if (value >= 50) return "ERROR";
    if (value >= 40) return "WARN";
    if (value >= 30) return "INFO";
    if (value >= 20) return "DEBUG";
    return value >= 10 ? "TRACE" : null;
  }
  if (typeof value === "string") {
    if (/^\d+$/.test(value.trim())) return toLevel(Number(value));
    return LEVEL_WORDS[value.trim().toLowerCase()] ?? null;
  }
  return null;
}

/** The message as it is written inside the JSON line (so the excerpt is verbatim), else the line's head. */
function excerptOf(line: string, message: string): string {
  if (message === "") return clip(line);
  const encoded = JSON.stringify(message).slice(1, -1);
  return line.includes(encoded) ? clip(encoded) : clip(line);
}

function clip(text: string): string {
  return text.trim().slice(0, 240);
}

function countMessage(counts: Map<string, MessageCount>, record: LogRecord): void {
  const template = maskMessage(record.message) || maskMessage(record.sample);
  const entry = counts.get(template) ?? { template, count: 0, sample: record.sample, level: record.level };
  entry.count += 1;
  counts.set(template, entry);
}

function byCount(counts: Map<string, MessageCount>): MessageCount[] {
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

/** Exception classes counted once per record, with the chains beneath them. */
class Counter {
  private readonly entries = new Map<string, ExceptionCount & { roots: Map<string, number>; deepest: Map<string, number> }>();

  add(name: string, sample: string, asCause = false): ReturnType<Counter["entry"]> {
    const entry = this.entry(name, sample);
    entry.count += 1;
    if (asCause) entry.asCause += 1;
    return entry;
  }

  addRecord(record: LogRecord): void {
    const chain = [...(record.exception ? [record.exception] : []), ...record.causes];
    const seen = new Set<string>();
    chain.forEach(({ name, sample }, i) => {
      if (seen.has(name)) return;
      seen.add(name);
      const entry = this.add(name, sample, i >= (record.exception ? 1 : 0));
      const direct = chain.slice(i + 1).find((next) => next.name !== name)?.name;
      const deepest = chain[chain.length - 1]?.name;
      if (direct) entry.roots.set(direct, (entry.roots.get(direct) ?? 0) + 1);
      if (deepest && deepest !== name) entry.deepest.set(deepest, (entry.deepest.get(deepest) ?? 0) + 1);
    });
  }

  list(): ExceptionCount[] {
    return [...this.entries.values()]
      .map(({ roots, deepest, ...entry }) => ({ ...entry, root: topKey(roots), rootCause: topKey(deepest) }))
      .sort((a, b) => b.count - a.count);
  }

  private entry(name: string, sample: string) {
    const existing = this.entries.get(name);
    if (existing) return existing;
    const created = { name, count: 0, asCause: 0, root: null, rootCause: null, sample, roots: new Map<string, number>(), deepest: new Map<string, number>() };
    this.entries.set(name, created);
    return created;
  }
}

function topKey(counts: Map<string, number>): string | null {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/** The message of a JSON log line (logstash/ECS/bunyan `message`/`msg`), or null for any other line: what a quote shows. */
export function jsonLineMessage(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return null;
  try {
    const record: unknown = JSON.parse(trimmed);
    const message = isObject(record) ? (record.message ?? record.msg) : null;
    return typeof message === "string" && message.trim() !== "" ? message : null;
  } catch {
    return null;
  }
}

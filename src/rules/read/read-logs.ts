/** Counts what matters in raw log lines: exception classes (with their Caused-by roots) and the dominant messages. */

export interface ExceptionCount {
  name: string;
  count: number;
  /** Lines where it appeared as a `Caused by:` (so it is a root, not a wrapper). */
  asCause: number;
  /** The most frequent `Caused by:` root beneath it, when it wraps one. */
  root: string | null;
  sample: string;
}

export interface MessageCount {
  template: string;
  count: number;
  sample: string;
}

export interface LogSummary {
  lines: number;
  errorLines: number;
  warnLines: number;
  /** Lines about deprecated API use: loud but harmless, kept out of every count below. */
  noiseLines: number;
  exceptions: ExceptionCount[];
  /** ERROR messages by template, most frequent first; lines without a level that read like failures count too (Redis, nginx). */
  errors: MessageCount[];
  warns: MessageCount[];
}

const EXCEPTION = /\b((?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error))\b/g;
/** A deprecation notice (`WARN ... is deprecated, use ...`): loud and harmless, unless it reports a failure. */
const NOISE = /\bdeprecat(ed|ion)\b/i;
/** What makes a line that mentions a deprecation still worth reading (the level word itself does not). */
const FAILURE_IN_NOISE = /\b(exception|failed|failure|refused|denied|timed? ?out|unable|cannot)\b/i;
const CLASS_NAME = /(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*/g;
const LEVEL_WORD = /\b(ERROR|FATAL|SEVERE|WARN(ING)?)\b/g;

export function isNoise(line: string): boolean {
  return NOISE.test(line) && !FAILURE_IN_NOISE.test(line.replace(LEVEL_WORD, "").replace(CLASS_NAME, ""));
}
const ERROR_LEVEL = /\b(ERROR|FATAL|SEVERE)\b/;
const WARN_LEVEL = /\bWARN(?:ING)?\b/;
const ANY_LEVEL = /\b(INFO|DEBUG|TRACE)\b/;
const FAILURE_WORDS = /\b(error|fatal|panic|failed|failure|corrupt\w*|bad file format|refused|denied)\b/i;

export function summarizeLogs(text: string): LogSummary {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const exceptions = new Map<string, ExceptionCount & { roots: Map<string, number> }>();
  const errors = new Map<string, MessageCount>();
  const warns = new Map<string, MessageCount>();
  let errorLines = 0;
  let warnLines = 0;
  let noiseLines = 0;
  let chainHead: string | null = null;
  for (const line of lines) {
    if (isNoise(line)) {
      noiseLines += 1;
      continue;
    }
    const trimmed = line.trim();
    if (/^at\s/.test(trimmed) || /^\.\.\. \d+ more/.test(trimmed)) continue;
    const isCause = /^Caused by:/.test(trimmed);
    const names = [...new Set([...line.matchAll(EXCEPTION)].map((m) => m[1] ?? ""))].filter(Boolean);
    for (const name of names) {
      const entry = exceptions.get(name) ?? { name, count: 0, asCause: 0, root: null, sample: trimmed.slice(0, 240), roots: new Map() };
      entry.count += 1;
      if (isCause) entry.asCause += 1;
      exceptions.set(name, entry);
    }
    const first = names[0];
    if (isCause && first && chainHead && chainHead !== first) {
      const head = exceptions.get(chainHead);
      head?.roots.set(first, (head.roots.get(first) ?? 0) + 1);
    } else if (!isCause) {
      chainHead = first ?? null;
    }
    if (ERROR_LEVEL.test(line)) {
      errorLines += 1;
      countMessage(errors, line);
    } else if (WARN_LEVEL.test(line)) {
      warnLines += 1;
      countMessage(warns, line);
    } else if (names.length === 0 && !ANY_LEVEL.test(line) && FAILURE_WORDS.test(line)) {
      countMessage(errors, line);
    }
  }
  return {
    lines: lines.length,
    errorLines,
    warnLines,
    noiseLines,
    exceptions: [...exceptions.values()]
      .map(({ roots, ...entry }) => ({ ...entry, root: topKey(roots) }))
      .sort((a, b) => b.count - a.count),
    errors: byCount(errors),
    warns: byCount(warns),
  };
}

/** The message after the level, with numbers and ids blanked so repeats of one message group together. */
export function toTemplate(line: string): string {
  const level = /\b(ERROR|FATAL|SEVERE|WARN(?:ING)?)\b/.exec(line);
  const message = level ? line.slice(level.index + level[0].length) : line;
  return message
    .replace(/^[\s:\]-]*(\d+\s+---\s+)?(\[[^\]]*\]\s*)*/, "")
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "<id>")
    .replace(/\d+(\.\d+)?/g, "#")
    .trim()
    .slice(0, 120);
}

function countMessage(counts: Map<string, MessageCount>, line: string): void {
  const template = toTemplate(line);
  const entry = counts.get(template) ?? { template, count: 0, sample: line.trim().slice(0, 240) };
  entry.count += 1;
  counts.set(template, entry);
}

function byCount(counts: Map<string, MessageCount>): MessageCount[] {
  return [...counts.values()].sort((a, b) => b.count - a.count);
}

function topKey(counts: Map<string, number>): string | null {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

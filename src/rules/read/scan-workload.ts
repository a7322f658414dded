import { asText } from "./walk-json.ts";

/** Signs in server logs of work too big for Redis or the heap: Full GCs, oversized payloads, huge fan-outs, huge requests. */

export interface WorkloadSignal {
  count: number;
  sample: string;
  /** The workflow (or, failing that, task) most of the lines name. */
  subject: string | null;
  /** The largest size or count seen, as written (`4.9 MB`, `18370 tasks`, `size=5000`). */
  largest: string | null;
}

export interface WorkloadScan {
  fullGc: (WorkloadSignal & { reclaim: string | null }) | null;
  /** `task`: the task type most lines name as the payload's owner (`output payload of extract_metadata`). */
  payloads: (WorkloadSignal & { externalStorageOff: boolean; task: string | null; direction: "input" | "output" | null }) | null;
  fanOut: (WorkloadSignal & { taskType: string | null }) | null;
  /** `cadence`: seconds between the requests when they come at a steady pace (a periodic caller), else null. */
  requests: (WorkloadSignal & { endpoint: string | null; client: string | null; cadence: number | null }) | null;
}

/** Counts at or above these are "huge" for one workflow or one request. */
const BIG_COUNT = 1_000;
const BIG_PAYLOAD_MB = 1;
const FULL_GC = /Pause Full|\[Full GC|Full GC \(/;
/** A payload, or a task's/workflow's input or output, with its size (`40.1 MB`, `39,845,122 bytes`). */
const PAYLOAD_SIZE = /(?:payload|\b(?:input|output))\b.*?(\d[\d,]*(?:\.\d+)?)\s*(KB|KiB|MB|MiB|GB|GiB|bytes)\b/i;
const TASK_COUNT = /(?:created|loaded|spawn\w*|with)\s+(\d[\d,]*)\s+tasks|(\d[\d,]*)\s+tasks\s+(?:loaded|created)/i;
const REQUEST_SIZE = /[?&](?:size|limit|count)=(\d+)|returned\s+(\d[\d,]*)\s+(?:results|rows|items)/i;
/** A page size written outside a URL (`search start=0 size=100000`): a request only when the line says it is one. */
const PAGE_SIZE = /(?:^|[\s,(;{"'])(?:size|limit|page_?size|per_?page|max_?results)\\?["']?\s*[=:]\s*\\?["']?(\d+)\b/i;
const REQUEST_WORDS = /\b(?:search|query|request|fetch|hits|results|page)\b|\b(?:GET|POST)\s+\//i;
const PATH = /\b(?:GET|POST|PUT)\s+(\/[\w/.{}-]+)/;
/** A line that reports how long something took: a size in it is context of the slowness, not an oversized payload. */
const TIMING = /\b(?:slow|took|taking|elapsed)\b[^\n]*?\d+(?:\.\d+)?\s*(?:ms|s|sec|secs|seconds)\b/i;
const EXTERNAL_STORAGE_OFF = /external payload storage\b[^\n]*?\b(?:disabled|not configured|unconfigured|DUMMY|none|off)\b/i;
const TASK_TYPES = /\b(FORK_JOIN_DYNAMIC|FORK_JOIN|DO_WHILE|SUB_WORKFLOW|DYNAMIC|INLINE|JSON_JQ_TRANSFORM|START_WORKFLOW)\b/;

export function scanWorkload(text: string): WorkloadScan {
  const lines = asText(text).split(/\r?\n/).filter((line) => line.trim() !== "");
  const gc = lines.filter((line) => FULL_GC.test(line));
  const payloads = lines.filter((line) => megabytes(PAYLOAD_SIZE.exec(line)) >= BIG_PAYLOAD_MB && !TIMING.test(line));
  const fanOut = lines.filter((line) => countOf(TASK_COUNT.exec(line)) >= BIG_COUNT);
  const requests = lines.filter((line) => requestSize(line) >= BIG_COUNT);
  return {
    fullGc: gc.length > 0 ? { ...signal(gc, () => null), reclaim: /(\d+[MGK]->\d+[MGK](?:\(\d+[MGK]\))?)/.exec(gc[gc.length - 1] ?? "")?.[1] ?? null } : null,
    payloads:
      payloads.length > 0
        ? {
            ...signal(payloads, (l) => PAYLOAD_SIZE.exec(l)?.slice(1, 3).join(" ") ?? null, megabytesOfLine),
            externalStorageOff: payloads.some((l) => EXTERNAL_STORAGE_OFF.test(l)),
            task: mostFrequent(payloads.map(payloadTaskOf)),
            direction: (mostFrequent(payloads.map((l) => /\b(input|output)\b/i.exec(l)?.[1]?.toLowerCase() ?? null)) as "input" | "output" | null) ?? null,
          }
        : null,
    fanOut: fanOut.length > 0 ? { ...signal(fanOut, (l) => `${countOf(TASK_COUNT.exec(l))} tasks`, (l) => countOf(TASK_COUNT.exec(l))), taskType: mostFrequent(fanOut.map((l) => TASK_TYPES.exec(l)?.[1] ?? null)) } : null,
    requests:
      requests.length > 0
        ? {
            ...signal(requests, (l) => /(?:size|limit|count|page_?size|per_?page|max_?results)\\?["']?\s*[=:]\s*\\?["']?\d+/i.exec(l)?.[0].replace(/[\\"'\s]/g, "").replace(":", "=") ?? null, requestSize),
            ...whoCalls(requests, lines),
            cadence: cadenceOf(requests),
          }
        : null,
  };
}

/** The result count a request line asks for or got: a URL's `size=`, a page size beside a request word, `returned N results`. */
function requestSize(line: string): number {
  const url = countOf(REQUEST_SIZE.exec(line));
  if (url > 0) return url;
  return REQUEST_WORDS.test(line) && !/\bqueue\s+(?:size|depth)/i.test(line) ? countOf(PAGE_SIZE.exec(line)) : 0;
}

/**
 * Seconds between requests that come at a steady pace (every gap within half of the median gap,
 * at least three gaps), read from the lines' clock times; null when irregular or unknown.
 */
function cadenceOf(lines: readonly string[]): number | null {
  const times = lines.flatMap((line) => {
    const m = /(?<!\d)(\d{2}):(\d{2}):(\d{2}(?:[.,]\d+)?)(?!\d)/.exec(line);
    return m ? [Number(m[1]) * 3600 + Number(m[2]) * 60 + Number((m[3] ?? "0").replace(",", "."))] : [];
  });
  const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
  if (gaps.length < 3 || gaps.some((g) => g <= 0)) return null;
  const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number;
  return gaps.every((g) => Math.abs(g - median) <= median / 2) ? median : null;
}

const CLIENT = /\b(?:app|client|user[- ]agent)[\s:=]+'?([\w.@-]+)'?/i;

/**
 * The endpoint and the client of the big requests. A service's own log line often names neither
 * (`search start=0 size=100000`): then the endpoint is a path logged elsewhere whose last word the
 * request lines name (`GET /api/workflow/search … (client x)`), and the client the one logged with it.
 */
function whoCalls(requests: readonly string[], lines: readonly string[]): { endpoint: string | null; client: string | null } {
  const own = mostFrequent(requests.map((l) => PATH.exec(l)?.[1] ?? null));
  const named = (path: string) => {
    const word = path.split("/").filter((part) => /^[a-z]{4,}$/i.test(part)).pop();
    return word !== undefined && requests.some((l) => new RegExp(`\\b${word}\\b`, "i").test(l.replace(PATH, "")));
  };
  const endpoint = own ?? mostFrequent(lines.map((l) => PATH.exec(l)?.[1] ?? null).filter((path) => path !== null && named(path)));
  const client = mostFrequent(requests.map((l) => CLIENT.exec(l)?.[1] ?? null)) ?? (endpoint ? mostFrequent(lines.filter((l) => l.includes(endpoint)).map((l) => CLIENT.exec(l)?.[1] ?? null)) : null);
  return { endpoint, client };
}

function signal(lines: string[], describe: (line: string) => string | null, size: (line: string) => number = () => 0): WorkloadSignal {
  const largestLine = [...lines].sort((a, b) => size(b) - size(a))[0] ?? lines[0] ?? "";
  return { count: lines.length, sample: (lines[0] ?? "").trim().slice(0, 2000), subject: mostFrequent(lines.map(subjectOf)), largest: describe(largestLine) };
}

/** `workflow invoice_batch`, `Workflow map_survey_tiles v5`, `task build_invoice_lines (invoice_batch)`. */
function subjectOf(line: string): string | null {
  const workflow = /\bworkflow(?:Type|Name)?[\s:=]+(?!id\b|of\b)([A-Za-z][\w.-]*[A-Za-z0-9])/i.exec(line)?.[1];
  if (workflow) return workflow;
  const inParens = /\btask\s+[\w.-]+\s+\(([A-Za-z][\w.-]*)\)/i.exec(line)?.[1];
  return inParens ?? /\bworkflowType\s+IN\s+\(([\w.-]+)\)|workflowType%20IN%20\(([\w.-]+)\)/i.exec(line)?.slice(1).find(Boolean) ?? null;
}

/** The task a payload line is about: `payload of extract_metadata`, `task resize_image`, `taskType=resize_image`. */
function payloadTaskOf(line: string): string | null {
  const name = (m: RegExpExecArray | null) => (m?.[1] && !NOT_A_TASK.test(m[1]) ? m[1] : null);
  return (
    name(/\b(?:payload|output|input)\s+of\s+(?:task\s+)?["'`]?([A-Za-z][\w.-]*[A-Za-z0-9])/i.exec(line)) ??
    name(/\btask(?:Type|DefName|Name|RefName|ReferenceName)["']?\s*[:=]\s*["'`]?([A-Za-z][\w.-]*[A-Za-z0-9])/i.exec(line)) ??
    name(/\btask\s+["'`]?([A-Za-z][\w.-]*[A-Za-z0-9])/i.exec(line))
  );
}
const NOT_A_TASK = /^(?:output|input|payload|id|of|is|with|for|the|a|an|completed|update|updated|result|data|size|task|workflow|workflows)$/i;

function mostFrequent(values: (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const value of values) if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

function megabytes(match: RegExpExecArray | null): number {
  if (!match?.[1] || !match[2]) return 0;
  const value = Number(match[1].replace(/,/g, ""));
  return /^g/i.test(match[2]) ? value * 1024 : /^k/i.test(match[2]) ? value / 1024 : /^bytes$/i.test(match[2]) ? value / 2 ** 20 : value;
}

function megabytesOfLine(line: string): number {
  return megabytes(PAYLOAD_SIZE.exec(line));
}

function countOf(match: RegExpExecArray | null): number {
  const raw = match?.slice(1).find((group) => group !== undefined);
  return raw ? Number(raw.replace(/,/g, "")) : 0;
}

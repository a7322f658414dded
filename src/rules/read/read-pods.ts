import { parseTables } from "./parse-table.ts";
import { isObject, normalizeKey, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

export interface PodRecord {
  name: string;
  /** What kubectl shows in STATUS: a waiting/terminated reason when there is one, else the phase. */
  status: string | null;
  ready: string | null;
  restarts: number;
  /** Reasons of the current state (CrashLoopBackOff, Evicted, ...). */
  reasons: string[];
  /** Reasons of the last terminated state (OOMKilled, Error, ...). */
  lastReasons: string[];
  exitCodes: number[];
  node: string | null;
}

const STATE_KEYS = ["phase", "status", "restartcount", "restarts", "ready", "containerstatuses", "state", "laststate"];

/** Pods from JSON of any shape (kubectl JSON, simplified lists) or from a `kubectl get pods` table. */
export function extractPods(data: unknown, text: string): PodRecord[] {
  const pods: PodRecord[] = [];
  walkObjects(data, (object) => {
    const pod = readPodObject(object);
    if (pod) pods.push(pod);
    return pod !== null;
  });
  if (pods.length > 0) return pods;
  return parseTables(text).flatMap((row) => (row.name && ("status" in row || "restarts" in row) ? [readPodRow(row)] : []));
}

function readPodObject(object: JsonObject): PodRecord | null {
  const metadata = readKey(object, "metadata");
  const name = readString(object, "name", "podName", "pod") ?? (isObject(metadata) ? readString(metadata, "name") : null);
  if (!name) return null;
  const status = readKey(object, "status");
  const hasState = Object.keys(object).some((key) => STATE_KEYS.includes(normalizeKey(key)));
  if (!hasState) return null;
  const reasons = { current: [] as string[], last: [] as string[], exitCodes: [] as number[] };
  collectReasons(object, false, reasons);
  const phase = readString(object, "phase") ?? (isObject(status) ? readString(status, "phase") : null);
  const statusText = typeof status === "string" ? status : null;
  return {
    name,
    status: reasons.current[0] ?? statusText ?? phase,
    ready: readString(object, "ready"),
    restarts: readRestarts(object),
    reasons: reasons.current,
    lastReasons: reasons.last,
    exitCodes: reasons.exitCodes,
    node: readString(object, "node", "nodeName") ?? (isObject(readKey(object, "spec")) ? readString(readKey(object, "spec") as JsonObject, "nodeName") : null),
  };
}

/** Reason strings below the pod, split into the current state and the last terminated state. */
function collectReasons(value: unknown, inLast: boolean, out: { current: string[]; last: string[]; exitCodes: number[] }): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReasons(item, inLast, out);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const k = normalizeKey(key);
    const last = inLast || k.startsWith("last") || k.includes("termination");
    const isReason = k.includes("reason") || (last && k.endsWith("state"));
    if (typeof child === "string" && isReason && child.trim() !== "") (last ? out.last : out.current).push(child.trim());
    else if (k === "exitcode" && toNumber(child) !== null) out.exitCodes.push(toNumber(child) as number);
    else if (typeof child === "object" && child !== null && k !== "metadata" && k !== "conditions") collectReasons(child, last, out);
  }
}

function readRestarts(object: JsonObject): number {
  const direct = toNumber(readKey(object, "restartCount", "restarts", "restart_count", "restartCounts"));
  if (direct !== null) return direct;
  let sum = 0;
  const status = readKey(object, "status");
  walkObjects(isObject(status) ? status : object, (child) => {
    const count = toNumber(readKey(child, "restartCount"));
    if (count !== null) sum += count;
    return false;
  });
  return sum;
}

function readPodRow(row: Record<string, string>): PodRecord {
  const status = row.status ?? null;
  const lastState = row.laststate ?? row.lastreason ?? row.reason ?? "";
  return {
    name: row.name ?? "",
    status,
    ready: row.ready ?? null,
    restarts: toNumber(row.restarts ?? "") ?? 0,
    reasons: status && !/^(Running|Completed|Succeeded)$/i.test(status) ? [status] : [],
    lastReasons: lastState ? [lastState] : [],
    exitCodes: [],
    node: row.node ?? null,
  };
}

import { parseTables, type TableRow } from "./parse-table.ts";
import { rowsFromColumns } from "./read-rows.ts";
import { asText, isObject, normalizeKey, parseAge, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

export interface ContainerState {
  name: string;
  ready: boolean | null;
  restarts: number;
  /** running, waiting, terminated (null when the output does not say). */
  state: string | null;
  /** Why it is waiting or terminated now (CrashLoopBackOff, ImagePullBackOff, OOMKilled, Completed...). */
  reason: string | null;
  exitCode: number | null;
  /** The previous run's end: the reason of `lastState.terminated` (OOMKilled, Error...). */
  lastReason: string | null;
  lastExitCode: number | null;
  /** The waiting/terminated message (`Back-off pulling image "x": manifest unknown`). */
  message: string | null;
  image: string | null;
  /** The previous run's termination message (`lastState.terminated.message`: what the container wrote to its termination log). */
  lastMessage?: string | null;
  /** An init container: it must exit 0 before the pod's containers start (Init:CrashLoopBackOff). */
  init?: boolean;
}

export interface PodRecord {
  name: string;
  /** What kubectl shows in STATUS: a waiting/terminated reason when there is one, else the phase. */
  status: string | null;
  /**
   * Containers ready out of all (`0/3` means none of 3 containers is ready: readiness, not a
   * replica count), or `true`/`false` when the output only says that.
   */
  ready: string | null;
  restarts: number;
  /** Reasons of the current state (CrashLoopBackOff, Evicted, ...). */
  reasons: string[];
  /** Reasons of the last terminated state (OOMKilled, Error, ...). */
  lastReasons: string[];
  exitCodes: number[];
  node: string | null;
  /** Pending, Running, Succeeded, Failed, Unknown — the pod phase alone, when the output gives it. */
  phase?: string | null;
  namespace?: string | null;
  readyContainers?: number | null;
  totalContainers?: number | null;
  containers?: ContainerState[];
  /** The pod-level status message (an eviction's `The node was low on resource: ...`). */
  message?: string | null;
  /** Seconds since the last restart, from `4 (2m ago)` in RESTARTS. */
  lastRestartAgeSeconds?: number | null;
}

const STATE_KEYS = ["phase", "status", "restartcount", "restarts", "ready", "containerstatuses", "state", "laststate"];
const RATIO = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** Pods from JSON of any shape (PodList, simplified lists, column/row tables), `kubectl get pods` tables (`-o wide`, `-A`) or `kubectl describe pod` text. */
export function extractPods(data: unknown, text: string): PodRecord[] {
  const pods: PodRecord[] = [];
  const tableRows = rowsFromColumns(data);
  if (tableRows) return tableRows.flatMap((row) => podFromRow(stringRow(row)));
  walkObjects(data, (object) => {
    const pod = readPodObject(object);
    if (pod) pods.push(pod);
    return pod !== null;
  });
  if (pods.length > 0) return pods;
  const source = asText(text);
  const described = readDescribe(source);
  if (described.length > 0) return described;
  return parseTables(source).flatMap((row) => podFromRow(row));
}

function readPodObject(object: JsonObject): PodRecord | null {
  const metadata = asObject(readKey(object, "metadata"));
  const name = readString(object, "name", "podName", "pod") ?? (metadata ? readString(metadata, "name") : null);
  if (!name) return null;
  if (!Object.keys(object).some((key) => STATE_KEYS.includes(normalizeKey(key)))) return null;
  const kind = readString(object, "kind");
  if (kind && kind !== "Pod") return null;
  const status = readKey(object, "status");
  const statusObject = asObject(status);
  const reasons = { current: [] as string[], last: [] as string[], exitCodes: [] as number[] };
  collectReasons(object, false, reasons);
  const containers = readContainers(statusObject ?? object);
  const phase = readString(object, "phase") ?? (statusObject ? readString(statusObject, "phase") : null);
  const statusText = typeof status === "string" ? status : null;
  const readyCount = containers.length > 0 && containers.every((c) => c.ready !== null) ? containers.filter((c) => c.ready).length : null;
  const direct = readKey(object, "ready");
  const ratio = typeof direct === "string" ? RATIO.exec(direct) : null;
  const spec = asObject(readKey(object, "spec"));
  return {
    name,
    status: reasons.current.find((r) => !/^(Completed|PodCompleted)$/.test(r) || phase === "Succeeded") ?? statusText ?? phase,
    ready: typeof direct === "string" || typeof direct === "boolean" ? String(direct) : readyCount !== null ? `${readyCount}/${containers.length}` : null,
    restarts: readRestarts(object),
    reasons: reasons.current,
    lastReasons: reasons.last,
    exitCodes: reasons.exitCodes,
    node: readString(object, "node", "nodeName") ?? (spec ? readString(spec, "nodeName") : null),
    phase,
    namespace: readString(object, "namespace", "ns") ?? (metadata ? readString(metadata, "namespace") : null),
    readyContainers: ratio ? Number(ratio[1]) : readyCount,
    totalContainers: ratio ? Number(ratio[2]) : containers.length > 0 ? containers.length : null,
    containers,
    message: statusObject ? readString(statusObject, "message") : readString(object, "message"),
    lastRestartAgeSeconds: parseAge(/\(([^)]+?)\s+ago\)/.exec(`${readString(object, "lastState", "lastRestart") ?? ""} ${String(readKey(object, "restarts") ?? "")}`)?.[1]),
  };
}

/** containerStatuses (and initContainerStatuses) of a kubectl pod status. */
function readContainers(status: JsonObject): ContainerState[] {
  const inits = readKey(status, "initContainerStatuses");
  const initList = Array.isArray(inits) ? inits.filter(isObject) : [];
  const listed = [initList, readKey(status, "containerStatuses", "containers")].flatMap((v) => (Array.isArray(v) ? v.filter(isObject) : []));
  return listed.map((c) => {
    const state = asObject(readKey(c, "state"));
    const last = asObject(readKey(c, "lastState", "lastTerminationState"));
    const [stateName, stateBody] = firstEntry(state);
    const [, lastBody] = firstEntry(last);
    const ready = readKey(c, "ready");
    return {
      name: readString(c, "name") ?? "",
      ready: typeof ready === "boolean" ? ready : null,
      restarts: toNumber(readKey(c, "restartCount")) ?? 0,
      state: stateName,
      reason: stateBody ? readString(stateBody, "reason") : null,
      exitCode: stateBody ? toNumber(readKey(stateBody, "exitCode")) : null,
      lastReason: lastBody ? readString(lastBody, "reason") : null,
      lastExitCode: lastBody ? toNumber(readKey(lastBody, "exitCode")) : null,
      message: stateBody ? readString(stateBody, "message") : null,
      image: readString(c, "image"),
      lastMessage: lastBody ? readString(lastBody, "message") : null,
      init: initList.includes(c),
    };
  });
}

function firstEntry(object: JsonObject | null): [string | null, JsonObject | null] {
  const entry = object ? Object.entries(object).find(([, v]) => isObject(v)) : undefined;
  return entry ? [entry[0], entry[1] as JsonObject] : [null, null];
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

/** A `kubectl get pods` row (`-o wide` and `-A` columns included). */
function podFromRow(row: TableRow): PodRecord[] {
  const name = row.name ?? row.pod;
  if (!name || !("status" in row || "restarts" in row)) return [];
  const status = row.status || null;
  const lastState = row.laststate ?? row.lastreason ?? row.reason ?? "";
  const ratio = RATIO.exec(row.ready ?? "");
  const waiting = status && !/^(Running|Completed|Succeeded)$/i.test(status) ? [status.replace(/^Init:/, "")] : [];
  return [{
    name,
    status,
    ready: row.ready || null,
    restarts: toNumber(row.restarts ?? "") ?? 0,
    reasons: waiting,
    lastReasons: lastState ? [lastState] : [],
    exitCodes: [],
    node: row.node && row.node !== "<none>" ? row.node : null,
    phase: null,
    namespace: row.namespace ?? null,
    readyContainers: ratio ? Number(ratio[1]) : null,
    totalContainers: ratio ? Number(ratio[2]) : null,
    containers: [],
    message: null,
    lastRestartAgeSeconds: parseAge(/\(([^)]+?)\s+ago\)/.exec(row.restarts ?? "")?.[1]),
  }];
}

/** `kubectl describe pod`: one block per pod (Name: ... Containers: ... State / Last State / Reason / Exit Code / Ready / Restart Count). */
function readDescribe(text: string): PodRecord[] {
  const blocks = text.split(/^(?=Name:\s)/m).filter((b) => /^Name:\s/.test(b) && /^\s+(State|Restart Count):/m.test(b));
  return blocks.map((block) => {
    const top = (field: string) => new RegExp(`^${field}:[ \\t]*(.*)$`, "m").exec(block)?.[1]?.trim() || null;
    const containers = readDescribedContainers(block);
    const current = containers.flatMap((c) => (c.reason ? [c.reason] : []));
    const last = containers.flatMap((c) => (c.lastReason ? [c.lastReason] : []));
    const topReason = top("Reason");
    const phase = top("Status");
    const readyCount = containers.filter((c) => c.ready).length;
    return {
      name: top("Name") ?? "",
      status: current.find((r) => r !== "Completed") ?? topReason ?? phase,
      ready: containers.length > 0 ? `${readyCount}/${containers.length}` : null,
      restarts: containers.reduce((sum, c) => sum + c.restarts, 0),
      reasons: [...(topReason ? [topReason] : []), ...current],
      lastReasons: last,
      exitCodes: containers.flatMap((c) => [c.exitCode, c.lastExitCode].filter((n): n is number => n !== null)),
      node: top("Node")?.split("/")[0] ?? null,
      phase,
      namespace: top("Namespace"),
      readyContainers: containers.length > 0 ? readyCount : null,
      totalContainers: containers.length > 0 ? containers.length : null,
      containers,
      message: top("Message"),
    };
  });
}

function readDescribedContainers(block: string): ContainerState[] {
  const section = /^(Init Containers|Containers):\s*\n([\s\S]*?)(?=^\S)/gm;
  const containers: ContainerState[] = [];
  for (const match of block.matchAll(section)) {
    const init = match[1] === "Init Containers";
    const body = match[2] ?? "";
    for (const part of body.split(/^(?=\s{2}[\w.-]+:\s*$)/m)) {
      const name = /^\s{2}([\w.-]+):\s*$/m.exec(part)?.[1];
      if (!name) continue;
      const field = (label: string, from = part) => new RegExp(`^\\s+${label}:[ \\t]*(.*)$`, "m").exec(from)?.[1]?.trim() || null;
      const stateAt = part.search(/^\s+State:/m);
      const lastAt = part.search(/^\s+Last State:/m);
      const stateText = stateAt >= 0 ? part.slice(stateAt, lastAt > stateAt ? lastAt : undefined) : "";
      const lastText = lastAt >= 0 ? part.slice(lastAt).split(/^\s+Ready:/m)[0] ?? "" : "";
      const state = field("State", stateText);
      const lastState = field("Last State", lastText);
      containers.push({
        name,
        ready: readBool(field("Ready", part.slice(Math.max(stateAt, lastAt, 0)))),
        restarts: toNumber(field("Restart Count") ?? "") ?? 0,
        state: state ? state.toLowerCase() : null,
        reason: field("Reason", stateText),
        exitCode: toNumber(field("Exit Code", stateText) ?? ""),
        lastReason: lastState && lastState !== "<none>" ? field("Reason", lastText) : null,
        lastExitCode: toNumber(field("Exit Code", lastText) ?? ""),
        message: field("Message", stateText),
        image: field("Image"),
        lastMessage: lastState && lastState !== "<none>" ? describedMessage(lastText) : null,
        init,
      });
    }
  }
  return containers;
}

/** A described `Message:` with its continuation lines (indented deeper than the field), joined with spaces. */
function describedMessage(text: string): string | null {
  const match = /^(\s+)Message:[ \t]*(.*)$/m.exec(text);
  if (!match) return null;
  const indent = (match[1] ?? "").length;
  const lines = [match[2] ?? ""];
  for (const line of text.slice((match.index ?? 0) + match[0].length).split(/\r?\n/).slice(1)) {
    const lead = /^\s*/.exec(line)?.[0].length ?? 0;
    if (line.trim() === "" || lead <= indent + "Message:".length) break;
    lines.push(line.trim());
  }
  return lines.join(" ").trim() || null;
}

function readBool(value: string | null): boolean | null {
  const k = value?.toLowerCase();
  return k === "true" ? true : k === "false" ? false : null;
}

function asObject(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

function stringRow(row: Record<string, unknown>): TableRow {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [normalizeKey(key), value === null || value === undefined ? "" : String(value)]));
}

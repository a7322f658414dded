import { parseTables, type TableRow } from "./parse-table.ts";
import { parseMemory } from "./read-usage.ts";
import { asText, isObject, normalizeKey, readKey, readString, toNumber, type JsonObject } from "./walk-json.ts";

export interface NodeCondition {
  type: string;
  /** True, False or Unknown, as Kubernetes writes it. */
  status: string;
  reason: string | null;
  message: string | null;
}

export interface NodeTaint {
  key: string;
  value: string | null;
  effect: string | null;
}

export interface NodeRecord {
  name: string;
  /** The Ready condition: false for NotReady, null when Unknown or not given. */
  ready: boolean | null;
  /** What `kubectl get nodes` shows in STATUS (`Ready`, `NotReady`, `Ready,SchedulingDisabled`). */
  status: string | null;
  conditions: NodeCondition[];
  /** Pressure conditions that are True (MemoryPressure, DiskPressure, PIDPressure, NetworkUnavailable). */
  pressure: string[];
  taints: NodeTaint[];
  labels: Record<string, string>;
  unschedulable: boolean | null;
  /** Used CPU and memory as a percentage of the node (fractions and `used/total` are converted). */
  cpuPercent: number | null;
  memoryPercent: number | null;
  /** Allocatable capacity as written (`7910m`, `30.1Gi`): a bound, not a usage. */
  allocatable: { cpu: string | null; memory: string | null };
}

const PRESSURE = /^(MemoryPressure|DiskPressure|PIDPressure|NetworkUnavailable)$/;

/**
 * Nodes from JSON of any shape (NodeList, `{nodes: [...]}`, nodes keyed by name, `[name, "cpu 22%"]`
 * rows), `kubectl get nodes` / `kubectl top nodes` tables (a CONDITIONS column of `Type=Status`
 * included), `Conditions for <node>: Ready=Unknown (...)` lines, or `kubectl describe node`.
 */
export function extractNodes(data: unknown, text: string): NodeRecord[] {
  const source = asText(text);
  const fromJson = readJson(data);
  const nodes = fromJson.length > 0 ? fromJson : [...readDescribe(source), ...parseTables(source).flatMap(readRow)];
  return mergeConditionLines(dedupe(nodes), source);
}

function readJson(data: unknown): NodeRecord[] {
  const out: NodeRecord[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 8) return;
    if (Array.isArray(value)) return value.forEach((item) => visit(item, depth + 1));
    if (!isObject(value)) return;
    const listed = readKey(value, "nodes");
    if (isObject(listed) && Object.values(listed).every(isObject)) {
      for (const [name, body] of Object.entries(listed)) out.push(readNodeObject({ name, ...(body as JsonObject) }));
      return;
    }
    if (Array.isArray(listed) && listed.length > 0 && listed.every((row) => Array.isArray(row) && typeof row[0] === "string")) {
      for (const row of listed as unknown[][]) out.push(readPairRow(row));
      return;
    }
    if (isNodeObject(value)) {
      out.push(readNodeObject(value));
      return;
    }
    for (const [key, child] of Object.entries(value)) if (!/^(metadata|spec|status|pods?|deployments?|postgres|database|redis|node_?groups?|node_?pools?|machine_?sets?)$/i.test(key)) visit(child, depth + 1);
  };
  visit(data, 0);
  return out;
}

function isNodeObject(object: JsonObject): boolean {
  const kind = readString(object, "kind");
  if (kind) return kind === "Node";
  const metadata = readKey(object, "metadata");
  const name = readString(object, "node", "name", "nodeName") ?? (isObject(metadata) ? readString(metadata, "name") : null);
  if (!name) return false;
  return ["cpu", "cpupct", "mem", "mempct", "memory", "conditions", "taints", "ready", "allocatablememory", "usedmemory", "nodegroup", "instancetype"].some((k) => readKey(object, k) !== undefined) && readKey(object, "containerstatuses", "replicas", "image", "pod", "restarts", "restartcount", "phase") === undefined;
}

function readNodeObject(object: JsonObject): NodeRecord {
  const metadata = isObject(object.metadata) ? object.metadata : null;
  const spec = isObject(object.spec) ? object.spec : null;
  const status = isObject(object.status) ? object.status : null;
  const name = readString(object, "node", "name", "nodeName") ?? (metadata ? readString(metadata, "name") : null) ?? "";
  const conditions = readConditions(readKey(object, "conditions") ?? (status ? readKey(status, "conditions") : undefined));
  const readyValue = readKey(object, "ready");
  const cpu = readKey(object, "cpuPct", "cpuPercent", "cpu");
  const memory = readKey(object, "memPct", "memoryPct", "memoryPercent", "mem", "memory");
  const allocatable = status && isObject(status.allocatable) ? status.allocatable : null;
  const statusText = readString(object, "status") ?? (typeof readKey(object, "conditions") === "string" ? readString(object, "conditions") : null);
  return finish({
    ...blank(name),
    status: statusText,
    conditions,
    taints: readTaints(readKey(object, "taints") ?? (spec ? readKey(spec, "taints") : undefined)),
    labels: toLabels(readKey(object, "labels") ?? (metadata ? readKey(metadata, "labels") : undefined)),
    unschedulable: typeof readKey(object, "unschedulable") === "boolean" ? (readKey(object, "unschedulable") as boolean) : spec && typeof spec.unschedulable === "boolean" ? spec.unschedulable : null,
    ready: typeof readyValue === "boolean" ? readyValue : null,
    cpuPercent: percentOf(cpu, "cpu"),
    memoryPercent: percentOf(memory, "memory") ?? ratioOfSizes(readKey(object, "usedMemory"), readKey(object, "allocatableMemory")),
    allocatable: {
      cpu: readString(object, "allocatableCpu") ?? (isObject(cpu) ? readString(cpu, "allocatable") : null) ?? (allocatable ? readString(allocatable, "cpu") : null),
      memory: readString(object, "allocatableMemory") ?? (isObject(memory) ? readString(memory, "allocatable") : null) ?? (allocatable ? readString(allocatable, "memory") : null),
    },
  });
}

/** `["aks-0", "cpu 22%", "mem 48%"]`. */
function readPairRow(row: unknown[]): NodeRecord {
  const cells = row.slice(1).map((cell) => String(cell));
  const find = (word: RegExp) => cells.find((cell) => word.test(cell));
  return finish({ ...blank(String(row[0])), cpuPercent: toNumber(find(/^cpu/i)?.replace(/^\D+/, "")), memoryPercent: toNumber(find(/^mem/i)?.replace(/^\D+/, "")) });
}

/** `kubectl get nodes` (STATUS, ROLES, VERSION, extra CPU/MEMORY columns), `kubectl top nodes` (CPU%, MEMORY%), or a custom NODE table. */
function readRow(row: TableRow): NodeRecord[] {
  const name = row.node ?? row.name;
  const isNodeTable = "roles" in row || "version" in row || "cpucores" in row || ("node" in row && ("cpu" in row || "status" in row));
  if (!name || !isNodeTable) return [];
  const status = row.status ?? null;
  const conditions = [...(row.conditions ?? "").matchAll(/(\w+)=(True|False|Unknown)/g)].map((m) => ({ type: m[1] ?? "", status: m[2] ?? "", reason: null, message: null }));
  return [finish({
    ...blank(name),
    status,
    unschedulable: status ? /SchedulingDisabled/.test(status) : null,
    conditions,
    cpuPercent: percentOf(row.cpu, "cpu"),
    memoryPercent: percentOf(row.memory ?? row.mem, "memory"),
  })];
}

/** `kubectl describe node`: Name, Roles, Taints (several lines), Unschedulable, the Conditions table. */
function readDescribe(text: string): NodeRecord[] {
  const blocks = text.split(/^(?=Name:\s)/m).filter((b) => /^Name:\s/.test(b) && /^Conditions:/m.test(b) && /^(Taints|Roles):/m.test(b));
  return blocks.map((block) => {
    const lines = block.split(/\r?\n/);
    const taintAt = lines.findIndex((l) => /^Taints:/.test(l));
    const taintLines = taintAt === -1 ? [] : [lines[taintAt]?.replace(/^Taints:\s*/, "") ?? "", ...lines.slice(taintAt + 1).filter((_, i, rest) => rest.slice(0, i + 1).every((l) => /^\s+\S/.test(l)))];
    const taints = taintLines.flatMap((line) => {
      const match = /^\s*([\w./-]+)(?:=([^:\s]*))?:(\w+)\s*$/.exec(line);
      return match?.[1] ? [{ key: match[1], value: match[2] ?? null, effect: match[3] ?? null }] : [];
    });
    const headerAt = lines.findIndex((l) => /^\s+Type\s+Status\s+/.test(l));
    const header = lines[headerAt] ?? "";
    const reasonAt = header.indexOf("Reason");
    const messageAt = header.indexOf("Message");
    const statusAt = header.indexOf("Status");
    const conditions: NodeCondition[] = [];
    for (const line of headerAt === -1 ? [] : lines.slice(headerAt + 1)) {
      if (/^\s*-+(\s+-+)*\s*$/.test(line)) continue;
      if (!/^\s+\S/.test(line)) break;
      const type = line.slice(0, statusAt).trim();
      const status = line.slice(statusAt).trim().split(/\s+/)[0] ?? "";
      if (!type || !/^(True|False|Unknown)$/.test(status)) continue;
      conditions.push({ type, status, reason: reasonAt > 0 ? line.slice(reasonAt, messageAt > reasonAt ? messageAt : undefined).trim() || null : null, message: messageAt > 0 ? line.slice(messageAt).trim() || null : null });
    }
    return finish({
      ...blank(/^Name:\s*(\S+)/m.exec(block)?.[1] ?? ""),
      conditions,
      taints,
      unschedulable: /^Unschedulable:\s*true/m.test(block) ? true : /^Unschedulable:\s*false/m.test(block) ? false : null,
    });
  });
}

/** `Conditions for ip-10-9-2-77: Ready=Unknown (NodeStatusUnknown: Kubelet stopped posting node status) since ...`. */
function mergeConditionLines(nodes: NodeRecord[], text: string): NodeRecord[] {
  for (const match of text.matchAll(/^Conditions for ([\w.-]+):\s*(.+)$/gm)) {
    const node = nodes.find((n) => n.name === match[1]);
    if (!node) continue;
    for (const pair of (match[2] ?? "").matchAll(/(\w+)=(True|False|Unknown)(?:\s*\(([^:)]+)(?::\s*([^)]*))?\))?/g)) {
      if (node.conditions.some((c) => c.type === pair[1])) continue;
      node.conditions.push({ type: pair[1] ?? "", status: pair[2] ?? "", reason: pair[3]?.trim() ?? null, message: pair[4]?.trim() ?? null });
    }
    Object.assign(node, finish(node));
  }
  return nodes;
}

/** Ready and pressure follow from the conditions when the output gives them. */
function finish(node: NodeRecord): NodeRecord {
  const ready = node.conditions.find((c) => c.type === "Ready");
  const pressure = node.conditions.filter((c) => PRESSURE.test(c.type) && c.status === "True").map((c) => c.type);
  const fromStatus = node.status && /NotReady/.test(node.status) ? false : node.status && /^Ready\b/.test(node.status) ? true : null;
  return { ...node, ready: ready ? (ready.status === "True" ? true : ready.status === "False" ? false : null) : (node.ready ?? fromStatus), pressure };
}

function readConditions(value: unknown): NodeCondition[] {
  if (Array.isArray(value)) {
    return value.filter(isObject).flatMap((c) => {
      const type = readString(c, "type");
      const status = readString(c, "status");
      return type && status ? [{ type, status: normalizeStatus(status), reason: readString(c, "reason"), message: readString(c, "message") }] : [];
    });
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([type, status]) => (typeof status === "string" || typeof status === "boolean" ? [{ type, status: normalizeStatus(String(status)), reason: null, message: null }] : []));
  }
  if (typeof value === "string") {
    const pairs = [...value.matchAll(/(\w+)=(True|False|Unknown)/gi)].map((m) => ({ type: m[1] ?? "", status: normalizeStatus(m[2] ?? ""), reason: null, message: null }));
    return pairs.length > 0 ? pairs : /^(Not)?Ready$/i.test(value.trim()) ? [{ type: "Ready", status: /^Ready$/i.test(value.trim()) ? "True" : "False", reason: null, message: null }] : [];
  }
  return [];
}

function normalizeStatus(status: string): string {
  const k = normalizeKey(status);
  return k === "true" ? "True" : k === "false" ? "False" : k === "unknown" ? "Unknown" : status;
}

function readTaints(value: unknown): NodeTaint[] {
  if (Array.isArray(value)) {
    return value.flatMap((t) => {
      if (isObject(t)) {
        const key = readString(t, "key");
        return key ? [{ key, value: readString(t, "value"), effect: readString(t, "effect") }] : [];
      }
      const match = typeof t === "string" ? /^([\w./-]+)(?:=([^:]*))?(?::(\w+))?$/.exec(t.trim()) : null;
      return match?.[1] ? [{ key: match[1], value: match[2] ?? null, effect: match[3] ?? null }] : [];
    });
  }
  return typeof value === "string" && value.trim() !== "" && !/^<none>$/i.test(value.trim()) ? readTaints(value.split(/[,\s]+/)) : [];
}

/** `38%`, 38 under a *Pct key, 0.38 (a fraction), `{usedPct}`, `1.9/8` cores, `22.4Gi/30Gi`. */
function percentOf(value: unknown, kind: "cpu" | "memory"): number | null {
  if (isObject(value)) return percentOf(readKey(value, "usedPct", "usedPercent", "percent", "pct", "utilisation", "utilization"), kind);
  if (typeof value === "number") return value <= 1 ? round(value * 100) : value <= 100 ? value : null;
  if (typeof value !== "string") return null;
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(value);
  if (percent?.[1]) return Number(percent[1]);
  const ratio = /^\s*([\d.]+\s*\w*)\s*\/\s*([\d.]+\s*\w*)\s*$/.exec(value);
  if (ratio?.[1] && ratio[2]) return kind === "memory" ? ratioOfSizes(ratio[1], ratio[2]) : ratioOfNumbers(toNumber(ratio[1]), toNumber(ratio[2]));
  return null;
}

function ratioOfSizes(used: unknown, total: unknown): number | null {
  return ratioOfNumbers(parseMemory(typeof used === "string" ? used.replace(/\s+/g, "") : used), parseMemory(typeof total === "string" ? total.replace(/\s+/g, "") : total));
}

function ratioOfNumbers(used: number | null, total: number | null): number | null {
  return used !== null && total !== null && total > 0 ? round((used / total) * 100) : null;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function toLabels(value: unknown): Record<string, string> {
  return isObject(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string")) : {};
}

function blank(name: string): NodeRecord {
  return { name, ready: null, status: null, conditions: [], pressure: [], taints: [], labels: {}, unschedulable: null, cpuPercent: null, memoryPercent: null, allocatable: { cpu: null, memory: null } };
}

function dedupe(nodes: NodeRecord[]): NodeRecord[] {
  const seen = new Map<string, NodeRecord>();
  for (const node of nodes) if (node.name && !seen.has(node.name)) seen.set(node.name, node);
  return [...seen.values()];
}

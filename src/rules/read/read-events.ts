import { parseTables } from "./parse-table.ts";
import { rowsFromColumns } from "./read-rows.ts";
import { asText, isObject, normalizeKey, parseAge, readKey, readString, toNumber, walkObjects } from "./walk-json.ts";

export interface EventRecord {
  type: string | null;
  reason: string;
  message: string;
  count: number;
  /** The pod (or other object) the event is about, when known. */
  object: string | null;
  /** When it was last seen, as the output gives it (`3m`, `2m (x25 over 7m)`, a timestamp). */
  lastSeen?: string | null;
  /** Who reported it (kubelet, default-scheduler, cert-manager-...). */
  source?: string | null;
  /** How long ago it was last seen, in seconds, when the output gives a kubectl age (`3m`, `6d1h`). */
  ageSeconds?: number | null;
  /**
   * The kind of object it is about, lower-case (`pod`, `node`, `job`, `challenge`), when the output
   * says: a node's OOMKilling event is about the node, not about a pod or its deployment.
   */
  kind?: string | null;
}

/** Reasons worth finding in text that is neither JSON nor a table (free text). */
const TEXT_REASONS = /\b(OOMKill(?:ed|ing)|CrashLoopBackOff|BackOff|ImagePullBackOff|ErrImagePull|FailedScheduling|Evicted|Unhealthy|FailedMount|NodeNotReady|Killing|CreateContainerConfigError)\b/;

/**
 * Events from JSON of any shape (EventList v1, events.k8s.io/v1 with `note`/`regarding`/`series`,
 * simplified lists, column/row tables), a `kubectl get events` table, the Events table of
 * `kubectl describe`, or lines that name a known reason.
 */
export function extractEvents(data: unknown, text: string): EventRecord[] {
  const events: EventRecord[] = [];
  const tabled = rowsFromColumns(data);
  walkObjects(tabled ?? data, (object) => {
    const row = Object.fromEntries(Object.entries(object).map(([k, v]) => [normalizeKey(k), v]));
    const reason = readString(row, "reason");
    const message = readString(row, "message", "note", "msg");
    if (!reason || (message === null && readKey(row, "type", "count", "involvedobject", "object") === undefined)) return false;
    const involved = readKey(row, "involvedobject", "regarding");
    const series = readKey(row, "series");
    const source = readKey(row, "source", "reportingcontroller", "from");
    events.push({
      type: readString(row, "type"),
      reason,
      message: message ?? "",
      count: toNumber(readKey(row, "count", "times", "deprecatedcount")) ?? (isObject(series) ? toNumber(readKey(series, "count")) : null) ?? 1,
      object: readString(row, "object", "pod", "podname") ?? (isObject(involved) ? qualifiedName(involved) : typeof involved === "string" ? involved : null),
      lastSeen: readString(row, "lastseen", "lasttimestamp", "eventtime", "age") ?? (isObject(series) ? readString(series, "lastObservedTime") : null),
      source: isObject(source) ? readString(source, "component") : typeof source === "string" ? source : null,
    });
    return true;
  });
  if (events.length > 0) return events.map(withKind);
  const source = asText(text);
  const described = readDescribeEvents(source);
  if (described.length > 0) return described.map(withKind);
  const rows = parseTables(source).filter((row) => row.reason);
  if (rows.length > 0) {
    return rows.map((row) => ({
      type: row.type ?? null,
      reason: row.reason ?? "",
      message: row.message ?? "",
      count: toNumber(row.count ?? "") ?? repeatCount(row.lastseen ?? row.age ?? "") ?? 1,
      object: row.object ?? row.involvedobject ?? null,
      lastSeen: row.lastseen ?? row.age ?? null,
      source: row.source ?? row.from ?? null,
    })).map(withKind);
  }
  return source.split(/\r?\n/).flatMap((line) => {
    const reason = TEXT_REASONS.exec(line)?.[1];
    return reason ? [{ type: null, reason, message: line.trim(), count: 1, object: null, lastSeen: null, source: null }] : [];
  });
}

/**
 * The `Events:` table of `kubectl describe` (`Type  Reason  Age  From  Message` over a `----`
 * rule); `2m (x25 over 7m)` in Age is 25 occurrences. The object is the described one.
 */
function readDescribeEvents(text: string): EventRecord[] {
  const events: EventRecord[] = [];
  for (const block of text.split(/^(?=Name:\s)/m)) {
    const object = /^Name:\s*(\S+)/m.exec(block)?.[1] ?? null;
    const kind = /^Kind:\s*(\S+)/m.exec(block)?.[1];
    const lines = block.split(/\r?\n/);
    const at = lines.findIndex((line) => /^\s*Type\s+Reason\s+Age\s+From\s+Message\s*$/.test(line));
    if (at === -1) continue;
    const header = lines[at] ?? "";
    const offsets = ["Reason", "Age", "From", "Message"].map((word) => header.indexOf(word));
    for (const line of lines.slice(at + 1)) {
      if (/^\s*-+(\s+-+)*\s*$/.test(line)) continue;
      if (line.trim() === "" || /^\S/.test(line)) break;
      const cut = (from: number, to?: number) => line.slice(from, to).trim();
      const [reasonAt = 0, ageAt = 0, fromAt = 0, messageAt = 0] = offsets;
      // Offsets hold when no value crosses a column start (kubectl's own layout); else split on wide gaps.
      const fits = [reasonAt, ageAt, fromAt, messageAt].every((at) => /\s/.test(line[at - 1] ?? " "));
      const words = line.trim().split(/\s{2,}/);
      const [type, reason, age, from, ...message] = fits ? [cut(0, reasonAt), cut(reasonAt, ageAt), cut(ageAt, fromAt), cut(fromAt, messageAt), cut(messageAt)] : words;
      if (!reason) continue;
      events.push({
        type: type || null,
        reason,
        message: message.join("  ").trim(),
        count: repeatCount(age ?? "") ?? 1,
        object: object && kind ? `${kind.toLowerCase()}/${object}` : object,
        lastSeen: age || null,
        source: from || null,
        kind: kind?.toLowerCase() ?? (/^Containers:/m.test(block) ? "pod" : null),
      });
    }
  }
  return events;
}

/** `node/ip-10-0-1-2` → kind node; a kubectl age → seconds. */
function withKind(event: EventRecord): EventRecord {
  const kind = /^([A-Za-z][\w.-]*)\/[^/]+$/.exec(event.object ?? "")?.[1];
  return { ...event, kind: kind ? kind.toLowerCase().split(".")[0] ?? null : (event.kind ?? null), ageSeconds: parseAge(event.lastSeen) };
}

/** `2m (x25 over 7m)` → 25. */
function repeatCount(age: string): number | null {
  const match = /\(x(\d+)\s+over/.exec(age);
  return match ? Number(match[1]) : null;
}

/** `persistentvolumeclaim/data` for objects that say their kind (as `kubectl get events` prints them). */
function qualifiedName(involved: Record<string, unknown>): string | null {
  const name = readString(involved, "name");
  const kind = readString(involved, "kind");
  return name && kind ? `${kind.toLowerCase()}/${name}` : name;
}

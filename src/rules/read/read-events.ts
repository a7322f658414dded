import { parseTables } from "./parse-table.ts";
import { isObject, readKey, readString, toNumber, walkObjects } from "./walk-json.ts";

export interface EventRecord {
  type: string | null;
  reason: string;
  message: string;
  count: number;
  /** The pod (or other object) the event is about, when known. */
  object: string | null;
}

/** Reasons worth finding in text that is neither JSON nor a table (kubectl describe, free text). */
const TEXT_REASONS = /\b(OOMKill(?:ed|ing)|CrashLoopBackOff|BackOff|ImagePullBackOff|ErrImagePull|FailedScheduling|Evicted|Unhealthy|FailedMount|NodeNotReady|Killing|CreateContainerConfigError)\b/;

/** Events from JSON of any shape, a `kubectl get events` table, or lines that name a known reason. */
export function extractEvents(data: unknown, text: string): EventRecord[] {
  const events: EventRecord[] = [];
  walkObjects(data, (object) => {
    const reason = readString(object, "reason");
    const message = readString(object, "message", "note", "msg");
    if (!reason || (message === null && readKey(object, "type", "count", "involvedObject", "object") === undefined)) return false;
    const involved = readKey(object, "involvedObject", "regarding");
    events.push({
      type: readString(object, "type"),
      reason,
      message: message ?? "",
      count: toNumber(readKey(object, "count", "times")) ?? 1,
      object: readString(object, "object", "pod", "podName") ?? (isObject(involved) ? qualifiedName(involved) : null),
    });
    return true;
  });
  if (events.length > 0) return events;
  const rows = parseTables(text).filter((row) => row.reason);
  if (rows.length > 0) {
    return rows.map((row) => ({
      type: row.type ?? null,
      reason: row.reason ?? "",
      message: row.message ?? "",
      count: toNumber(row.count ?? "") ?? 1,
      object: row.object ?? null,
    }));
  }
  return text.split(/\r?\n/).flatMap((line) => {
    const reason = TEXT_REASONS.exec(line)?.[1];
    return reason ? [{ type: null, reason, message: line.trim(), count: 1, object: null }] : [];
  });
}

/** `persistentvolumeclaim/data` for objects that say their kind (as `kubectl get events` prints them). */
function qualifiedName(involved: Record<string, unknown>): string | null {
  const name = readString(involved, "name");
  const kind = readString(involved, "kind");
  return name && kind ? `${kind.toLowerCase()}/${name}` : name;
}

import { extractDeployments } from "./read-deployments.ts";
import { currentRevision, extractHelmHistory } from "./read-helm.ts";
import { collectStrings, isObject, readString, walkObjects } from "./walk-json.ts";

/**
 * The latest recorded change of each workload or release, whatever recorded it: a rollout history
 * (per object, or a `rolloutHistory` map keyed by workload), `helm history` (a table, JSON, or a
 * table held in a string field), or a Deployment's own change-cause with its previous image.
 */
export interface Change {
  /** The workload or release it changed; null when the record does not say (a bare `helm history`). */
  workload: string | null;
  revision: string | null;
  time: string | null;
  /** What the record says changed, verbatim (a change-cause, a helm description, `image a → b`). */
  description: string;
  /** The application version it deployed, when the record says (helm's APP VERSION). */
  version?: string | null;
  /** The versions it moved between, when the record shows the previous one (`chart a → b, app version x → y`). */
  moved?: string | null;
}

export function extractChanges(data: unknown, text: string): Change[] {
  const changes: Change[] = [];
  for (const deployment of extractDeployments(data, text)) {
    const latest = deployment.history.at(-1);
    const imageChange = deployment.previousImage && deployment.images[0] && deployment.previousImage !== deployment.images[0] ? `image ${deployment.previousImage} → ${deployment.images[0]}` : null;
    const description = [deployment.changeCause ?? latest?.cause ?? null, imageChange].filter((d): d is string => d !== null).join("; ");
    if (description) changes.push({ workload: deployment.name, revision: latest?.revision ?? deployment.revision, time: latest?.time ?? deployment.lastChange, description });
  }
  walkObjects(data, (object) => {
    const map = object.rolloutHistory ?? object.rollouthistory;
    if (!isObject(map)) return false;
    for (const [workload, revisions] of Object.entries(map)) {
      const latest = Array.isArray(revisions) ? revisions.filter(isObject).at(-1) : undefined;
      const description = latest ? readString(latest, "cause", "changeCause", "change-cause", "description") : null;
      if (!latest || !description || changes.some((c) => c.workload === workload)) continue;
      changes.push({ workload, revision: readString(latest, "revision"), time: readString(latest, "created", "time", "updated", "date"), description });
    }
    return true;
  });
  for (const change of rolloutHistoryText(text)) if (!changes.some((c) => c.workload === change.workload)) changes.push(change);
  // helm history: as JSON rows, as the command's text, or as a table inside a string field.
  const tables = [text, ...collectStrings(data).filter((s) => /^\s*REVISION\b/m.test(s))];
  for (const table of tables) {
    const history = extractHelmHistory(table === text ? data : null, table);
    const current = currentRevision(history);
    if (current?.description && !changes.some((c) => c.revision === String(current.revision) && c.description === current.description)) {
      // "Upgrade complete" says nothing of what changed; the chart (and app version) it moved to does,
      // and the versions it moved from when the previous revision is listed.
      const generic = /^(upgrade|install) complete\.?$/i.test(current.description.trim());
      const chart = generic && current.chart ? `chart ${current.chart}${current.appVersion ? ` (app ${current.appVersion})` : ""}: ` : "";
      const previous = [...history].filter((r) => r.revision < current.revision).sort((a, b) => b.revision - a.revision)[0];
      const moved = [
        previous?.chart && current.chart && previous.chart !== current.chart ? `chart ${previous.chart} → ${current.chart}` : null,
        previous?.appVersion && current.appVersion && previous.appVersion !== current.appVersion ? `app version ${previous.appVersion} → ${current.appVersion}` : null,
      ].filter((m): m is string => m !== null);
      changes.push({ workload: current.release, revision: String(current.revision), time: current.updated, description: `${chart}${current.description}`, version: current.appVersion, moved: moved.length > 0 ? moved.join(", ") : null });
      break;
    }
  }
  return changes;
}

/** `kubectl rollout history deploy/NAME` text: its REVISION / CHANGE-CAUSE table, the last row the latest. */
function rolloutHistoryText(text: string): Change[] {
  const changes: Change[] = [];
  for (const match of text.matchAll(/rollout history\s+(?:(?:deploy(?:ment)?s?|statefulsets?|sts|daemonsets?|ds)(?:\.apps)?[/\s]+)([a-z0-9][-a-z0-9.]*)[^\n]*\n\s*REVISION\s+CHANGE-CAUSE\s*\n((?:[ \t]*\d+[ \t]+.*(?:\n|$))+)/gi)) {
    const last = (match[2] ?? "").trim().split(/\n/).at(-1)?.trim() ?? "";
    const row = /^(\d+)\s+(.*)$/.exec(last);
    const cause = row?.[2]?.replace(/\s+#.*$/, "").trim();
    if (!row || !cause || cause === "<none>") continue;
    const time = /\((\d{4}-\d{2}-\d{2}[^)]*)\)/.exec(cause)?.[1] ?? null;
    changes.push({ workload: match[1] ?? null, revision: row[1] ?? null, time, description: cause });
  }
  return changes;
}

/** A resource value said to change in a description: `resources.limits.cpu 2000m -> 500m`, `memory limit 4Gi → 2Gi`. */
export interface ResourceChange {
  resource: "cpu" | "memory";
  kind: "limit" | "request";
  from: string;
  to: string;
  /** True when the new value is smaller. */
  lowered: boolean;
}

const RESOURCE_CHANGE = /\b(?:resources\.)?(limits?|requests?)[.\s_-]*(cpu|memory)\b[^\d]{0,12}([\d.]+\s*(?:m|Mi|Gi|Ki|M|G)?)\s*(?:->|→|=>|to)\s*([\d.]+\s*(?:m|Mi|Gi|Ki|M|G)?)|\b(cpu|memory)[.\s_-]*(limits?|requests?)\b[^\d]{0,12}([\d.]+\s*(?:m|Mi|Gi|Ki|M|G)?)\s*(?:->|→|=>|to)\s*([\d.]+\s*(?:m|Mi|Gi|Ki|M|G)?)/i;

export function resourceChangeOf(description: string): ResourceChange | null {
  const m = RESOURCE_CHANGE.exec(description);
  if (!m) return null;
  const [kindWord, resource, from, to] = m[1] ? [m[1], m[2], m[3], m[4]] : [m[6], m[5], m[7], m[8]];
  if (!kindWord || !resource || !from || !to) return null;
  const r = resource.toLowerCase() as "cpu" | "memory";
  const a = quantity(from.trim(), r);
  const b = quantity(to.trim(), r);
  return { resource: r, kind: /^limit/i.test(kindWord) ? "limit" : "request", from: from.trim(), to: to.trim(), lowered: a !== null && b !== null && b < a };
}

/** `500m` → 0.5 (cores), `2Gi` → bytes. */
function quantity(value: string, resource: "cpu" | "memory"): number | null {
  const m = /^([\d.]+)\s*(m|Mi|Gi|Ki|M|G)?$/.exec(value);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? "";
  if (resource === "cpu") return unit === "m" ? n / 1000 : n;
  const scale: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, M: 1e6, G: 1e9, m: 1e-3 };
  return n * (scale[unit] ?? 1);
}

/** A capacity setting changed in a recorded diff (`-  maxmemory 4gb` / `+  maxmemory 1536mb`, `memory: 6Gi → 2Gi`). */
export interface SettingChange {
  /** The setting as written (`maxmemory`, `memory`, `max_connections`, `-Xmx`). */
  key: string;
  /** Where it sits, outermost first (`redis.master.resources.limits`), from the diff's indented context; may be empty. */
  path: string[];
  from: string;
  to: string;
  /** The two diff lines (or the one `a → b` line) verbatim, for the cause to quote. */
  lines: string[];
  lowered: boolean;
}

/** Settings that bound a component's capacity (memory, CPU, connections, pools, heap). */
const CAPACITY_KEY = /^(?:maxmemory|memory|cpu|max[_-]?connections|maxclients|max[_-]?client[_-]?conn\w*|maximum[_-]?pool[_-]?size|max[_-]?pool[_-]?size|pool[_-]?size|-?Xmx|max[_-]?heap\w*)$/i;
const SETTING_LINE = /^\s*(-?Xmx|[A-Za-z][\w.-]*?)\s*(?:[:=]\s*|\s+|(?<=Xmx))["']?(\d+(?:\.\d+)?\s*(?:[kKmMgGtT][iI]?[bB]?)?)["']?\s*$/;

/**
 * Capacity settings a unified diff (`helm get values` diffs, `kubectl diff`, config diffs) changed:
 * a removed line and an added line with the same key at the same place, values compared by size.
 */
export function extractSettingChanges(text: string): SettingChange[] {
  const changes: SettingChange[] = [];
  const lines = asLines(text);
  const context: { indent: number; key: string }[] = [];
  const removed: { key: string; value: string; indent: number; line: string; path: string[] }[] = [];
  for (const raw of lines) {
    const marker = /^([-+])(?![-+])/.exec(raw)?.[1];
    const body = marker ? raw.slice(1) : raw;
    const indent = body.length - body.trimStart().length;
    while (context.length > 0 && (context.at(-1)?.indent ?? 0) >= indent) context.pop();
    const path = context.map((c) => c.key);
    const parent = /^\s*([A-Za-z][\w.-]*)\s*:\s*(?:\|-?|>-?)?\s*$/.exec(body)?.[1];
    if (!marker) {
      if (parent) context.push({ indent, key: parent });
      if (body.trim() !== "") removed.length = 0;
      continue;
    }
    // A value inside a line (`JAVA_OPTS: -Xms2g -Xmx4g`) counts as its own setting.
    const setting = SETTING_LINE.exec(body) ?? /(-Xmx)(\d+(?:\.\d+)?[kKmMgG])\b/.exec(body);
    if (!setting?.[1] || !setting[2] || !CAPACITY_KEY.test(setting[1])) continue;
    const [key, value] = [setting[1], setting[2].trim()];
    if (marker === "-") removed.push({ key, value, indent, line: raw.trim(), path });
    else {
      const before = removed.find((r) => r.key.toLowerCase() === key.toLowerCase() && r.path.join(".") === path.join("."));
      if (!before || before.value === value) continue;
      const [a, b] = [sizeOf(before.value, key), sizeOf(value, key)];
      changes.push({ key, path, from: before.value, to: value, lines: [before.line, raw.trim()], lowered: a !== null && b !== null && b < a });
    }
  }
  // One-line records of a change (a change-cause, a helm description, a config log): `maxmemory 4gb -> 1536mb`.
  for (const raw of lines) {
    const arrow = XMX_ARROW.exec(raw) ?? ARROW_CHANGE.exec(raw);
    if (!arrow?.[1] || !arrow[2] || !arrow[3] || /^[-+]/.test(raw)) continue;
    const [a, b] = [sizeOf(arrow[2], arrow[1]), sizeOf(arrow[3], arrow[1])];
    const path = arrow[1].split(".");
    const key = path.pop() ?? arrow[1];
    if (!CAPACITY_KEY.test(key)) continue;
    changes.push({ key, path, from: arrow[2].trim(), to: arrow[3].trim(), lines: [raw.trim()], lowered: a !== null && b !== null && b < a });
  }
  return changes;
}

const SIZE = String.raw`\d+(?:\.\d+)?\s*(?:[kKmMgGtT][iI]?[bB]?)?`;
const ARROW_CHANGE = new RegExp(String.raw`\b([A-Za-z][\w.-]*?)\b\s*[:=]?\s*(?:from\s+)?["']?(${SIZE})["']?\s*(?:->|→|=>|\bto\b)\s*["']?(${SIZE})["']?(?![\w.])`);
const XMX_ARROW = new RegExp(String.raw`(-?Xmx)(${SIZE})\s*(?:->|→|=>|\bto\b)\s*(?:-?Xmx)?(${SIZE})(?![\w.])`);

function asLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/** `4gb`, `1536mb`, `6Gi`, `2000m` (CPU), `300` → a comparable number. */
function sizeOf(value: string, key: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)(b?)$/i.exec(value.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toLowerCase();
  if (/^cpu$/i.test(key)) return unit === "m" ? n / 1000 : n;
  const power = { "": 0, k: 1, m: 2, g: 3, t: 4 }[unit] ?? 0;
  return n * (m[3] || m[4] ? 1024 : 1000) ** power;
}

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
  // helm history: as JSON rows, as the command's text, or as a table inside a string field.
  const tables = [text, ...collectStrings(data).filter((s) => /^\s*REVISION\b/m.test(s))];
  for (const table of tables) {
    const history = extractHelmHistory(table === text ? data : null, table);
    const current = currentRevision(history);
    if (current?.description && !changes.some((c) => c.revision === String(current.revision) && c.description === current.description)) {
      // "Upgrade complete" says little: the chart and app versions it moved between say what changed.
      const previous = [...history].filter((r) => r.revision < current.revision).sort((a, b) => b.revision - a.revision)[0];
      const moved = [
        previous?.chart && current.chart && previous.chart !== current.chart ? `chart ${previous.chart} → ${current.chart}` : null,
        previous?.appVersion && current.appVersion && previous.appVersion !== current.appVersion ? `app version ${previous.appVersion} → ${current.appVersion}` : null,
      ].filter((m): m is string => m !== null);
      changes.push({ workload: current.release, revision: String(current.revision), time: current.updated, description: current.description, version: current.appVersion, moved: moved.length > 0 ? moved.join(", ") : null });
      break;
    }
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

import { parseTables } from "./parse-table.ts";
import { asText, readString, toNumber, walkObjects } from "./walk-json.ts";

/** One row of `helm history` (or of `helm list`, which names the release and shows its latest revision). */
export interface HelmRevision {
  /** The release, when the output names it (`helm list`); `helm history` rows leave it null. */
  release: string | null;
  revision: number;
  updated: string | null;
  /** deployed, superseded, failed, pending-upgrade, ... */
  status: string | null;
  chart: string | null;
  appVersion: string | null;
  description: string | null;
}

/** Helm revisions from `helm history`/`helm list` tables or their `-o json` form, in the order given. */
export function extractHelmHistory(data: unknown, text: string): HelmRevision[] {
  const revisions: HelmRevision[] = [];
  walkObjects(data, (object) => {
    const revision = toNumber(object.revision ?? object.Revision);
    const chart = readString(object, "chart");
    if (revision === null || (chart === null && readString(object, "status") === null)) return false;
    revisions.push({
      release: readString(object, "release", "name"),
      revision,
      updated: readString(object, "updated", "updatedAt", "last_deployed", "date"),
      status: readString(object, "status"),
      chart,
      appVersion: readString(object, "app_version", "appVersion"),
      description: readString(object, "description"),
    });
    return true;
  });
  if (revisions.length > 0) return revisions;
  return parseTables(asText(text)).flatMap((row) => {
    const revision = toNumber(row.revision ?? "");
    if (revision === null || !("chart" in row)) return [];
    return [{ release: row.name ?? null, revision, updated: row.updated || null, status: row.status || null, chart: row.chart || null, appVersion: row.appversion || null, description: row.description || null }];
  });
}

/** The revision live now: the last `deployed` one, else the newest. */
export function currentRevision(revisions: HelmRevision[]): HelmRevision | null {
  const deployed = revisions.filter((r) => r.status?.toLowerCase() === "deployed");
  const pool = deployed.length > 0 ? deployed : revisions;
  return [...pool].sort((a, b) => b.revision - a.revision)[0] ?? null;
}

import { parseTables } from "./parse-table.ts";
import { isObject, normalizeKey, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

export interface DeploymentRecord {
  name: string;
  desired: number | null;
  ready: number | null;
  /** The last change's recorded cause (`kubernetes.io/change-cause`), when present. */
  changeCause: string | null;
}

/** Deployments from JSON (kubectl or simplified) or a `kubectl get deployments` table. */
export function extractDeployments(data: unknown, text: string): DeploymentRecord[] {
  const deployments: DeploymentRecord[] = [];
  walkObjects(data, (object) => {
    const deployment = readDeploymentObject(object);
    if (deployment) deployments.push(deployment);
    return deployment !== null;
  });
  if (deployments.length > 0) return deployments;
  return parseTables(text).flatMap((row) => {
    const ratio = /^(\d+)\/(\d+)$/.exec(row.ready ?? "");
    return row.name && ratio ? [{ name: row.name, ready: Number(ratio[1]), desired: Number(ratio[2]), changeCause: null }] : [];
  });
}

function readDeploymentObject(object: JsonObject): DeploymentRecord | null {
  const metadata = readKey(object, "metadata");
  const name = readString(object, "name", "deployment") ?? (isObject(metadata) ? readString(metadata, "name") : null);
  if (!name) return null;
  const replicas = readKey(object, "replicas");
  const spec = readKey(object, "spec");
  const status = readKey(object, "status");
  const desired =
    toNumber(isObject(replicas) ? readKey(replicas, "desired", "spec", "replicas") : replicas) ??
    toNumber(isObject(spec) ? readKey(spec, "replicas") : undefined) ??
    toNumber(readKey(object, "desired", "desiredReplicas"));
  const readyValue = isObject(replicas) ? readKey(replicas, "ready", "readyReplicas") : (readKey(object, "readyReplicas") ?? readKey(object, "ready"));
  const ratio = typeof readyValue === "string" ? /^(\d+)\/(\d+)$/.exec(readyValue) : null;
  const ready = ratio ? Number(ratio[1]) : (toNumber(readyValue) ?? toNumber(isObject(status) ? readKey(status, "readyReplicas") : undefined));
  if (desired === null && ready === null && !ratio) return null;
  return { name, desired: desired ?? (ratio ? Number(ratio[2]) : null), ready, changeCause: findChangeCause(object) };
}

function findChangeCause(object: JsonObject): string | null {
  let cause: string | null = null;
  walkObjects(object, (child) => {
    for (const [key, value] of Object.entries(child)) {
      if (normalizeKey(key).includes("changecause") && typeof value === "string") cause ??= value;
    }
    return cause !== null;
  });
  return cause;
}

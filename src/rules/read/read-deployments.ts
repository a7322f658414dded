import { parseTables } from "./parse-table.ts";
import { isObject, normalizeKey, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

export interface DeploymentRecord {
  name: string;
  desired: number | null;
  ready: number | null;
  /** The last change's recorded cause (`kubernetes.io/change-cause`), when present. */
  changeCause: string | null;
  /** Labels its pods carry (pod template labels, or the selector `kubectl -o wide` prints). */
  podLabels: Record<string, string> | null;
  revision: string | null;
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
    const podLabels = row.selector ? Object.fromEntries(row.selector.split(",").map((pair) => pair.split("=") as [string, string])) : null;
    return row.name && ratio ? [{ name: row.name, ready: Number(ratio[1]), desired: Number(ratio[2]), changeCause: null, podLabels, revision: null }] : [];
  });
}

function readDeploymentObject(object: JsonObject): DeploymentRecord | null {
  const metadata = readKey(object, "metadata");
  const name = readString(object, "name", "deployment") ?? (isObject(metadata) ? readString(metadata, "name") : null);
  if (!name) return null;
  const replicas = readKey(object, "replicas");
  const spec = readKey(object, "spec");
  const status = readKey(object, "status");
  // `replicas: "0/3"` is ready/desired (kubectl's READY column), not 0 desired.
  const replicaRatio = typeof replicas === "string" ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(replicas) : null;
  if (replicaRatio) return { name, desired: Number(replicaRatio[2]), ready: Number(replicaRatio[1]), changeCause: findChangeCause(object), podLabels: findPodLabels(object), revision: null };
  const desired =
    toNumber(isObject(replicas) ? readKey(replicas, "desired", "spec", "replicas") : replicas) ??
    toNumber(isObject(spec) ? readKey(spec, "replicas") : undefined) ??
    toNumber(readKey(object, "desired", "desiredReplicas"));
  const readyValue = isObject(replicas) ? readKey(replicas, "ready", "readyReplicas") : (readKey(object, "readyReplicas") ?? readKey(object, "ready"));
  const ratio = typeof readyValue === "string" ? /^(\d+)\/(\d+)$/.exec(readyValue) : null;
  const ready = ratio ? Number(ratio[1]) : (toNumber(readyValue) ?? toNumber(isObject(status) ? readKey(status, "readyReplicas") : undefined));
  if (desired === null && ready === null && !ratio) return null;
  const revision = readKey(object, "revision");
  return { name, desired: desired ?? (ratio ? Number(ratio[2]) : null), ready, changeCause: findChangeCause(object), podLabels: findPodLabels(object), revision: revision === undefined || revision === null ? null : String(revision) };
}

/** `podLabels`, or `spec.template.metadata.labels` of a kubectl Deployment. */
function findPodLabels(object: JsonObject): Record<string, string> | null {
  const direct = readKey(object, "podLabels", "templateLabels");
  const spec = readKey(object, "spec");
  const template = isObject(spec) ? readKey(spec, "template") : undefined;
  const metadata = isObject(template) ? readKey(template, "metadata") : undefined;
  const labels = isObject(direct) ? direct : isObject(metadata) ? readKey(metadata, "labels") : undefined;
  return isObject(labels) ? Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string")) : null;
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

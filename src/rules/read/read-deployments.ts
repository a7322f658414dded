import { parseTables, type TableRow } from "./parse-table.ts";
import { asText, collectStrings, isObject, normalizeKey, readKey, readString, toNumber, type JsonObject } from "./walk-json.ts";

export interface ResourceSpec {
  cpu: string | null;
  memory: string | null;
}

export interface ContainerSpec {
  name: string | null;
  image: string | null;
  limits: ResourceSpec;
  requests: ResourceSpec;
  /** Literal values; a value from a Secret or ConfigMap reads `<secret name/key>`. */
  env: Record<string, string>;
}

export interface RolloutRevision {
  revision: string;
  image: string | null;
  cause: string | null;
  time: string | null;
}

export interface DeploymentRecord {
  name: string;
  /** Deployment, StatefulSet, DaemonSet… when the output says (a `kind` or the list it sits in). */
  kind: string | null;
  namespace: string | null;
  /**
   * The replicas asked for (spec.replicas, `desired`, or the denominator of `READY 1/3`); null
   * when the output does not say. Only `desired === 0` means scaled to 0.
   */
  desired: number | null;
  /** Ready replicas (status.readyReplicas, or the numerator of `READY 1/3`); never the desired count. */
  ready: number | null;
  available: number | null;
  /** Replicas running the newest template (UP-TO-DATE, status.updatedReplicas). */
  updated: number | null;
  /** The last change's recorded cause (`kubernetes.io/change-cause`), when present. */
  changeCause: string | null;
  /** Labels its pods carry (pod template labels, or the selector `kubectl -o wide` prints). */
  podLabels: Record<string, string> | null;
  revision: string | null;
  images: string[];
  previousImage: string | null;
  containers: ContainerSpec[];
  /** The first container's limits and requests (kept apart: a limit is not what is used). */
  limits: ResourceSpec;
  requests: ResourceSpec;
  /** Every container's literal env vars, merged (`CONDUCTOR_SERVER_URL`, `JAVA_OPTS`, ...). */
  env: Record<string, string>;
  /** Conditions such as `Progressing False ProgressDeadlineExceeded`. */
  conditions: { type: string; status: string; reason: string | null; message: string | null }[];
  history: RolloutRevision[];
  /** When the output says when it last changed (`lastRollout`, `updated` as a time, `changedAgo`). */
  lastChange: string | null;
}

const WORKLOAD_KINDS: Record<string, string> = { deployments: "Deployment", statefulsets: "StatefulSet", daemonsets: "DaemonSet", replicasets: "ReplicaSet" };
const NOT_WORKLOADS = /^(cronjobs?|jobs?|pods?|services?|ingress(es)?|certificates?|clusterissuers?|issuers?|nodes?|events?|configmaps?|secrets?)$/;
const RATIO = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/** Deployments (and StatefulSets/DaemonSets) from JSON of any shape, `kubectl get`/`describe` text, or `kind/name 1/3 image` lines. */
export function extractDeployments(data: unknown, text: string): DeploymentRecord[] {
  const found: DeploymentRecord[] = [];
  walk(data, null, found, 0);
  if (found.length > 0) return found;
  const source = asText(text);
  const described = readDescribe(source);
  const tabled = parseTables(source).flatMap((row) => readRow(row));
  const lines = readKindLines(source);
  return dedupe([...described, ...tabled, ...lines]);
}

function walk(value: unknown, kind: string | null, out: DeploymentRecord[], depth: number): void {
  if (depth > 10) return;
  if (Array.isArray(value)) {
    for (const item of value) walk(item, kind, out, depth + 1);
    return;
  }
  if (!isObject(value)) return;
  const record = readObject(value, kind);
  if (record) {
    out.push(record);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    const k = normalizeKey(key);
    if (NOT_WORKLOADS.test(k) || k === "metadata" || k === "history" || k === "rollouthistory") continue;
    const childKind = WORKLOAD_KINDS[k] ?? kindOf(value) ?? kind;
    if (WORKLOAD_KINDS[k] && keyedByName(child)) {
      // `deployments: { name: {...} }`: the key is the workload's name.
      for (const [name, object] of Object.entries(child)) {
        const record = readObject({ name, ...(object as JsonObject) }, childKind);
        if (record) out.push(record);
      }
      continue;
    }
    walk(child, childKind, out, depth + 1);
  }
}

/** A map of workload objects keyed by name (none of them names itself). */
function keyedByName(value: unknown): value is Record<string, JsonObject> {
  if (!isObject(value) || Array.isArray(value)) return false;
  const children = Object.values(value);
  return children.length > 0 && children.every((child) => isObject(child) && readString(child, "name", "deployment") === null && readKey(child, "metadata") === undefined);
}

function kindOf(object: JsonObject): string | null {
  const kind = readString(object, "kind");
  return kind ? kind.replace(/List$/, "") : null;
}

function readObject(object: JsonObject, kindHint: string | null): DeploymentRecord | null {
  const metadata = asObject(readKey(object, "metadata"));
  const kind = kindOf(object) ?? kindHint;
  if (kind && !/deployment|statefulset|daemonset|replicaset|workload/i.test(kind)) return null;
  if (readKey(object, "cronjob", "job", "schedule") !== undefined) return null;
  const name = readString(object, "name", "deployment", "statefulset", "daemonset") ?? (metadata ? readString(metadata, "name") : null);
  if (!name) return null;
  const spec = asObject(readKey(object, "spec"));
  const status = asObject(readKey(object, "status"));
  const replicas = readKey(object, "replicas");
  const replicaObject = asObject(replicas);
  const readyValue = replicaObject ? readKey(replicaObject, "ready", "readyReplicas") : readKey(object, "readyReplicas", "ready");
  const ratio = ratioOf(replicas) ?? ratioOf(readyValue) ?? ratioOf(readKey(object, "status"));
  const desired =
    ratio?.[1] ??
    count(replicaObject ? readKey(replicaObject, "desired", "spec", "replicas") : replicas) ??
    count(spec ? readKey(spec, "replicas") : undefined) ??
    count(readKey(object, "desired", "desiredReplicas", "desiredNumberScheduled"));
  // kubectl leaves readyReplicas out of status when it is 0.
  const statusReady = status ? (count(readKey(status, "readyReplicas", "numberReady")) ?? (readKey(status, "replicas") !== undefined ? 0 : null)) : null;
  const ready = ratio?.[0] ?? count(readyValue) ?? statusReady;
  const containers = readContainers(object, spec);
  const images = unique([...containers.map((c) => c.image), readString(object, "image"), ...stringList(readKey(object, "images"))]);
  if (desired === null && ready === null && images.length === 0 && !spec) return null;
  const annotations = { ...(metadata ? asObject(readKey(metadata, "annotations")) : null), ...asObject(readKey(object, "annotations")) };
  const first = containers.find((c) => c.limits.cpu || c.limits.memory || c.requests.cpu || c.requests.memory) ?? containers[0];
  const env = Object.assign({}, ...containers.map((c) => c.env)) as Record<string, string>;
  return {
    name,
    kind,
    namespace: readString(object, "namespace", "ns") ?? (metadata ? readString(metadata, "namespace") : null),
    desired,
    ready,
    available: count(replicaObject ? readKey(replicaObject, "available") : readKey(object, "available", "availableReplicas")) ?? (status ? count(readKey(status, "availableReplicas", "numberAvailable")) : null),
    updated: count(replicaObject ? readKey(replicaObject, "updated", "upToDate") : readKey(object, "updatedReplicas", "upToDate", "updated")) ?? (status ? count(readKey(status, "updatedReplicas", "updatedNumberScheduled")) : null),
    changeCause: readString(object, "changeCause", "change-cause") ?? annotation(annotations, "change-cause"),
    podLabels: findPodLabels(object, spec),
    revision: readString(object, "revision") ?? annotation(annotations, "revision"),
    images,
    previousImage: readString(object, "previousImage", "oldImage"),
    containers,
    limits: first?.limits ?? emptyResources(),
    requests: first?.requests ?? emptyResources(),
    env,
    conditions: readConditions(readKey(object, "conditions") ?? (status ? readKey(status, "conditions") : undefined)),
    history: readHistory(readKey(object, "history", "rolloutHistory", "revisions")),
    lastChange: readString(object, "lastRollout", "lastChange", "changedAgo", "updatedAgo") ?? timeLike(readString(object, "updated", "updatedAt")),
  };
}

/** Containers of a kubectl object (spec.template.spec.containers), or the simplified object itself as one. */
function readContainers(object: JsonObject, spec: JsonObject | null): ContainerSpec[] {
  const template = spec ? asObject(readKey(spec, "template")) : null;
  const podSpec = template ? asObject(readKey(template, "spec")) : null;
  const listed = readKey(podSpec ?? {}, "containers") ?? readKey(object, "containers");
  if (Array.isArray(listed) && listed.some(isObject)) return listed.filter(isObject).map((c) => readContainer(c));
  return readKey(object, "image", "resources", "limits", "env", "cpuLimit", "memoryLimit") !== undefined ? [readContainer(object)] : [];
}

function readContainer(object: JsonObject): ContainerSpec {
  const resources = asObject(readKey(object, "resources"));
  const limits = asObject(resources ? readKey(resources, "limits") : readKey(object, "limits"));
  const requests = asObject(resources ? readKey(resources, "requests") : readKey(object, "requests"));
  return {
    name: readString(object, "name"),
    image: readString(object, "image"),
    limits: { cpu: (limits ? readString(limits, "cpu") : null) ?? readString(object, "cpuLimit"), memory: (limits ? readString(limits, "memory") : null) ?? readString(object, "memoryLimit") },
    requests: { cpu: (requests ? readString(requests, "cpu") : null) ?? readString(object, "cpuRequest"), memory: (requests ? readString(requests, "memory") : null) ?? readString(object, "memoryRequest") },
    env: readEnv(readKey(object, "env", "environment")),
  };
}

function readEnv(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const item of value.filter(isObject)) {
      const name = readString(item, "name");
      if (!name) continue;
      const literal = readString(item, "value");
      const from = asObject(readKey(item, "valueFrom"));
      const ref = from ? asObject(readKey(from, "secretKeyRef", "configMapKeyRef")) : null;
      if (literal !== null) env[name] = literal;
      else if (ref) env[name] = `<${readKey(from ?? {}, "secretKeyRef") ? "secret" : "configmap"} ${readString(ref, "name") ?? "?"}/${readString(ref, "key") ?? "?"}>`;
    }
  } else if (isObject(value)) {
    for (const [name, item] of Object.entries(value)) if (typeof item === "string" || typeof item === "number" || typeof item === "boolean") env[name] = String(item);
  }
  return env;
}

function readConditions(value: unknown): DeploymentRecord["conditions"] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((c) => {
    const type = readString(c, "type");
    const status = readString(c, "status");
    return type && status ? [{ type, status, reason: readString(c, "reason"), message: readString(c, "message") }] : [];
  });
}

function readHistory(value: unknown): RolloutRevision[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).flatMap((h) => {
    const revision = readString(h, "revision");
    return revision ? [{ revision, image: readString(h, "image"), cause: readString(h, "cause", "changeCause", "change-cause", "description"), time: readString(h, "time", "created", "updated", "date") }] : [];
  });
}

/** `podLabels`, or `spec.template.metadata.labels` of a kubectl Deployment. */
function findPodLabels(object: JsonObject, spec: JsonObject | null): Record<string, string> | null {
  const direct = asObject(readKey(object, "podLabels", "templateLabels"));
  const template = spec ? asObject(readKey(spec, "template")) : null;
  const metadata = template ? asObject(readKey(template, "metadata")) : null;
  const labels = direct ?? (metadata ? asObject(readKey(metadata, "labels")) : null);
  return labels ? Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string")) : null;
}

/** `kubectl get deploy` (READY 0/3, UP-TO-DATE, AVAILABLE, IMAGES), the older DESIRED/CURRENT columns, or a DEPLOYMENT/STATEFULSET column. */
function readRow(row: TableRow): DeploymentRecord[] {
  const rawName = row.name ?? row.deployment ?? row.statefulset ?? row.daemonset;
  if (!rawName || "revision" in row || "restarts" in row) return [];
  const ratio = RATIO.exec(row.ready ?? "");
  const desired = ratio ? Number(ratio[2]) : count(row.desired);
  if (desired === null) return [];
  const [kindPart, namePart] = rawName.includes("/") ? rawName.split("/", 2) : [null, rawName];
  const podLabels = row.selector ? labelsOf(row.selector) : null;
  const images = (row.images ?? row.image ?? "").split(",").map((i) => i.trim()).filter(Boolean);
  return [{
    ...blank(stripNamespace(namePart ?? rawName), images),
    kind: kindPart ? capitalizeKind(kindPart) : null,
    namespace: row.namespace ?? /\(([^)]+)\)/.exec(rawName)?.[1] ?? null,
    desired,
    ready: ratio ? Number(ratio[1]) : count(row.ready),
    available: count(row.available),
    updated: count(row.uptodate),
    podLabels,
  }];
}

/** `deployment/name   2/3   image:tag   limits: memory 8Gi` lines without a header. */
function readKindLines(text: string): DeploymentRecord[] {
  return text.split(/\r?\n/).flatMap((line) => {
    const match = /^\s*(deployment|statefulset|daemonset)(?:\.apps)?\/([\w.-]+)\s+(\d+)\/(\d+)(?:\s+(\S+))?(.*)$/i.exec(line);
    if (!match) return [];
    const record = blank(match[2] ?? "", match[5] && /[:/]/.test(match[5]) ? [match[5]] : []);
    const memory = /limits?:?\s*(?:memory[:=]?\s*)(\d+(?:\.\d+)?\s*[KMGT]i?)/i.exec(match[6] ?? "")?.[1] ?? null;
    return [{ ...record, kind: capitalizeKind(match[1] ?? ""), ready: Number(match[3]), desired: Number(match[4]), limits: { cpu: null, memory } }];
  });
}

/** `kubectl describe deployment`: `Replicas: 4 desired | 2 updated | 4 total | 4 available | 0 unavailable`, images, limits, env, revision. */
function readDescribe(text: string): DeploymentRecord[] {
  const blocks = text.split(/^(?=Name:\s)/m).filter((b) => /^Name:\s/.test(b) && /^Replicas:\s/m.test(b));
  return blocks.map((block) => {
    const field = (name: string) => new RegExp(`^\\s*${name}:[ \\t]*(.+)$`, "mi").exec(block)?.[1]?.trim() ?? null;
    const replicas = field("Replicas") ?? "";
    const part = (word: string) => count(new RegExp(`(\\d+)\\s+${word}`).exec(replicas)?.[1]);
    const images = [...block.matchAll(/^\s*Image:\s*(\S+)/gim)].map((m) => m[1] ?? "");
    const limitsLine = /^\s*Limits:[ \t]*(.*)$/im.exec(block)?.[1] ?? "";
    const limitsBlock = limitsLine.trim() === "" ? (/^\s*Limits:\s*\n((?:\s{6,}\w+:.*\n?)+)/im.exec(block)?.[1] ?? "") : limitsLine;
    const requestsLine = /^\s*Requests:[ \t]*(.*)$/im.exec(block)?.[1] ?? "";
    const requestsBlock = requestsLine.trim() === "" ? (/^\s*Requests:\s*\n((?:\s{6,}\w+:.*\n?)+)/im.exec(block)?.[1] ?? "") : requestsLine;
    const env = Object.fromEntries([...(/^\s*Environment:\s*\n((?:\s{6,}\S+:.*\n?)+)/im.exec(block)?.[1] ?? "").matchAll(/^\s*([\w.-]+):\s*(.*)$/gm)].map((m) => [m[1] ?? "", (m[2] ?? "").trim()]));
    const revision = /deployment\.kubernetes\.io\/revision:\s*(\S+)/.exec(block)?.[1] ?? null;
    const conditions = [...(/^Conditions:\s*\n\s*Type\s+Status\s+Reason\s*\n\s*-+.*\n((?:\s+\S+\s+\S+\s+\S+.*\n?)+)/m.exec(block)?.[1] ?? "").matchAll(/^\s+(\S+)\s+(\S+)\s+(\S+)/gm)].map((m) => ({ type: m[1] ?? "", status: m[2] ?? "", reason: m[3] ?? null, message: null }));
    const oldImage = /^OldReplicaSets:.*\bimage\s+(\S+)/m.exec(block)?.[1] ?? null;
    return {
      ...blank(field("Name") ?? "", unique(images)),
      kind: "Deployment",
      namespace: field("Namespace"),
      desired: part("desired"),
      ready: part("available"),
      available: part("available"),
      updated: part("updated"),
      revision,
      changeCause: /kubernetes\.io\/change-cause:\s*(.+)$/m.exec(block)?.[1]?.trim() ?? null,
      previousImage: oldImage,
      limits: resourcesIn(limitsBlock),
      requests: resourcesIn(requestsBlock),
      env,
      conditions,
    };
  });
}

/** `cpu: 4, memory: 8Gi` or one `cpu: 4` per line. */
function resourcesIn(text: string): ResourceSpec {
  return { cpu: /\bcpu:\s*([\w.]+)/i.exec(text)?.[1] ?? null, memory: /\bmemory:\s*([\w.]+)/i.exec(text)?.[1] ?? null };
}

function blank(name: string, images: string[]): DeploymentRecord {
  return {
    name, kind: null, namespace: null, desired: null, ready: null, available: null, updated: null, changeCause: null, podLabels: null, revision: null,
    images, previousImage: null, containers: images.map((image) => ({ name: null, image, limits: emptyResources(), requests: emptyResources(), env: {} })),
    limits: emptyResources(), requests: emptyResources(), env: {}, conditions: [], history: [], lastChange: null,
  };
}

function emptyResources(): ResourceSpec {
  return { cpu: null, memory: null };
}

/** A count: a number or an all-digit string; never a time like `2024-12-01T09:30:00Z`, a boolean, or a ratio. */
function count(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && /^\s*\d[\d,]*\s*$/.test(value)) return toNumber(value);
  return null;
}

function ratioOf(value: unknown): [number, number] | null {
  const match = typeof value === "string" ? RATIO.exec(value) : null;
  return match ? [Number(match[1]), Number(match[2])] : null;
}

function annotation(annotations: Record<string, unknown>, suffix: string): string | null {
  const entry = Object.entries(annotations).find(([key, value]) => key.endsWith(suffix) && (typeof value === "string" || typeof value === "number"));
  return entry ? String(entry[1]) : null;
}

function asObject(value: unknown): JsonObject | null {
  return isObject(value) ? value : null;
}

function stringList(value: unknown): string[] {
  return value === undefined ? [] : collectStrings(value);
}

function unique(values: (string | null | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v !== ""))];
}

function timeLike(value: string | null): string | null {
  return value && /\d{4}-\d{2}-\d{2}|\bago\b/.test(value) ? value : null;
}

function labelsOf(selector: string): Record<string, string> {
  return Object.fromEntries(selector.split(",").map((pair) => pair.split("=") as [string, string]));
}

function stripNamespace(name: string): string {
  return name.replace(/\s*\([^)]*\)\s*$/, "").trim();
}

function capitalizeKind(kind: string): string {
  const lower = kind.toLowerCase();
  return lower === "statefulset" ? "StatefulSet" : lower === "daemonset" ? "DaemonSet" : lower === "deployment" ? "Deployment" : kind;
}

/** The same workload read twice (a table and a describe of it) is one. */
function dedupe(records: DeploymentRecord[]): DeploymentRecord[] {
  const seen = new Map<string, DeploymentRecord>();
  for (const record of records) if (!seen.has(record.name)) seen.set(record.name, record);
  return [...seen.values()];
}

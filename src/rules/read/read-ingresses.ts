import { parseTables } from "./parse-table.ts";
import { asText, collectStrings, isObject, objectName, normalizeKey, readKey, readString, walkObjects, type JsonObject } from "./walk-json.ts";

export interface IngressRecord {
  name: string;
  hosts: string[];
  /** The external load-balancer address; null when none was ever assigned. */
  address: string | null;
  /** The backend Service, when the output names it. */
  service: string | null;
  /** Ready endpoints behind the backend; 0 when listed empty, null when the output does not say. */
  endpoints: number | null;
  /** The backend Service's selector, when shown (`app=x`, `tier=api`). */
  selector: Record<string, string> | null;
  namespace?: string | null;
  /** The ingress class (nginx, alb, ...): which controller should have built it. */
  className?: string | null;
  /** True when it terminates TLS (a `tls` section, or port 443 in the table). */
  tls?: boolean | null;
  /** Each path's backend: the Service and the port it names (a name such as `http`, or a number). */
  backends?: IngressBackend[];
  /** Its annotations (auth, health-check path, change notes), when the output shows them. */
  annotations?: Record<string, string>;
}

export interface IngressBackend {
  path: string | null;
  service: string;
  /** As the ingress names it: a port name (`http`) or a number (`8080`); null when it does not say. */
  port: string | null;
  /** Endpoints `describe` lists for it; 0 for `<none>`, null when not shown. */
  endpoints: number | null;
  /** What `describe` prints in its place, verbatim (`<error: endpoints "x" not found>`), when it is not a list. */
  endpointsNote?: string;
}

const INGRESS_KEYS = ["rules", "hosts", "host", "address", "addresses", "loadbalancer", "externaladdress", "externalip", "spec", "status"];
const CERTIFICATE_KEYS = new Set(["lastfailure", "notafter", "issuerref", "failedattempts", "renewaltime", "dnsnames"]);
/** Keys that carry the load balancer's address (never `host`, which is the domain served). */
const ADDRESS_KEYS = new Set(["address", "addresses", "ip", "hostname", "externalip", "externalips", "externaladdress", "lb", "lbip", "lbhostname", "lbaddress", "loadbalancer", "loadbalancerip", "loadbalancerhostname", "loadbalanceraddress"]);

/** Ingresses from JSON (kubectl or simplified), a `kubectl get ingress` table, or `describe` text. */
export function extractIngresses(data: unknown, raw: string): IngressRecord[] {
  const text = asText(raw);
  const ingresses: IngressRecord[] = [];
  walkObjects(data, (object) => {
    const ingress = readIngressObject(object);
    if (ingress) ingresses.push(ingress);
    return ingress !== null;
  });
  if (ingresses.length > 0) return ingresses;
  const rows = parseTables(text).filter((row) => row.name && ("address" in row || "hosts" in row));
  if (rows.length > 0) {
    return rows.map((row) => ({
      name: stripKind(row.name ?? ""),
      hosts: splitHosts(row.hosts ?? ""),
      address: presentAddress(row.address),
      ...readBackendText(text),
      namespace: row.namespace ?? null,
      className: present(row.class),
      tls: row.ports === undefined ? null : /\b443\b/.test(row.ports),
    }));
  }
  return readDescribeText(text);
}

function readIngressObject(object: JsonObject): IngressRecord | null {
  const metadata = readKey(object, "metadata");
  const name = objectName(object, "name", "ingressName", "ingress");
  if (!name || !Object.keys(object).some((key) => INGRESS_KEYS.includes(normalizeKey(key)))) return null;
  const kind = readString(object, "kind");
  if (kind && kind !== "Ingress") return null;
  // cert-manager objects listed beside ingresses carry a name and a status too.
  if (/certificate|order|challenge/i.test(readString(object, "kind") ?? "") || Object.keys(object).some((key) => CERTIFICATE_KEYS.has(normalizeKey(key)))) return null;
  const hosts = new Set<string>();
  const addresses: string[] = [];
  walkObjects(object, (child) => {
    for (const [key, value] of Object.entries(child)) {
      const k = normalizeKey(key);
      if (k === "host" || k === "hosts") collectStrings(value).flatMap(splitHosts).forEach((h) => hosts.add(h));
      else if (ADDRESS_KEYS.has(k)) addresses.push(...collectStrings(value).map((a) => a.trim()).filter((a) => presentAddress(a)));
    }
    return false;
  });
  const spec = readKey(object, "spec");
  const tls = readKey(object, "tls") ?? (isObject(spec) ? readKey(spec, "tls") : undefined);
  return {
    name,
    hosts: [...hosts],
    address: addresses[0] ?? null,
    ...readBackendObject(object),
    namespace: readString(object, "namespace", "ns") ?? (isObject(metadata) ? readString(metadata, "namespace") : null),
    className: readString(object, "ingressClassName", "class", "className") ?? (isObject(spec) ? readString(spec, "ingressClassName") : null),
    tls: tls === undefined || tls === null ? null : tls === false ? false : !(Array.isArray(tls) && tls.length === 0),
    backends: readBackendsObject(object),
    ...readAnnotations(readKey(object, "annotations") ?? (isObject(metadata) ? readKey(metadata, "annotations") : undefined)),
  };
}

/** `paths[].backend.service.{name, port.{number|name}}`, the old `serviceName`/`servicePort`, or simplified `{path, service, port}`. */
function readBackendsObject(object: JsonObject): IngressBackend[] {
  const backends: IngressBackend[] = [];
  walkObjects(object, (child) => {
    const backend = readKey(child, "backend");
    const holder = isObject(backend) ? backend : child;
    const service = readKey(holder, "service");
    const name = isObject(service) ? readString(service, "name") : typeof service === "string" ? service : readString(holder, "serviceName");
    if (!name) return false;
    const port = isObject(service) ? readKey(service, "port") : readKey(holder, "port", "servicePort");
    const named = isObject(port) ? readString(port, "name", "number") : typeof port === "string" || typeof port === "number" ? String(port) : null;
    backends.push({ path: readString(child, "path"), service: name, port: named, endpoints: null });
    return true;
  });
  return backends;
}

function readAnnotations(value: unknown): Pick<IngressRecord, "annotations"> {
  if (!isObject(value)) return {};
  const annotations = Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  return Object.keys(annotations).length > 0 ? { annotations } : {};
}

function readBackendObject(object: JsonObject): Pick<IngressRecord, "service" | "endpoints" | "selector"> {
  let service: string | null = null;
  let endpoints: number | null = null;
  let selector: Record<string, string> | null = null;
  walkObjects(object, (child) => {
    for (const [key, value] of Object.entries(child)) {
      const k = normalizeKey(key);
      if (k === "service" || k === "servicename") service ??= typeof value === "string" ? value : isObject(value) ? readString(value, "name") : null;
      else if (k === "endpoints" || k === "readyendpoints") endpoints ??= Array.isArray(value) ? value.length : typeof value === "string" ? countEndpoints(value) : typeof value === "number" ? value : null;
      else if ((k === "serviceselector" || k === "selector") && isObject(value)) selector ??= toLabels(value);
    }
    return false;
  });
  return { service, endpoints, selector };
}

/** `describe` text: `conductor-server:8080 (<none>)` backends, or a Service's `Selector:`/`Endpoints:` lines. */
function readBackendText(text: string): Pick<IngressRecord, "service" | "endpoints" | "selector"> {
  const backend = /^\s*(?:\S+\s+)?\/\S*\s+([a-z0-9][-a-z0-9.]*):[^\s(]+(?:\s+\(([^)]*)\))?/im.exec(text);
  const endpointsLine = /^\s*Endpoints:[ \t]*(.*)$/im.exec(text)?.[1];
  const selectorLine = /^\s*Selector:[ \t]*(\S+=\S*)\s*$/im.exec(text)?.[1];
  const listed = backend?.[2] ?? endpointsLine;
  return {
    service: backend?.[1] ?? null,
    endpoints: listed === undefined ? null : countEndpoints(listed),
    selector: selectorLine ? Object.fromEntries(selectorLine.split(",").map((pair) => pair.split("=") as [string, string])) : null,
  };
}

function countEndpoints(listed: string): number {
  const trimmed = listed.trim();
  return trimmed === "" || /^<(none|error)/i.test(trimmed) || /not found/i.test(trimmed) ? 0 : trimmed.split(",").length;
}

function toLabels(value: JsonObject): Record<string, string> {
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
}

function splitHosts(value: string): string[] {
  return value.split(/[\s,]+/).filter((host) => host !== "" && host !== "*");
}

/** `ingress.networking.k8s.io/conductor` → `conductor`. */
function stripKind(name: string): string {
  return name.replace(/^[\w.-]+\//, "");
}

function present(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" || /^<none>$/i.test(trimmed) ? null : trimmed;
}

function presentAddress(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" || /^(<none>|<pending>|none|pending|-|null)$/i.test(trimmed) ? null : trimmed;
}

function readDescribeText(text: string): IngressRecord[] {
  const name = /^\s*Name:\s*(\S+)/m.exec(text)?.[1];
  if (!name) return [];
  const address = /^\s*Address:[ \t]*(.*)$/m.exec(text)?.[1];
  const hosts = [...text.matchAll(/^\s*([a-z0-9-]+(?:\.[a-z0-9-]+)+)\s+\/\S*/gim)].map((m) => m[1] ?? "");
  const namespace = /^\s*Namespace:\s*(\S+)/m.exec(text)?.[1] ?? null;
  const className = present(/^\s*(?:Ingress )?Class:\s*(\S+)/m.exec(text)?.[1]);
  const tls = /^\s*TLS:\s*\n?\s*(\S.*)$/m.exec(text)?.[1];
  return [{ name, hosts, address: presentAddress(address), ...readBackendText(text), namespace, className, tls: tls === undefined ? null : !/^<none>/i.test(tls.trim()), backends: readBackendsText(text) }];
}

/** `describe` rules: `/api   conductor-server:http (<none>)`, one line per path. */
function readBackendsText(text: string): IngressBackend[] {
  return [...text.matchAll(/^\s*(?:\S+\s+)?(\/\S*)\s+([a-z0-9][-a-z0-9.]*):([\w-]+)(?:\s+\(([^)]*)\))?\s*$/gim)].map((m) => ({
    path: m[1] ?? null,
    service: m[2] ?? "",
    port: m[3] ?? null,
    endpoints: m[4] === undefined ? null : countEndpoints(m[4]),
    ...(m[4] && /^<error/i.test(m[4].trim()) ? { endpointsNote: m[4].trim() } : {}),
  }));
}

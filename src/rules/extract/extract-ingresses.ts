import { parseTables } from "./parse-table.ts";
import { collectStrings, isObject, normalizeKey, readKey, readString, walkObjects, type JsonObject } from "./walk-json.ts";

export interface IngressRecord {
  name: string;
  hosts: string[];
  /** The external load-balancer address; null when none was ever assigned. */
  address: string | null;
}

const INGRESS_KEYS = ["rules", "hosts", "host", "address", "addresses", "loadbalancer", "externaladdress", "externalip", "spec", "status"];
/** Keys that carry the load balancer's address (never `host`, which is the domain served). */
const ADDRESS_KEYS = new Set(["address", "addresses", "ip", "hostname", "externalip", "externalips", "externaladdress", "lbaddress", "loadbalancer"]);

/** Ingresses from JSON (kubectl or simplified), a `kubectl get ingress` table, or `describe` text. */
export function extractIngresses(data: unknown, text: string): IngressRecord[] {
  const ingresses: IngressRecord[] = [];
  walkObjects(data, (object) => {
    const ingress = readIngressObject(object);
    if (ingress) ingresses.push(ingress);
    return ingress !== null;
  });
  if (ingresses.length > 0) return ingresses;
  const rows = parseTables(text).filter((row) => row.name && ("address" in row || "hosts" in row));
  if (rows.length > 0) {
    return rows.map((row) => ({ name: row.name ?? "", hosts: splitHosts(row.hosts ?? ""), address: presentAddress(row.address) }));
  }
  return readDescribeText(text);
}

function readIngressObject(object: JsonObject): IngressRecord | null {
  const metadata = readKey(object, "metadata");
  const name = readString(object, "name", "ingressName") ?? (isObject(metadata) ? readString(metadata, "name") : null);
  if (!name || !Object.keys(object).some((key) => INGRESS_KEYS.includes(normalizeKey(key)))) return null;
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
  return { name, hosts: [...hosts], address: addresses[0] ?? null };
}

function splitHosts(value: string): string[] {
  return value.split(/[\s,]+/).filter((host) => host !== "" && host !== "*");
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
  return [{ name, hosts, address: presentAddress(address) }];
}

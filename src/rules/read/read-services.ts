import { asText, isObject, objectName, readKey, readString, walkObjects, type JsonObject } from "./walk-json.ts";

/** One port of a Service: what an Ingress backend or a client names (by `name` or by `port` number). */
export interface ServicePort {
  name: string | null;
  port: number;
  targetPort: string | null;
}

export interface ServiceRecord {
  name: string;
  ports: ServicePort[];
}

/**
 * Services and their ports from JSON (`kind: Service`, `ServiceList`, simplified `{name, ports}`),
 * YAML-like text (`- name: x` … `ports:` … `- name: http` / `port: 8080`), and `kubectl describe
 * service` (`Port: http 8080/TCP`). A container's `ports` (`containerPort`) are not a Service's.
 */
export function extractServices(data: unknown, raw: string): ServiceRecord[] {
  const services: ServiceRecord[] = [];
  walkObjects(data, (object) => {
    const service = readServiceObject(object);
    if (service) services.push(service);
    return service !== null;
  });
  const text = asText(raw);
  const seen = new Set(services.map((s) => s.name));
  for (const service of [...readYamlLike(text), ...readDescribe(text)]) {
    if (!seen.has(service.name)) services.push(service);
    seen.add(service.name);
  }
  return services;
}

function readServiceObject(object: JsonObject): ServiceRecord | null {
  const kind = readString(object, "kind");
  if (kind && kind !== "Service") return null;
  const spec = readKey(object, "spec");
  const name = objectName(object, "name", "service", "serviceName");
  const list = readKey(object, "ports") ?? (isObject(spec) ? readKey(spec, "ports") : undefined);
  if (!name || !Array.isArray(list)) return null;
  const ports = list.filter(isObject).flatMap((item) => {
    const port = Number(readString(item, "port"));
    return Number.isInteger(port) && port > 0 ? [{ name: readString(item, "name"), port, targetPort: readString(item, "targetPort") }] : [];
  });
  return ports.length > 0 || kind === "Service" ? { name, ports } : null;
}

const INDENT = (line: string) => /^\s*/.exec(line)?.[0].length ?? 0;

/** `- name: svc` then, at the same key indent, `ports:` and its items (block or `{name: x, port: n}` flow style). */
function readYamlLike(text: string): ServiceRecord[] {
  const lines = text.split(/\r?\n/);
  const services: ServiceRecord[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const head = /^(\s*)(-\s+)?name:\s*["']?([a-z0-9][-a-z0-9.]*)["']?\s*$/.exec(lines[i] ?? "");
    if (!head) continue;
    const keyIndent = (head[1]?.length ?? 0) + (head[2]?.length ?? 0);
    let j = i + 1;
    let portsAt = -1;
    for (; j < lines.length; j += 1) {
      const line = lines[j] ?? "";
      if (line.trim() === "") continue;
      if (INDENT(line) < keyIndent || (INDENT(line) === keyIndent && /^\s*-\s/.test(line))) break;
      if (INDENT(line) === keyIndent && /^\s*ports:\s*$/.test(line)) {
        portsAt = j;
        break;
      }
    }
    if (portsAt < 0) continue;
    const ports: ServicePort[] = [];
    let current: { name: string | null; port: number | null; targetPort: string | null } | null = null;
    const flush = () => {
      if (current?.port) ports.push({ name: current.name, port: current.port, targetPort: current.targetPort });
      current = null;
    };
    let k = portsAt + 1;
    for (; k < lines.length; k += 1) {
      const line = lines[k] ?? "";
      if (line.trim() === "") continue;
      // Items of `ports:` sit at its indent (`- name`) or deeper; anything else ends the list.
      if (INDENT(line) < keyIndent || (INDENT(line) === keyIndent && !/^\s*-\s/.test(line))) break;
      const item = /^\s*-\s+(.*)$/.exec(line);
      if (item) flush();
      const body = item?.[1] ?? line.trim();
      current ??= { name: null, port: null, targetPort: null };
      for (const [, key, value] of body.replace(/^\{|\}$/g, "").matchAll(/(\w+):\s*["']?([\w.-]+)["']?/g)) {
        if (key === "name") current.name = value ?? null;
        else if (key === "port") current.port = Number(value);
        else if (key === "targetPort") current.targetPort = value ?? null;
      }
    }
    flush();
    if (ports.length > 0) services.push({ name: head[3] ?? "", ports });
    i = k - 1;
  }
  return services;
}

/** `kubectl describe service`: `Name:` then `Port: <name> 8080/TCP` lines. */
function readDescribe(text: string): ServiceRecord[] {
  return text
    .split(/^(?=Name:\s)/m)
    .filter((block) => /^Name:\s/.test(block) && /^(TargetPort|Selector|Type):/m.test(block))
    .flatMap((block) => {
      const name = /^Name:\s*(\S+)/.exec(block)?.[1];
      const ports = [...block.matchAll(/^Port:\s+(?:(\S+)\s+)?(\d+)\/\w+/gm)].map((m) => ({ name: m[1] && m[1] !== "<unset>" ? m[1] : null, port: Number(m[2]), targetPort: null }));
      return name && ports.length > 0 ? [{ name, ports }] : [];
    });
}

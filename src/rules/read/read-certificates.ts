import { parseTables } from "./parse-table.ts";
import { asText, isObject, objectName, normalizeKey, readKey, readString, toNumber, walkObjects, type JsonObject } from "./walk-json.ts";

export interface CertificateRecord {
  name: string;
  /** null when the output does not say. */
  ready: boolean | null;
  /** The last renewal failure or not-ready message (an ACME challenge error, say). */
  failure: string | null;
  failedAttempts: number | null;
  /** When the current certificate expires and when renewal is due, as written. */
  notAfter?: string | null;
  renewalTime?: string | null;
  issuer?: string | null;
  /** The Secret it writes (spec.secretName) and the hosts it covers (spec.dnsNames), when listed. */
  secretName?: string | null;
  dnsNames?: string[];
}

/** cert-manager Certificates: listed in JSON (kubectl or simplified), a `kubectl get certificate` table, or `describe` text. */
export function extractCertificates(data: unknown, text: string): CertificateRecord[] {
  const certificates: CertificateRecord[] = [];
  walkObjects(data, (object) => {
    const listed = readKey(object, "certificates");
    if (Array.isArray(listed)) listed.filter(isObject).forEach((item) => pushRecord(certificates, item));
    else if (/^certificate$/i.test(readString(object, "kind") ?? "")) pushRecord(certificates, object);
    return Array.isArray(listed);
  });
  if (certificates.length > 0) return certificates;
  const source = asText(text);
  const rows = parseTables(source).filter((row) => row.name && "ready" in row && "secret" in row);
  const failure = readFailureText(source);
  const notAfter = /^\s*Not After:\s*(\S+)/m.exec(source)?.[1] ?? null;
  const renewalTime = /^\s*Renewal Time:\s*(\S+)/m.exec(source)?.[1] ?? null;
  return rows.map((row) => {
    const ready = readBool(row.ready);
    // `Ready True` with an `Issuing` renewal that fails is still a failure worth naming.
    return { name: (row.name ?? "").replace(/^[\w.-]+\//, ""), ready, failure: ready === false || /Issuing\s+True/.test(source) ? failure : null, failedAttempts: null, notAfter, renewalTime, issuer: row.issuer ?? null };
  });
}

/** What a cert-manager object (Certificate, Issuer) says of itself: its name, status and Ready condition. */
function readyHead(object: JsonObject): { name: string; status: unknown; condition: JsonObject | undefined; ready: boolean | null } | null {
  const name = objectName(object);
  if (!name) return null;
  const status = readKey(object, "status");
  const condition = isObject(status) && Array.isArray(status.conditions) ? status.conditions.filter(isObject).find((c) => readString(c, "type") === "Ready") : undefined;
  return { name, status, condition, ready: readBool(readKey(object, "ready")) ?? (condition ? readBool(readString(condition, "status")) : null) };
}

function pushRecord(out: CertificateRecord[], object: JsonObject): void {
  const head = readyHead(object);
  if (!head) return;
  const { name, status, condition, ready } = head;
  const failure =
    readString(object, "lastFailure", "lastFailureMessage", "failure") ??
    (isObject(status) ? readString(status, "lastFailure", "lastFailureMessage") : null) ??
    (ready === false ? (readString(object, "message") ?? (condition ? readString(condition, "message") : null)) : null);
  const attempts = toNumber(readKey(object, "failedAttempts", "failedIssuanceAttempts")) ?? (isObject(status) ? toNumber(readKey(status, "failedIssuanceAttempts")) : null);
  const spec = readKey(object, "spec");
  const issuerRef = readKey(object, "issuerRef") ?? (isObject(spec) ? readKey(spec, "issuerRef") : undefined);
  const secretName = readString(object, "secretName") ?? (isObject(spec) ? readString(spec, "secretName") : null);
  const dnsNames = [readKey(object, "dnsNames"), isObject(spec) ? readKey(spec, "dnsNames") : undefined].flatMap((v) => (Array.isArray(v) ? v.filter((h): h is string => typeof h === "string") : []));
  out.push({
    name,
    ready,
    failure,
    failedAttempts: attempts,
    notAfter: readString(object, "notAfter", "expires", "expiry") ?? (isObject(status) ? readString(status, "notAfter") : null),
    renewalTime: readString(object, "renewalTime") ?? (isObject(status) ? readString(status, "renewalTime") : null),
    issuer: readString(object, "issuer") ?? (isObject(issuerRef) ? readString(issuerRef, "name") : null),
    ...(secretName ? { secretName } : {}),
    ...(dnsNames.length > 0 ? { dnsNames } : {}),
  });
}

/** The first line of `describe` output that reads like a challenge/order failure. */
function readFailureText(text: string): string | null {
  const line = text.split(/\r?\n/).find((l) => /(challenge|acme|order|issuing)/i.test(l) && /(fail|wrong|error|invalid|waiting|denied|refused|timeout)/i.test(l));
  return line ? line.replace(/^\s*(Reason|Message|Status):\s*/i, "").trim() : null;
}

function readBool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return null;
  const k = normalizeKey(value);
  return k === "true" ? true : k === "false" ? false : null;
}

/** A cert-manager Issuer or ClusterIssuer and whether it can sign: its own Ready condition and why not. */
export interface IssuerRecord {
  name: string;
  kind: "ClusterIssuer" | "Issuer";
  ready: boolean | null;
  reason: string | null;
  message: string | null;
  /** The Secret holding its ACME account key (`privateKeySecretRef`), when the output names it. */
  secretRef: string | null;
}

/** Issuers from JSON of any shape (`kind: ClusterIssuer|Issuer` objects, `clusterIssuers` / `issuers` lists) or `kubectl describe` text. */
export function extractIssuers(data: unknown, text = ""): IssuerRecord[] {
  const issuers: IssuerRecord[] = [];
  if (typeof data === "string" || data === null || data === undefined) return readDescribedIssuers(asText(text || data));
  walkObjects(data, (object) => {
    let claimed = false;
    for (const [key, kind] of [["clusterIssuers", "ClusterIssuer"], ["issuers", "Issuer"]] as const) {
      const listed = readKey(object, key);
      if (!Array.isArray(listed)) continue;
      listed.filter(isObject).forEach((item) => pushIssuer(issuers, item, kind));
      claimed = true;
    }
    const kind = /^(cluster)?issuer$/i.exec(readString(object, "kind") ?? "");
    if (kind) pushIssuer(issuers, object, kind[1] ? "ClusterIssuer" : "Issuer");
    return claimed || kind !== null;
  });
  return issuers;
}

function pushIssuer(out: IssuerRecord[], object: JsonObject, kind: IssuerRecord["kind"]): void {
  const head = readyHead(object);
  if (!head) return;
  const { name, condition, ready } = head;
  const spec = readKey(object, "spec");
  const acme = isObject(spec) ? readKey(spec, "acme") : undefined;
  const ref = readKey(object, "privateKeySecretRef") ?? (isObject(acme) ? readKey(acme, "privateKeySecretRef") : undefined);
  out.push({
    name,
    kind,
    ready,
    reason: readString(object, "reason") ?? (condition ? readString(condition, "reason") : null),
    message: readString(object, "message") ?? (condition ? readString(condition, "message") : null),
    secretRef: typeof ref === "string" ? ref : isObject(ref) ? readString(ref, "name") : null,
  });
}

/** `kubectl describe clusterissuer`: Name, Kind, the Ready condition's Message/Reason/Status, the account key Secret's name. */
function readDescribedIssuers(text: string): IssuerRecord[] {
  return text.split(/^(?=Name:\s)/m).flatMap((block) => {
    const name = /^Name:\s*(\S+)/m.exec(block)?.[1];
    const kind = /^Kind:\s*((?:Cluster)?Issuer)\s*$/m.exec(block)?.[1] as IssuerRecord["kind"] | undefined;
    if (!name || !kind) return [];
    const condition = /Conditions:[\s\S]*$/.exec(block)?.[0] ?? "";
    const field = (label: string) => new RegExp(`^\\s*${label}:\\s*(.+?)\\s*$`, "m").exec(condition)?.[1] ?? null;
    const secret = /Private Key Secret Ref:\s*\n\s*(?:Key:.*\n\s*)?Name:\s*(\S+)/.exec(block)?.[1] ?? null;
    return [{ name, kind, ready: readBool(field("Status")), reason: field("Reason"), message: field("Message"), secretRef: secret }];
  });
}

import { extractPods } from "../../read/read-pods.ts";
import { isObject, parseAge, readKey, readString, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { hasIssue, logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/** A policy younger than this is a recent change, worth naming when DNS just broke. */
const RECENT_SECONDS = 7 * 24 * 3600;

/**
 * NetworkPolicies listed in an output (`kubectl get networkpolicy`, and a policy's spec): one that
 * restricts egress and allows no port 53 cuts pods off from DNS.
 */
export const analyzeNetworkPolicies: Analyzer = {
  name: "network policies",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    analyzeBlockedPorts(evidence, analysis);
    if (!hasIssue(evidence, "DNS_HEALTHY", "DOMAIN_REACHABILITY", "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", "CONDUCTOR_HEALTHY")) return analysis;
    for (const result of evidence.results.filter((r) => r.status === "ok" && /networkpolic/i.test(r.text))) {
      for (const policy of listPolicies(result.text)) {
        const spec = specOf(result.text, policy.name);
        if (!spec || !/\bEgress\b/.test(spec) || /\bport:\s*53\b|\b53\/(UDP|TCP)\b/i.test(spec)) continue;
        const age = policy.age !== null && policy.age <= RECENT_SECONDS ? ` (created ${policy.ageText} ago)` : "";
        analysis.findings.push({ text: `networkpolicy ${policy.name}, age ${policy.ageText}: policyTypes Egress`, note: "no egress rule allows port 53 (DNS)", tool: result.tool, weight: 0.85, key: "netpol-egress" });
        analysis.candidates.push({
          key: "netpol-egress",
          cause: `NetworkPolicy ${policy.name}${age} restricts egress of the pods it selects and allows no port 53, so their DNS lookups to kube-dns (UDP/TCP 53) time out while CoreDNS itself is healthy`,
          fact: `NetworkPolicy ${policy.name}: egress without port 53`,
          weight: age ? 0.88 : 0.75,
          appOrInfra: "infra",
          nextStep: `Add an egress rule to ${policy.name} allowing UDP and TCP 53 to kube-dns (namespace kube-system), or roll the policy back; lookups recover at once`,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

function listPolicies(text: string): { name: string; age: number | null; ageText: string }[] {
  const table = /kubectl get networkpolic\w*[^\n]*\n\s*NAME\s+POD-SELECTOR\s+AGE\s*\n((?:[^\n#]+\n?)+)/i.exec(text)?.[1] ?? "";
  return table.split("\n").flatMap((line) => {
    const cells = line.trim().split(/\s{2,}|\s+(?=\S+$)/);
    const name = cells[0];
    const ageText = cells.at(-1) ?? "";
    return name && /^[a-z0-9][-a-z0-9.]*$/.test(name) ? [{ name, age: parseAge(ageText), ageText }] : [];
  });
}

/** The spec printed after `networkpolicy <name> … -o yaml`, up to the next command. */
function specOf(text: string, name: string): string | null {
  const at = text.search(new RegExp(`networkpolic\\w*\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b[^\\n]*-o yaml`, "i"));
  if (at === -1) return null;
  const rest = text.slice(at);
  const end = rest.indexOf("\n# ", 1);
  return end === -1 ? rest : rest.slice(0, end);
}

/** `connect ETIMEDOUT 172.20.91.40:8080`, `Connection refused: conductor:8080`: a connection that failed, and its port. */
const FAILED_CONNECT = /\b(?:ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH|timed out|refused)\b\D{0,40}?\b(?:\d{1,3}(?:\.\d{1,3}){3}|[a-z][\w.-]*):(\d{2,5})\b/i;

interface EgressPolicy {
  name: string;
  namespace: string | null;
  created: string | null;
  /** Ports its egress rules allow (`53/UDP`); null: some rule allows every port. */
  ports: { port: number; protocol: string }[] | null;
}

/**
 * Pods whose connections to a port time out or are refused, in a namespace where a NetworkPolicy
 * restricts Egress and none of its rules allows that port: the policy drops them (the server is up).
 */
function analyzeBlockedPorts(evidence: Evidence, analysis: Analysis): void {
  const policies = evidence.results.filter((r) => r.status === "ok").flatMap((r) => egressPolicies(r.data).map((policy) => ({ policy, tool: r.tool })));
  if (policies.length === 0) return;
  const namespaces = new Map(resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text)).map((p) => [p.name, p.namespace ?? null] as const));
  const failing = new Map<string, { port: number; line: string; pods: Set<string> }>();
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const pod = podOf(result);
    const line = `${result.text}\n${logTextOf(result)}`.split(/\r?\n/).find((l) => FAILED_CONNECT.test(l));
    const port = line ? Number(FAILED_CONNECT.exec(line)?.[1]) : NaN;
    if (!pod || !line || !Number.isFinite(port)) continue;
    const namespace = namespaces.get(pod) ?? null;
    if (!namespace) continue;
    const key = `${namespace}:${port}`;
    const entry = failing.get(key) ?? { port, line: quoteConnect(line), pods: new Set<string>() };
    entry.pods.add(pod);
    failing.set(key, entry);
  }
  for (const [key, { port, line, pods }] of failing) {
    const namespace = key.slice(0, key.lastIndexOf(":"));
    const blocking = policies.find(({ policy }) => policy.namespace === namespace && policy.ports !== null && !policy.ports.some((p) => p.port === port && /^TCP$/i.test(p.protocol)));
    if (!blocking) continue;
    const { policy, tool } = blocking;
    const allowed = policy.ports?.length ? policy.ports.map((p) => `${p.port}/${p.protocol}`).join(", ") : "nothing";
    const created = policy.created ? ` (created ${policy.created})` : "";
    analysis.findings.push({ text: `${policy.name} (namespace ${namespace}): policyTypes Egress`, note: `a NetworkPolicy; egress allowed to ${allowed}: no rule allows TCP ${port}`, tool, weight: 0.85, key: "netpol-egress" });
    analysis.candidates.push({
      key: "netpol-egress",
      cause: `NetworkPolicy ${policy.name}${created} restricts egress of the pods in namespace ${namespace} to ${allowed}, so their connections to port ${port} are dropped: ${pods.size} pod${pods.size === 1 ? "" : "s"} log "${line}"`,
      fact: `NetworkPolicy ${policy.name} blocks egress to port ${port}`,
      weight: 0.9,
      appOrInfra: "infra",
      nextStep: `Add an egress rule to ${policy.name} allowing TCP ${port} to the server's namespace (or roll the change that created it back); the pods reconnect at once`,
      tool,
    });
  }
}

function quoteConnect(line: string): string {
  return /(?:connect\s+)?(?:ETIMEDOUT|ECONNREFUSED|EHOSTUNREACH)\s+[^\s"',}]+|[^"{}]*\b(?:timed out|refused)\b[^"{}]*/i.exec(line)?.[0]?.trim() ?? line.trim().slice(0, 160);
}

/** NetworkPolicies in JSON (kubectl's or simplified) that restrict Egress. */
function egressPolicies(data: unknown): EgressPolicy[] {
  const out: EgressPolicy[] = [];
  walkObjects(data, (object) => {
    const spec = isObject(object.spec) ? object.spec : object;
    const types = readKey(spec, "policyTypes");
    if (!Array.isArray(types) || !types.some((t) => t === "Egress")) return false;
    const metadata = isObject(object.metadata) ? object.metadata : object;
    const name = readString(metadata, "name");
    if (!name) return true;
    const rules = readKey(spec, "egress");
    const list = Array.isArray(rules) ? rules.filter(isObject) : [];
    const ports = list.some((rule) => !Array.isArray(rule.ports) || rule.ports.length === 0) ? null : list.flatMap((rule) => portsOf(rule));
    out.push({ name, namespace: readString(metadata, "namespace", "ns"), created: readString(metadata, "createdAt", "creationTimestamp"), ports });
    return true;
  });
  return out;
}

function portsOf(rule: JsonObject): { port: number; protocol: string }[] {
  return (rule.ports as unknown[]).filter(isObject).flatMap((p) => {
    const port = Number(readKey(p, "port"));
    return Number.isFinite(port) ? [{ port, protocol: readString(p, "protocol") ?? "TCP" }] : [];
  });
}

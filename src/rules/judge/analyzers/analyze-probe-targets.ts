import { extractEvents, type EventRecord } from "../../read/read-events.ts";
import { extractChanges } from "../../read/read-changes.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";
import { objectName, readKey, walkObjects } from "../../read/walk-json.ts";

/** `Liveness probe failed: Get "http://10.0.0.7:8081/health": dial tcp 10.0.0.7:8081: connect: connection refused`. */
const PROBE_FAILED = /\b(Liveness|Readiness|Startup) probe failed\b/i;
const REFUSED_PORT = /dial tcp [^\s:]+:(\d+): connect: connection refused/i;
const NOT_FOUND = /statuscode: 404\b/i;
/** An HTTPS probe on a plain-HTTP port, or the reverse. */
const WRONG_SCHEME = /server gave HTTP response to HTTPS client|first record does not look like a TLS handshake/i;
const LOOPBACK = /(?:127\.0\.0\.1|localhost|\[::1\]):\d{2,5}\b/i;

/** What a program says when it starts listening: Spring Boot/Tomcat/Netty/Jetty, Go, Node, nginx and friends. */
const LISTENING = [
  /\b(?:started|launched|initialized|running|serving|bound|up) (?:on|at) port\(?s?\)?:?\s*((?:\d+\s*(?:\([a-z0-9]+\))?\s*,?\s*)+)/i,
  /\blistening (?:on|at) (?:port\s+|[\w./[\]:-]*:)(\d{2,5})\b/i,
  /\bserver (?:started|running|listening) (?:on|at) [\w/:.[\]-]*:(\d{2,5})\b/i,
];

/**
 * A probe refused or answered 404 while the program runs: the probe points at a port or path the
 * container does not serve. With the port the program says it listens on, the probe's config is
 * the cause (not a slow start, not the app): quote both, and the workload's latest change.
 */
export const analyzeProbeTargets: Analyzer = {
  name: "probe targets",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const seen = new Set<string>();
    for (const result of resultsFor(evidence, "get_pod_events")) {
      const pod = podOf(result);
      const failed = extractEvents(result.data, result.text).filter((e) => PROBE_FAILED.test(e.message));
      const refused = failed.find((e) => REFUSED_PORT.test(e.message));
      const missing = failed.find((e) => NOT_FOUND.test(e.message) || WRONG_SCHEME.test(e.message));
      const subject = subjectOf(refused ?? missing, pod);
      if (!subject || seen.has(workloadOf(subject))) continue;
      if (refused) {
        const port = REFUSED_PORT.exec(refused.message)?.[1] as string;
        const listening = listeningPorts(evidence, subject) ?? declaredPorts(evidence, subject);
        if (listening === null) continue;
        const loopback = listening.loopback.includes(port) && !listening.open.includes(port);
        if (listening.ports.includes(port) && !loopback) continue;
        seen.add(workloadOf(subject));
        const probes = [...new Set(failed.filter((e) => REFUSED_PORT.exec(e.message)?.[1] === port).map((e) => PROBE_FAILED.exec(e.message)?.[1]?.toLowerCase()))].join(" and ");
        analysis.findings.push({ text: `${subject}: ${quote(refused.message)}`, tool: result.tool, weight: 0.85, key: "probe-target" });
        // A spec's name and its ports may sit far apart in the output: the declared port is quoted alone.
        analysis.findings.push({ text: listening.declared ? `declared ${quote(listening.line)}` : `${listening.pod}: ${quote(listening.line)}`, note: `the port${listening.ports.length > 1 ? "s" : ""} ${workloadOf(subject)} ${listening.declared ? "declares" : "listens on"}`, tool: listening.tool, weight: 0.7, key: "probe-target" });
        const change = latestChange(evidence, workloadOf(subject));
        analysis.candidates.push({
          key: "probe-target",
          cause: loopback
            ? `${subject}'s ${probes} probe${probes.includes(" and ") ? "s are" : " is"} refused on port ${port} (event ${refused.reason} ${quote(refused.message)}) because the program listens on the loopback address only (its logs: ${quote(listening.line)}): the kubelet probes the pod's IP, so it is never Ready and the liveness probe restarts it${change ? `; the workload's latest change: ${change}` : ""}`
            : `${subject}'s ${probes} probe${probes.includes(" and ") ? "s call" : " calls"} port ${port}, where nothing listens (event ${refused.reason} ${quote(refused.message)}), while ${listening.declared ? `its container declares only port ${listening.ports.join(", ")} (${quote(listening.line)})` : `the program serves port ${listening.ports.join(", ")} (its logs: ${quote(listening.line)})`}, so it is never Ready and the liveness probe restarts it${change ? `; the workload's latest change: ${change}` : ""}`,
          fact: loopback ? `${workloadOf(subject)} listens on loopback only (port ${port})` : `probes call port ${port}; ${workloadOf(subject)} listens on ${listening.ports.join(", ")}`,
          subject,
          // A declared port is the spec's intent, not proof of what listens (a slow start refuses too): not high on it alone.
          weight: listening.declared ? 0.7 : 0.85,
          appOrInfra: "app",
          nextStep: loopback
            ? `Make ${workloadOf(subject)} listen on 0.0.0.0 (its bind address setting), through the usual release; roll back the last change if it set it`
            : `Point ${workloadOf(subject)}'s liveness/readiness probes back at port ${listening.ports[0]} (or make the program serve ${port}), through the usual release; roll back the last change if it moved them`,
          tool: result.tool,
        });
      } else if (missing) {
        seen.add(workloadOf(subject));
        analysis.findings.push({ text: `${subject}: ${quote(missing.message)}`, tool: result.tool, weight: 0.75, key: "probe-target" });
        analysis.candidates.push({
          key: "probe-target",
          cause: WRONG_SCHEME.test(missing.message)
            ? `${subject}'s probe uses the wrong scheme for its port (HTTPS against plain HTTP, or the reverse: event ${missing.reason} ${quote(missing.message)}), so the probe fails however healthy it is`
            : `${subject}'s probe path is not served: the program answers it 404 (event ${missing.reason} ${quote(missing.message)}), so the probe fails however healthy it is`,
          fact: WRONG_SCHEME.test(missing.message) ? `probe scheme does not match ${subject}'s port` : `probe path answers 404 on ${subject}`,
          subject,
          weight: 0.75,
          appOrInfra: "app",
          nextStep: `Point ${workloadOf(subject)}'s probe at a path the program serves (its health endpoint), through the usual release`,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

function subjectOf(event: EventRecord | undefined, pod: string | null): string | null {
  if (!event) return null;
  return event.object && !/^nodes?\//i.test(event.object) ? event.object.replace(/^pods?\//, "") : pod;
}

/**
 * Every port the workload's own logs say it listens on (a management port logs its own line), with
 * the first line that says so; null when no log says.
 */
function listeningPorts(evidence: Evidence, pod: string): Listening | null {
  let found: Listening | null = null;
  for (const result of resultsFor(evidence, "pull_pod_logs")) {
    const logPod = podOf(result);
    if (!logPod || workloadOf(logPod) !== workloadOf(pod)) continue;
    for (const line of logTextOf(result).split(/\r?\n/)) {
      const ports = LISTENING.flatMap((pattern) => [...(pattern.exec(line)?.[1] ?? "").matchAll(/\d{2,5}/g)].map((m) => m[0]));
      if (ports.length === 0) continue;
      found ??= { pod: logPod, ports: [], line: line.trim(), tool: result.tool, declared: false, loopback: [], open: [] };
      if (LOOPBACK.test(line) && !LOOPBACK.test(found.line)) found.line = line.trim();
      found.ports.push(...ports.filter((port) => !found?.ports.includes(port)));
      // Bound to the loopback address only: reachable inside the container, refused on the pod's IP.
      if (LOOPBACK.test(line)) found.loopback.push(...ports);
      else found.open.push(...ports);
    }
  }
  return found;
}

interface Listening {
  pod: string;
  ports: string[];
  /** The line that shows them, verbatim. */
  line: string;
  tool: string;
  /** From the container's declared ports (the spec), not from what the program logged. */
  declared: boolean;
  /** Ports it listens on at 127.0.0.1/localhost only, and ports it listens on for every address. */
  loopback: string[];
  open: string[];
}

/**
 * The ports the pod's (or its workload's) containers declare, when no log says where the program
 * listens: `containerPort` in its JSON, `Port(s): 8080/TCP` in `describe`. A declared port is
 * what the image is built to serve; a probe on another one is refused.
 */
function declaredPorts(evidence: Evidence, pod: string): Listening | null {
  const workload = workloadOf(pod);
  for (const result of resultsFor(evidence, "get_pods_data", "get_pod_events", "get_deployments_info")) {
    const ports = new Set<string>();
    walkObjects(result.data, (object) => {
      const name = objectName(object, "name", "pod", "deployment");
      if (!name || (name !== pod && name !== workload)) return false;
      walkObjects(object, (child) => {
        const declared = readKey(child, "containerPort", "containerPorts");
        for (const value of Array.isArray(declared) ? declared : [declared]) if (typeof value === "number" || (typeof value === "string" && /^\d+$/.test(value))) ports.add(String(value));
        return false;
      });
      return true;
    });
    const text = typeof result.data === "string" ? result.data : "";
    const describesIt = new RegExp(`^Name:\\s+${pod.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`, "m").test(text);
    const lines = describesIt ? text.split(/\r?\n/).filter((line) => /^\s*(?:Host )?Ports?:\s+\d+\/(?:TCP|UDP)/i.test(line)) : [];
    for (const line of lines) for (const m of line.matchAll(/(\d+)\/(?:TCP|UDP)/gi)) ports.add(m[1] ?? "");
    if (ports.size === 0) continue;
    const line = lines[0]?.trim() ?? `containerPort: ${[...ports][0]}`;
    return { pod, ports: [...ports], line, tool: result.tool, declared: true, loopback: [], open: [...ports] };
  }
  return null;
}

function latestChange(evidence: Evidence, workload: string): string | null {
  for (const result of resultsFor(evidence, "get_deployments_info")) {
    const change = extractChanges(result.data, result.text).find((c) => c.workload === workload);
    if (change) return `${[change.revision ? `revision ${change.revision}` : null, change.time].filter(Boolean).join(" at ")} "${change.description}"`;
  }
  return null;
}

/** A line as written (its message after the logger, when it has one), short enough for an excerpt. */
function quote(line: string): string {
  const message = /\s:\s(.+)$/.exec(line)?.[1] ?? line;
  const flat = message.trim().replace(/\s+/g, " ");
  return `"${flat.length <= 150 ? flat : flat.slice(0, 150).replace(/\s+\S*$/, "")}"`;
}

import { extractEvents, type EventRecord } from "../../read/read-events.ts";
import { extractPods, type PodRecord } from "../../read/read-pods.ts";
import { formatNumber, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, CauseCandidate, RuleFinding } from "../../types.ts";
import { matchSignature, type K8sSignature } from "../../../playbook/k8s-signatures.ts";

/** Warning events (OOMKilled, CrashLoopBackOff, ImagePullBackOff, probes, scheduling, eviction). */
export const analyzePodEvents: Analyzer = {
  name: "pod events",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const running = runningPods(evidence);
    const newest = newestSeen(evidence);
    for (const result of resultsFor(evidence, "get_pod_events")) {
      const pod = podOf(result) ?? "the pod";
      // A pod whose containers have run on a node was scheduled: its FailedScheduling is history.
      const events = extractEvents(result.data, result.text).filter((e) => !(/^FailedScheduling$/i.test(e.reason) && running.has(eventPod(e) ?? pod)));
      if (events.length === 0) {
        analysis.findings.push({ text: `could not read any events for ${pod}`, tool: result.tool, weight: 0.1 });
        continue;
      }
      const groups = groupBySignature(events, newest);
      if (groups.length === 0) {
        const reasons = [...new Set(events.map((e) => e.reason))].slice(0, 4).join(", ");
        analysis.findings.push({ text: `${pod}: ${events.length} events, none a known failure (${reasons})`, tool: result.tool, weight: 0.2 });
        continue;
      }
      for (const { signature, events: matched } of groups) {
        // Pods the controller cannot create: the scale-up beside it in the same events says what asked for them.
        const context = signature.key === "quota" || signature.key === "create-failed" ? events.filter((e) => /^ScalingReplicaSet$/i.test(e.reason)).slice(0, 1) : [];
        const { finding, candidate } = describeGroup(signature, matched, pod, result.tool, context);
        if (signature.key === "crash") quoteLastWords(candidate, [...extractPods(result.data, result.text), ...listed(evidence)], matched);
        analysis.findings.push(finding);
        analysis.candidates.push(candidate);
      }
    }
    return analysis;
  },
};

function listed(evidence: Parameters<Analyzer["analyze"]>[0]): PodRecord[] {
  return resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
}

/**
 * A crash loop whose container left a termination message (describe's Last State → Message, or
 * lastState.terminated.message) says why it exits: quote it and name the container, and whether it
 * is an init container (the pod's own containers never start until it exits 0).
 */
function quoteLastWords(candidate: CauseCandidate, pods: readonly PodRecord[], events: readonly EventRecord[]): void {
  const named = events.map((e) => /failed container "?([\w.-]+)"?/i.exec(e.message)?.[1]).find(Boolean);
  const pod = pods.find((p) => p.name === candidate.subject);
  const containers = (pod?.containers ?? []).filter((c) => c.lastMessage && (named ? c.name === named : /CrashLoopBackOff/i.test(c.reason ?? "")));
  const container = containers[0];
  if (!container?.lastMessage) return;
  const message = container.lastMessage.replace(/\s+/g, " ").trim();
  const quoted = message.length <= 200 ? message : `${message.slice(0, 200)}…`;
  const exit = container.lastExitCode !== null ? `, exit code ${container.lastExitCode}` : "";
  candidate.cause = `${candidate.subject}'s ${container.init ? "init container" : "container"} ${container.name} keeps failing (CrashLoopBackOff${exit}): "${quoted}"${container.init ? "; the pod's containers never start" : ""}`;
}

/** Pods the pod list shows placed on a node with containers that ran (started, restarted or crash-looping). */
function runningPods(evidence: Parameters<Analyzer["analyze"]>[0]): Set<string> {
  const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
  const ran = (p: PodRecord) => Boolean(p.node && !/^<none>$/i.test(p.node)) && (p.restarts > 0 || /^(Running|CrashLoopBackOff|Error|Completed|OOMKilled)$/i.test(p.status ?? "") || /^Running$/i.test(p.phase ?? ""));
  return new Set(pods.filter(ran).map((p) => p.name));
}

function eventPod(event: EventRecord): string | null {
  return event.object && /^pods?\//i.test(event.object) ? event.object.replace(/^pods?\//i, "") : null;
}

/** Events last seen longer ago than this are history, not the incident (a weeks-old OOM kill). */
const STALE_SECONDS = 24 * 3600;

/** The latest timestamped event of all pods: the incident's "now" when events carry times, not ages. */
function newestSeen(evidence: Parameters<Analyzer["analyze"]>[0]): number | null {
  const times = resultsFor(evidence, "get_pod_events").flatMap((r) => extractEvents(r.data, r.text).map(seenAt)).filter((t): t is number => t !== null);
  return times.length > 0 ? Math.max(...times) : null;
}

function seenAt(event: EventRecord): number | null {
  const time = event.lastSeen && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(event.lastSeen) ? Date.parse(event.lastSeen) : NaN;
  return Number.isFinite(time) ? time : null;
}

function groupBySignature(events: EventRecord[], newest: number | null = null): { signature: K8sSignature; events: EventRecord[] }[] {
  const groups = new Map<string, { signature: K8sSignature; events: EventRecord[] }>();
  for (const event of events) {
    const seen = seenAt(event);
    // Last seen a day before the newest event anywhere (a weeks-old OOM kill beside this morning's probe failures): history.
    const stale = (event.ageSeconds ?? 0) > STALE_SECONDS || (seen !== null && newest !== null && newest - seen > STALE_SECONDS * 1000);
    if (stale || isResolvedScheduling(event, events)) continue;
    const signature = matchSignature(`${event.reason} ${event.message}`);
    if (!signature) continue;
    const group = groups.get(signature.key) ?? { signature, events: [] };
    group.events.push(event);
    groups.set(signature.key, group);
  }
  return [...groups.values()].sort((a, b) => b.signature.weight - a.signature.weight);
}

function describeGroup(signature: K8sSignature, events: EventRecord[], pod: string, tool: string, context: EventRecord[] = []): { finding: RuleFinding; candidate: CauseCandidate } {
  const count = events.reduce((sum, e) => sum + e.count, 0);
  const first = events[0];
  const firstCount = events.filter((e) => e.reason === first?.reason).reduce((sum, e) => sum + e.count, 0);
  // An OOMKilling event is recorded on the node; the subject is still the pod.
  const subject = first?.object && !/^nodes?\//i.test(first.object) ? subjectOf(first.object) : pod;
  const message = first?.message ? `: ${first.message.replace(/\s+/g, " ").slice(0, 120)}` : "";
  // A second reason in the same group often names the culprit (ProvisioningFailed beside FailedScheduling).
  const other = events.find((e) => e.reason !== first?.reason);
  const also = other ? `; ${other.object ?? subject}: ${other.reason}: ${other.message.slice(0, 160)}` : "";
  const detail = [...events, ...context].map((e) => `${e.object ?? ""} ${e.reason} ${e.message}`).join("\n");
  return {
    finding: {
      text: `${subject}: ${first?.reason ?? signature.key}${message}`,
      note: `${formatNumber(firstCount)}×${also}`,
      tool,
      weight: signature.weight,
      key: signature.key,
    },
    candidate: {
      key: signature.key,
      // A cause the event's details did not refine is a template: it carries the event that shows it.
      cause: signature.cause(subject, detail) === signature.cause(subject, "") ? withEvent(signature.cause(subject, detail), first) : signature.cause(subject, detail),
      subject,
      ...(signature.fact ? { fact: signature.fact(subject, detail) } : {}),
      // Repeated events make the same reading a little surer.
      weight: Math.min(0.95, signature.weight + (count >= 3 ? 0.05 : 0)),
      appOrInfra: signature.appOrInfra,
      ...(signature.template ? { template: true } : {}),
      nextStep: signature.nextStep(subject, detail),
      tool,
    },
  };
}

/**
 * A pod that failed to schedule and was scheduled since (the autoscaler added a node) is placed:
 * the FailedScheduling is history, and whatever keeps it down now happened after it.
 */
export function isResolvedScheduling(event: EventRecord, events: readonly EventRecord[]): boolean {
  if (!/^FailedScheduling$/i.test(event.reason)) return false;
  const age = event.ageSeconds ?? null;
  return events.some(
    (other) => /^Scheduled$/i.test(other.reason) && sameObject(other, event) && (age === null || other.ageSeconds === null || other.ageSeconds === undefined || other.ageSeconds <= age),
  );
}

function sameObject(a: EventRecord, b: EventRecord): boolean {
  return a.object === null || b.object === null || a.object === b.object;
}

/**
 * The object an event is about, as the alert names it: `pod/x` → `x`; a ReplicaSet's FailedCreate is
 * about its Deployment (`replicaset/claims-workers-6d8b7c9f5` → `claims-workers`).
 */
export function subjectOf(object: string): string {
  const [, kind = "", name = object] = /^(?:([\w.-]+)\/)?(.+)$/.exec(object) ?? [];
  if (/^replicasets?(\.apps)?$/i.test(kind)) return name.replace(/-[a-z0-9]{6,10}$/, "");
  return name;
}

/** The cause with the event that shows it, reason and message as Kubernetes wrote them (unless the cause already quotes it). */
export function withEvent(cause: string, event: EventRecord | undefined): string {
  const message = event?.message.replace(/\s+/g, " ").trim();
  if (!event || !message || cause.includes(message.slice(0, 40))) return cause;
  return `${cause} (event ${event.reason} "${message.length <= 200 ? message : `${message.slice(0, 200)}…`}")`;
}

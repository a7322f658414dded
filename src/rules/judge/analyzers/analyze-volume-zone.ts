import { extractEvents } from "../../read/read-events.ts";
import { extractNodes } from "../../read/read-nodes.ts";
import { isObject, walkObjects, type JsonObject } from "../../read/walk-json.ts";
import { podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * "volume node affinity conflict": the pod's PersistentVolume is pinned to a zone (a cloud disk lives
 * in one availability zone). Named with the volume's zone against the zones the nodes are in, when
 * an output lists the volume and the nodes' zone labels: no node left in that zone.
 */
export const analyzeVolumeZone: Analyzer = {
  name: "volume zone",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "get_pod_events")) {
      const pod = podOf(result);
      const event = extractEvents(result.data, result.text).find((e) => /volume node affinity conflict/i.test(e.message));
      if (!pod || !event) continue;
      const claim = /ClaimName:\s*(\S+)/.exec(result.text)?.[1] ?? null;
      const volume = findVolume(evidence, pod, claim);
      if (!volume || volume.zones.length === 0) continue;
      const nodeZones = [...new Set(resultsFor(evidence, "get_infrastructure_metrics", "get_pods_data").flatMap((r) => extractNodes(r.data, r.text)).flatMap((n) => zoneOf(n.labels) ?? []))];
      if (nodeZones.length === 0 || volume.zones.some((zone) => nodeZones.includes(zone))) continue;
      const zones = volume.zones.join(", ");
      analysis.findings.push({ text: `the volume of claim ${volume.claim} is pinned to zone ${zones}`, tool: volume.tool, weight: 0.75, key: "scheduling" });
      analysis.candidates.push({
        key: "scheduling",
        cause: `${pod} cannot be scheduled: its PersistentVolume ${volume.name} lives in zone ${zones}, and no node is left in that zone (the nodes are in ${nodeZones.sort().join(", ")}), so every node it could use has a volume node affinity conflict (FailedScheduling "${event.message.replace(/\s*preemption:.*$/i, "").slice(0, 200)}")`,
        fact: `${pod}'s volume is in ${zones}, no node there`,
        subject: pod,
        // The same reading as the event's, with the zone named: it speaks for the scheduling node.
        weight: 0.93,
        appOrInfra: "infra",
        nextStep: `Give zone ${zones} schedulable nodes again (the node group's subnets or the autoscaler's zones) so ${pod} can start next to its volume; moving the data to another zone means a snapshot and restore`,
        tool: volume.tool,
      });
    }
    return analysis;
  },
};

/** The zone label of a node (`topology.kubernetes.io/zone`, the older failure-domain label). */
function zoneOf(labels: Record<string, string>): string | null {
  return labels["topology.kubernetes.io/zone"] ?? labels["failure-domain.beta.kubernetes.io/zone"] ?? null;
}

/** A PersistentVolume bound to the pod's claim (by name, or a claim named after the pod), with the zones its node affinity allows. */
function findVolume(evidence: Evidence, pod: string, claim: string | null): { name: string; claim: string; zones: string[]; tool: string } | null {
  let found: { name: string; claim: string; zones: string[]; tool: string } | null = null;
  for (const result of evidence.results.filter((r) => r.status === "ok")) {
    walkObjects(result.data, (object) => {
      if (found) return true;
      const bound = claimOf(object);
      if (!bound || !(claim ? bound.endsWith(claim) : bound.includes(pod))) return false;
      const affinity = Object.entries(object).find(([key]) => /affinity/i.test(key))?.[1] ?? readSpecAffinity(object);
      const zones = zonesIn(affinity);
      const name = typeof object.name === "string" ? object.name : isObject(object.metadata) && typeof object.metadata.name === "string" ? object.metadata.name : "of the claim";
      found = { name, claim: bound, zones, tool: result.tool };
      return true;
    });
    if (found) return found;
  }
  return found;
}

/** `claim: ns/name`, `claimRef: {namespace, name}` (a PV's spec), as `ns/name`. */
function claimOf(object: JsonObject): string | null {
  const spec = isObject(object.spec) ? object.spec : object;
  const ref = object.claim ?? object.claimRef ?? spec.claimRef;
  if (typeof ref === "string") return ref;
  if (isObject(ref) && typeof ref.name === "string") return `${typeof ref.namespace === "string" ? `${ref.namespace}/` : ""}${ref.name}`;
  return null;
}

function readSpecAffinity(object: JsonObject): unknown {
  return isObject(object.spec) ? object.spec.nodeAffinity : undefined;
}

/**
 * The zones a node affinity allows: values under a zone key (`topology.ebs.csi.aws.com/zone: [a]`) or of
 * a match expression on one (`{key: topology.kubernetes.io/zone, operator: In, values: [a]}`).
 */
function zonesIn(affinity: unknown): string[] {
  const zones: string[] = [];
  walkObjects(affinity, (object) => {
    if (typeof object.key === "string" && /zone/i.test(object.key)) zones.push(...strings(object.values));
    for (const [key, value] of Object.entries(object)) if (/zone/i.test(key)) zones.push(...strings(value));
    return false;
  });
  return [...new Set(zones)];
}

function strings(value: unknown, depth = 0): string[] {
  if (depth > 8) return [];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap((v) => strings(v, depth + 1));
  if (isObject(value)) return Object.values(value).flatMap((v) => strings(v, depth + 1));
  return [];
}

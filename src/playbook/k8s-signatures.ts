import { workloadOf } from "../rules/read/workload-name.ts";
import type { AppOrInfra } from "../rules/types.ts";

/** What a Kubernetes reason (from an event or a pod's state) says about the cause. */
export interface K8sSignature {
  key: string;
  pattern: RegExp;
  weight: number;
  appOrInfra: AppOrInfra;
  /** `detail`: the matched events' objects and messages, for signatures that name what they found. */
  cause: (pod: string, detail?: string) => string;
  nextStep: (pod: string, detail?: string) => string;
  /** A short fact for the causal chain; default: the cause's first clause. */
  fact?: (pod: string, detail?: string) => string;
  /** The cause is a general reading of the event, not what the evidence shows (why memory grew): never high confidence. */
  template?: boolean;
}

/** Most specific first: the first match wins for a given reason/message. */
export const K8S_SIGNATURES: K8sSignature[] = [
  {
    key: "memory-limit",
    pattern: /OOMKill|out of memory/i,
    weight: 0.85,
    appOrInfra: "infra",
    template: true,
    cause: (pod) => `${pod} was OOMKilled: its container memory limit is too low for its load (or memory grows until the kernel kills it)`,
    nextStep: (pod) => `Raise the memory limit of the ${workloadOf(pod)} deployment (keep -Xmx about 75% of it) or find what grew (backlog, payloads) before the next kill`,
  },
  {
    key: "image-pull",
    pattern: /ImagePullBackOff|ErrImagePull|Failed to pull image|InvalidImageName|manifest unknown/i,
    weight: 0.9,
    appOrInfra: "infra",
    // The event says which of the three it is; hedge only when it does not.
    cause: (pod, detail = "") => {
      const image = readImage(detail);
      const subject = image ? `image ${image}` : "its image";
      if (/manifest unknown|not found|NotFound|does not exist/i.test(detail)) return `${pod} is stuck in ImagePullBackOff: ${subject} does not exist in the registry (manifest unknown: wrong tag)`;
      if (/unauthori[sz]ed|denied|authentication required|forbidden|401|403/i.test(detail)) return `${pod} is stuck in ImagePullBackOff: the registry refuses to serve ${subject} (missing or wrong imagePullSecret)`;
      if (/timeout|i\/o timeout|no such host|connection refused|dial tcp/i.test(detail)) return `${pod} is stuck in ImagePullBackOff: the registry for ${subject} is unreachable`;
      return `${pod} is stuck in ImagePullBackOff: ${subject} cannot be pulled (wrong tag, missing registry credentials or registry unreachable)`;
    },
    nextStep: (pod, detail = "") => {
      const image = readImage(detail);
      if (/manifest unknown|not found|NotFound|does not exist/i.test(detail)) return `Point ${pod}'s deployment at an image tag that exists${image ? ` (${image} does not)` : ""}, e.g. the previous one, via the usual release process`;
      return `Check the image tag and imagePullSecret of ${pod}'s deployment against the registry`;
    },
  },
  {
    // A controller that cannot create its pods at all (no pod exists to be Pending): the namespace's ResourceQuota.
    key: "quota",
    pattern: /exceeded quota|quota exceeded/i,
    weight: 0.9,
    appOrInfra: "infra",
    cause: (subject, detail = "") => {
      const quota = readQuota(detail);
      const what = quota ? `the namespace ResourceQuota ${quota.name} is used up (${quota.terms})` : "the namespace ResourceQuota is used up";
      const scaled = /Scaled up replica set \S+ to (\d+) from (\d+)/i.exec(detail);
      const after = scaled ? ` after its scale-up from ${scaled[2]} to ${scaled[1]} replicas` : "";
      return `${subject} cannot create its pods${after}: ${what}${quoteEvent("FailedCreate", /(?:pods? \\?"[^"\n]*\\?" is forbidden: )?exceeded quota[^\n]*/i.exec(detail)?.[0])}`;
    },
    nextStep: (subject, detail = "") => {
      const quota = readQuota(detail);
      return `Ask the namespace owner to raise ResourceQuota ${quota?.name ?? ""} (kubectl describe resourcequota) or scale ${workloadOf(subject)} back to what it allows; the ReplicaSet creates the pods once there is room`.replace("  ", " ");
    },
  },
  {
    // Any other refusal to create pods (admission webhook, PodSecurity, missing ServiceAccount): the message says which.
    key: "create-failed",
    pattern: /FailedCreate|Error creating: /i,
    weight: 0.8,
    appOrInfra: "infra",
    cause: (subject, detail = "") => `${subject} cannot create its pods (FailedCreate)${quoteEvent("FailedCreate", /Error creating:[^\n]*/i.exec(detail)?.[0] ?? firstLine(detail.replace(/^\s*FailedCreate\b\s*/i, "")))}`,
    nextStep: (subject) => `Read the FailedCreate message of ${workloadOf(subject)}'s ReplicaSet (kubectl describe rs) and fix what refuses the pods (admission policy, ServiceAccount, quota)`,
  },
  {
    // Before "scheduling": an unbound claim also reads FailedScheduling, but adding nodes will not help.
    key: "volume-claim",
    pattern: /unbound (immediate )?PersistentVolumeClaim|ProvisioningFailed|storageclass\S* "[^"]+" not found|persistentvolumeclaim "[^"]+" not found/i,
    weight: 0.88,
    appOrInfra: "infra",
    cause: (pod, detail = "") => {
      const { claim, storageClass } = readClaim(detail);
      const why = storageClass ? `: its StorageClass "${storageClass}" does not exist, so no volume can be provisioned` : " (no volume could be provisioned or bound)";
      return `${pod} cannot be scheduled because its PersistentVolumeClaim${claim ? ` ${claim}` : ""} is unbound${why}`;
    },
    nextStep: (_pod, detail = "") => {
      const { claim, storageClass } = readClaim(detail);
      return storageClass
        ? `Create StorageClass "${storageClass}" or recreate the PersistentVolumeClaim${claim ? ` ${claim}` : ""} with an existing class (kubectl get storageclass); the pod schedules once it binds`
        : `Read the PersistentVolumeClaim${claim ? ` ${claim}` : ""}'s events (kubectl describe pvc) and fix its StorageClass or provisioner`;
    },
  },
  {
    key: "scheduling",
    pattern: /FailedScheduling|Insufficient (cpu|memory)|Unschedulable|didn't match|had untolerated taint|volume node affinity conflict/i,
    weight: 0.85,
    appOrInfra: "infra",
    // The scheduler's message counts the nodes per reason; the reason most nodes give is what keeps the pod out.
    cause: (pod, detail = "") => {
      const quoted = quoteScheduling(detail);
      const reason = mainSchedulingReason(detail);
      const taint = taintOf(reason ?? detail);
      const insufficient = /Insufficient (cpu|memory|ephemeral-storage|[\w./-]+)/i.exec(reason ?? detail)?.[1];
      const selector = /didn't match (Pod's )?node (affinity|selector)[^,.]*/i.test(reason ?? detail);
      if (/volume node affinity conflict/i.test(reason ?? "")) return `${pod} cannot be scheduled: its PersistentVolume's node affinity (the zone the volume lives in) matches no node it may run on${quoted}`;
      if (taint) return `${pod} cannot be scheduled: the nodes carry a taint ${taint} it does not tolerate${selector && !reason ? ", and the others fail its node selector/affinity" : ""}${quoted}`;
      if (insufficient) return `${pod} cannot be scheduled: no node has enough free ${insufficient} for its requests${quoted}`;
      if (selector) return `${pod} stays Pending, unschedulable: no node matches its node selector/affinity${quoted}`;
      // Another reason (anti-affinity, host ports, volume count): the scheduler's own words, with its count.
      if (reason) return `${pod} cannot be scheduled: ${nodesGiving(detail, reason)} ${reason}${quoted}`;
      return `${pod} cannot be scheduled: the nodes lack free CPU/memory or do not match its constraints${quoted}`;
    },
    nextStep: (pod, detail = "") => {
      const reason = mainSchedulingReason(detail) ?? detail;
      const taint = taintOf(reason);
      if (/volume node affinity conflict/i.test(reason)) return `Compare the zone in the node affinity of ${pod}'s PersistentVolume (kubectl get pv -o yaml) with the nodes' topology.kubernetes.io/zone labels, and give that zone schedulable capacity again (node group subnets)`;
      return taint
        ? `Add a toleration for ${taint} to the ${workloadOf(pod)} deployment (and a matching node selector), or schedule it on nodes without that taint`
        : "Add node capacity (or check the autoscaler) or lower the pod's resource requests";
    },
  },
  {
    key: "config",
    pattern: /CreateContainerConfigError|secret .* not found|configmap .* not found|couldn't find key/i,
    weight: 0.85,
    appOrInfra: "infra",
    cause: (pod, detail = "") => {
      const key = /couldn't find key\s+(\S+)\s+in\s+(Secret|ConfigMap)\s+(\S+)/i.exec(detail);
      if (key) return `${pod} cannot start (CreateContainerConfigError): key ${key[1]} is missing from ${key[2]} ${key[3]} it references (renamed or removed)`;
      const missing = /(secret|configmap)\s+"?([\w.-]+)"?\s+not found/i.exec(detail);
      return missing ? `${pod} cannot start (CreateContainerConfigError): ${missing[1]} ${missing[2]} it references does not exist` : `${pod} cannot start: a Secret or ConfigMap it references is missing`;
    },
    nextStep: (pod, detail = "") => {
      const key = /couldn't find key\s+(\S+)\s+in\s+(Secret|ConfigMap)\s+(\S+)/i.exec(detail);
      return key ? `Restore key ${key[1]} in ${key[2]} ${key[3]} (or point the ${workloadOf(pod)} deployment at the new key name); the pods start once it resolves` : `Restore the missing Secret/ConfigMap named in ${pod}'s events`;
    },
  },
  {
    // The kubelet evicts a pod that writes past its own local-storage limit: the pod's usage, not the node's pressure.
    key: "storage-limit",
    pattern: /Usage of EmptyDir volume|exceeded its local ephemeral storage limit|ephemeral local storage usage exceeds/i,
    weight: 0.9,
    appOrInfra: "app",
    cause: (pod, detail = "") => {
      const emptyDir = /Usage of EmptyDir volume\s+\\?"([^"\\]+)\\?"\s+exceeds the limit\s+\\?"([^"\\]+)/i.exec(detail);
      const container = /Container\s+([\w.-]+)\s+exceeded its local ephemeral storage limit\s+\\?"?([^"\\\s.]+)/i.exec(detail);
      const total = /ephemeral local storage usage exceeds the total limit of containers\s+([^\s."]+)/i.exec(detail)?.[1];
      const what = emptyDir
        ? `its emptyDir volume "${emptyDir[1]}" outgrew its sizeLimit ${emptyDir[2]}`
        : container
          ? `container ${container[1]} wrote past its ephemeral-storage limit ${container[2]}`
          : `it wrote past its ephemeral-storage limit${total ? ` (${total} for all its containers)` : ""}`;
      return `${pod} was Evicted by the kubelet: ${what} (local disk written by the pod itself, not memory)${quoteEvent("Evicted", evictionMessage(detail))}`;
    },
    nextStep: (pod, detail = "") => {
      const volume = /Usage of EmptyDir volume\s+\\?"([^"\\]+)/i.exec(detail)?.[1];
      return `Find what ${workloadOf(pod)} leaves in ${volume ? `emptyDir "${volume}"` : "its local storage"} (temporary or intermediate files kept) and clean it up, or raise the ${volume ? "sizeLimit" : "ephemeral-storage limit"} in the ${workloadOf(pod)} deployment`;
    },
  },
  {
    key: "eviction",
    pattern: /Evicted|low on resource|DiskPressure|MemoryPressure|ephemeral-storage/i,
    weight: 0.8,
    appOrInfra: "infra",
    cause: (pod, detail = "") => {
      const resource = /low on (?:resource:?\s*)?([\w-]+)/i.exec(detail)?.[1] ?? (/DiskPressure/i.test(detail) ? "disk" : /MemoryPressure/i.test(detail) ? "memory" : null);
      const used = /Container\s+([\w-]+)\s+was using\s+(\S+)/i.exec(detail);
      // The node: a node-level event's object (`node/ip-10-0-1-2`) or the pod list's `on node …`.
      const node = /(?:^|\s)(?:node\/|on node\s+)([a-z0-9][-a-z0-9.]*[a-z0-9])/im.exec(detail)?.[1];
      return `${pod} was Evicted because its node${node ? ` ${node}` : ""} ran low on ${resource ?? "resources"}${used ? ` (container ${used[1]} was using ${(used[2] ?? "").replace(/,$/, "")})` : ""}${quoteEvent("Evicted", evictionMessage(detail))}`;
    },
    nextStep: () => "Check the node's disk and memory pressure and the pods' ephemeral-storage use; add capacity or set limits",
  },
  {
    key: "volume",
    pattern: /FailedMount|FailedAttachVolume|MountVolume/i,
    weight: 0.75,
    appOrInfra: "infra",
    cause: (pod) => `${pod} cannot mount its volume`,
    nextStep: () => "Check the PersistentVolumeClaim and the cloud disk attachment named in the event",
  },
  {
    key: "node",
    pattern: /NodeNotReady|NodeLost|node .* not ready/i,
    weight: 0.7,
    appOrInfra: "infra",
    cause: (pod, detail = "") => {
      const node = /\bnode[/\s]+"?([a-z0-9][-a-z0-9.]*[a-z0-9])"?/i.exec(detail.replace(/node is not ready/gi, ""))?.[1];
      return node ? `node ${node} went NotReady, taking ${pod} with it` : `the node running ${pod} went NotReady`;
    },
    nextStep: () => "Check the node's condition and the cloud instance behind it",
  },
  {
    key: "probe",
    pattern: /(Liveness|Readiness|Startup) probe failed|Unhealthy/i,
    weight: 0.6,
    appOrInfra: "app",
    fact: (pod, detail = "") => `${pod}: ${/(Liveness|Readiness|Startup) probe failed/i.exec(detail)?.[0] ?? "health probes fail"}`,
    cause: (pod) => `${pod}'s health probes fail, so Kubernetes restarts it or takes it out of service (slow start, GC pauses or a dependency down)`,
    nextStep: (pod) => `Read ${pod}'s logs around the probe failures; if it is only slow to start, relax the probe's delay/timeout`,
  },
  {
    key: "crash",
    pattern: /CrashLoopBackOff|Back-off restarting failed container|BackOff/i,
    weight: 0.55,
    appOrInfra: "app",
    cause: (pod) => `${pod} keeps crashing on start (CrashLoopBackOff); the reason is in its logs`,
    nextStep: (pod) => `Read the last lines of ${pod}'s logs (previous container) for the startup error`,
  },
];

/** ` (event Evicted "message")`: the decisive message as Kubernetes wrote it, cut at 200 characters; empty without one. */
function quoteEvent(reason: string, message: string | null | undefined): string {
  const flat = message?.replace(/\s+/g, " ").replace(/\\"/g, '"').trim();
  if (!flat) return "";
  return ` (${reason} "${flat.length <= 200 ? flat : `${flat.slice(0, 200)}…`}")`;
}

function firstLine(detail: string): string | null {
  return detail.split(/\r?\n/).find((line) => line.trim() !== "")?.trim() ?? null;
}

/** The eviction message in a detail (an event's or a pod status's), without the object and reason in front. */
function evictionMessage(detail: string): string | null {
  const line = detail.split(/\r?\n/).find((l) => /Usage of EmptyDir|ephemeral|low on resource|exceeds|had condition|Pressure/i.test(l));
  return line ? line.replace(/^.*?\bEvicted\s+/, "").trim() : null;
}

/** `exceeded quota: compute, requested: limits.memory=2Gi, used: limits.memory=40Gi, limited: limits.memory=40Gi`. */
export function readQuota(detail: string): { name: string; terms: string } | null {
  const match = /exceeded quota:\s*([\w.-]+)((?:,\s*(?:requested|used|limited):\s*[^,\n]+)*)/i.exec(detail);
  if (!match?.[1]) return null;
  const terms = (match[2] ?? "").replace(/^,\s*/, "").replace(/\s*,\s*/g, ", ").replace(/:\s*/g, " ").trim();
  return { name: match[1], terms: terms || "exceeded" };
}

/** `3 of 4 nodes` for a reason of `0/4 nodes are available: …, 3 node(s) <reason>`. */
function nodesGiving(detail: string, reason: string): string {
  const total = /\d+\/(\d+) nodes are available/i.exec(detail)?.[1];
  const at = detail.indexOf(reason);
  const count = at > 0 ? /(\d+)\s+(?:node\(s\)\s+|nodes?\s+)?$/.exec(detail.slice(0, at))?.[1] : undefined;
  return count && total ? `${count} of ${total} nodes` : "most nodes";
}

/** The first untolerated taint a scheduling message names, control-plane taints aside. */
function taintOf(text: string): string | undefined {
  return [...text.matchAll(/untolerated taint\s*(\{[^}]*\}|\S+)/gi)].map((m) => m[1]).find((taint) => !/node-role\.kubernetes\.io\/(control-plane|master)/i.test(taint ?? ""));
}

const CONTROL_PLANE_TAINT = /untolerated taint\s*\{\s*node-role\.kubernetes\.io\/(control-plane|master)\b/i;

/** The FailedScheduling message (`0/4 nodes are available: …`), quoted; empty when the detail has none. */
function quoteScheduling(detail: string): string {
  const message = /\d+\/\d+ nodes are available:[^\n]*/i.exec(detail)?.[0];
  return quoteEvent("FailedScheduling", message?.replace(/\s*preemption:.*$/i, ""));
}

/**
 * `0/4 nodes are available: 1 node(s) had untolerated taint {dedicated: sim}, 3 node(s) had volume
 * node affinity conflict.` → the reason the most nodes give (`had volume node affinity conflict`);
 * null when the message does not count nodes per reason or two reasons tie.
 */
export function mainSchedulingReason(detail: string): string | null {
  const list = /nodes are available:\s*([^\n]*?)(?:\.\s*preemption:|\.\s*$|$)/im.exec(detail)?.[1];
  if (!list) return null;
  const reasons = [...list.matchAll(/(\d+)\s+(?:node\(s\)\s+|nodes?\s+)?((?:\{[^}]*\}|[^,{])+)/gi)]
    .map((m) => ({ nodes: Number(m[1]), reason: (m[2] ?? "").trim() }))
    // Control-plane nodes are never meant for workloads: their taint is counted by every message and settles nothing.
    .filter((r) => !CONTROL_PLANE_TAINT.test(r.reason));
  const [first, second] = reasons.sort((a, b) => b.nodes - a.nodes);
  // A tie settles nothing: the message is read as a whole.
  return first && first.nodes !== second?.nodes ? first.reason : null;
}

/** The claim and the missing StorageClass named in scheduling/provisioning events. */
export function readClaim(detail: string): { claim: string | null; storageClass: string | null } {
  const claim = /persistentvolumeclaims?[/\s]+"?([a-z0-9][-a-z0-9.]*)/i.exec(detail.replace(/unbound immediate PersistentVolumeClaims/gi, ""))?.[1] ?? null;
  const storageClass = /storageclass\S*\s+"([^"]+)"\s+not found/i.exec(detail)?.[1] ?? null;
  return { claim, storageClass };
}

/** `Failed to pull image "registry/app:tag"` → `registry/app:tag`. */
function readImage(detail: string): string | null {
  return /(?:pull(?:ing)?|Back-off pulling) image\s+\\?"([^"\\]+)/i.exec(detail)?.[1] ?? null;
}

export function matchSignature(text: string): K8sSignature | null {
  return K8S_SIGNATURES.find((signature) => signature.pattern.test(text)) ?? null;
}

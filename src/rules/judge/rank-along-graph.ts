import type { IssueType } from "../../alerts/types.ts";
import { alertNodeFor, getNode, nodeForKey, pathsBetween, type CausalNode } from "../../playbook/causal-graph.ts";
import { workloadOf } from "../read/workload-name.ts";
import type { CauseCandidate, IssueEvidence } from "../types.ts";

/** A candidate weaker than this is a hint, not direct evidence of its node. */
export const EVIDENCE_MIN = 0.4;
/** Two root causes this close in weight compete: the evidence does not settle which one it is. */
const COMPETING_MARGIN = 0.1;
const FACT_CHARS = 110;
/**
 * Links of a chain that may go unseen: one (a pod that is down between an image that cannot be
 * pulled and the workers alert); more would let any error explain any alert through guesses.
 */
const MAX_GAPS = 1;

export interface RankedNode {
  node: CausalNode;
  candidate: CauseCandidate;
  /** Reinforced weight of every candidate on this node (independent signals: 1 − Π(1 − w)). */
  weight: number;
  /** The alert nodes it explains. */
  explains: string[];
}

export interface Verdict {
  /** The deepest evidenced cause that explains the alert; null: inconclusive. */
  root: RankedNode | null;
  /** Further causes needed for alert symptoms the root does not explain (multi-issue alerts). */
  also: RankedNode[];
  /** Causes as deep and as strong as the root that explain the same symptoms. */
  competing: RankedNode[];
  /** The best evidenced node when there is no root (a symptom whose cause is not yet seen). */
  lead: RankedNode | null;
  /** One line from the alert's symptom back to the root: `Redis 71% ← … ← inventory-workers scaled to 0`. */
  chain: string | null;
  /** Alert symptoms nothing evidenced explains. */
  unexplained: IssueType[];
}

/**
 * Picks the root cause along the causal graph: among the nodes with direct evidence that explain
 * one of the alert's symptoms, a node is dropped when an evidenced node upstream explains it, and
 * symptoms are never kept; the strongest remaining cause is the root.
 */
export function rankAlongGraph(candidates: readonly CauseCandidate[], issues: readonly IssueEvidence[]): Verdict {
  const types = [...new Set(issues.map((issue) => issue.type))];
  const targets = [...new Set(types.map((type) => alertNodeFor(type).id))];
  const evidenced = groupByNode(candidates).filter((ranked) => ranked.weight >= EVIDENCE_MIN);
  const seen = new Set(evidenced.map((ranked) => ranked.node.id));
  const byId = new Map(evidenced.map((ranked) => [ranked.node.id, ranked]));
  // A link about one object (a worker deployment) is explained only by evidence about that same object.
  // Such a link is never an unseen gap: guessing it would let any pod's trouble explain any backlog.
  // An alert that names its workload (`deployment fulfilment-workers has 0/6 ready`): a pod that is down
  // explains it only when the pod is of that workload (an unrelated CronJob's pull failure does not).
  const named = issues.flatMap((issue) => alertedWorkloads(issue.text));
  const ownPods = (path: readonly string[]) =>
    named.length === 0 ||
    path.every((id, i) => {
      if (id !== "pod-down" || i === 0) return true;
      const subject = byId.get(path[i - 1] as string)?.candidate.subject;
      return !subject || named.some((name) => sameThing(subject, name));
    });
  const sameObject = (_from: string, path: readonly string[]) =>
    ownPods(path) &&
    path.slice(1, -1).every((id) => !OBJECT_LINKS.has(id) || byId.has(id)) &&
    path.slice(0, -1).every((id, i) => {
      const next = path[i + 1] as string;
      if (!OBJECT_LINKS.has(id) && !OBJECT_LINKS.has(next)) return true;
      const a = byId.get(id)?.candidate.subject;
      const b = byId.get(next)?.candidate.subject;
      return !a || !b || sameThing(a, b);
    });
  const reaches = (from: string, to: string) => pathsBetween(from, to).some((path) => gaps(path, seen) <= MAX_GAPS && sameObject(from, path));
  const alertedPods = issues.flatMap((issue) => (POD_SCOPED.has(issue.type) && issue.pod ? [workloadOf(issue.pod)] : []));
  // Evidence about another workload's pod does not explain an alert about one pod (it may explain the rest).
  const foreign = (ranked: RankedNode) => ranked.candidate.subject !== undefined && alertedPods.length > 0 && !alertedPods.includes(workloadOf(ranked.candidate.subject));
  for (const ranked of evidenced) {
    ranked.explains = targets.filter((target) => (ranked.node.id === target || reaches(ranked.node.id, target)) && !(foreign(ranked) && POD_TARGETS.has(target)));
  }
  const relevant = evidenced.filter((ranked) => ranked.explains.length > 0);
  const upstreamOf = (ranked: RankedNode) => relevant.some((other) => other !== ranked && reaches(other.node.id, ranked.node.id));
  const roots = relevant
    .filter((ranked) => ranked.node.kind === "cause" && !upstreamOf(ranked))
    .sort((a, b) => b.explains.length - a.explains.length || b.weight - a.weight);
  const root = roots[0] ?? null;
  const covered = new Set(root?.explains ?? []);
  const also: RankedNode[] = [];
  for (const other of roots.slice(1)) {
    if (other.explains.some((target) => !covered.has(target))) {
      also.push(other);
      other.explains.forEach((target) => covered.add(target));
    }
  }
  const competing = root ? roots.filter((other) => other !== root && !also.includes(other) && other.weight >= root.weight - COMPETING_MARGIN) : [];
  const lead = root ? null : ([...relevant].sort((a, b) => b.weight - a.weight)[0] ?? null);
  const unexplained = types.filter((type) => !covered.has(alertNodeFor(type).id));
  const start = root ?? lead;
  return { root, also, competing, lead, chain: start ? renderChain(start, relevant, issues) : null, unexplained };
}

/** Links that are about one object: whatever explains them must be about that object too. */
const OBJECT_LINKS = new Set(["workers-unavailable", "agent-pod-down"]);

/** Names that may be the same object: one workload (a pod of a deployment), or a task and its workers sharing a word (generate_shipping_label, shipment-label-workers). */
export function sameThing(a: string, b: string): boolean {
  if (workloadOf(a) === workloadOf(b)) return true;
  const words = (name: string) => new Set(workloadOf(name).toLowerCase().split(/[-_.]/).filter((w) => w.length >= 4 && !GENERIC_WORDS.has(w)));
  const left = words(a);
  return [...words(b)].some((w) => left.has(w));
}
const GENERIC_WORDS = new Set(["worker", "workers", "task", "tasks", "service", "server", "deployment"]);

/** Workloads an alert names by kind: `deployment fulfilment-workers`, `statefulset/redis`. */
export function alertedWorkloads(text: string): string[] {
  return [...text.matchAll(/\b(?:deployments?|statefulsets?|daemonsets?)(?:\s+|\/)"?([a-z0-9][-a-z0-9.]*[a-z0-9])"?/gi)].map((m) => m[1] as string);
}

/** Alerts about one pod (restarted, not running), and their nodes in the graph. */
const POD_SCOPED = new Set(["POD_RESTARTED", "POD_NOT_RUNNING"]);
const POD_TARGETS = new Set(["alert:pod-restarted", "alert:pod-not-running"]);

/** Candidates merged per graph node (the strongest one speaks for it); keys without a node are left out. */
function groupByNode(candidates: readonly CauseCandidate[]): RankedNode[] {
  const byNode = new Map<string, { node: CausalNode; best: CauseCandidate; miss: number }>();
  for (const candidate of candidates) {
    const node = nodeForKey(candidate.key);
    if (!node) continue;
    const entry = byNode.get(node.id);
    if (!entry) byNode.set(node.id, { node, best: candidate, miss: 1 - candidate.weight });
    else {
      entry.miss *= 1 - candidate.weight;
      if (candidate.weight > entry.best.weight) entry.best = candidate;
    }
  }
  return [...byNode.values()].map(({ node, best, miss }) => ({ node, candidate: best, weight: Math.min(0.95, 1 - miss), explains: [] }));
}

/** The path from `start` to the alert symptom through the most evidenced nodes, symptom first. */
function renderChain(start: RankedNode, evidenced: readonly RankedNode[], issues: readonly IssueEvidence[]): string {
  const target = start.explains[0] ?? start.node.id;
  const byId = new Map(evidenced.map((ranked) => [ranked.node.id, ranked]));
  const path = pathsBetween(start.node.id, target).sort((a, b) => scorePath(b, byId) - scorePath(a, byId) || a.length - b.length)[0] ?? [start.node.id];
  const issue = issues.find((i) => alertNodeFor(i.type).id === target);
  const links = path
    .slice(0, -1)
    .reverse()
    .flatMap((id) => {
      const ranked = byId.get(id);
      return ranked ? [factOf(ranked.candidate)] : [];
    });
  const symptom = issue ? shortIssue(issue.text) : (getNode(target)?.label ?? target);
  return [symptom, ...links].filter((link, i, all) => all.indexOf(link) === i).join(" ← ");
}

function gaps(path: readonly string[], seen: ReadonlySet<string>): number {
  return path.slice(1, -1).filter((id) => !seen.has(id)).length;
}

/** Evidenced links count for a path, unseen ones against it: the chain shows what was seen. */
function scorePath(path: readonly string[], byId: ReadonlyMap<string, RankedNode>): number {
  return path.slice(1, -1).reduce((score, id) => score + (byId.has(id) ? 1 : -1), 0);
}

/** The candidate's short fact, or its cause cut at the first clause. */
export function factOf(candidate: CauseCandidate): string {
  return clip(candidate.fact ?? candidate.cause.split(/[;:(]\s/)[0] ?? candidate.cause, FACT_CHARS);
}

/** `The Redis instance is at 71%, above the CRITICAL threshold of 65%` → `Redis instance is at 71%`. */
function shortIssue(text: string): string {
  return clip(text.replace(/^The\s+/i, "").split(/,\s*above\b|\s+above the\b/i)[0] ?? text, FACT_CHARS);
}

function clip(text: string, max: number): string {
  const flat = text.trim().replace(/\s+/g, " ").replace(/[.,;:]$/, "");
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

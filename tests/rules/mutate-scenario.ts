import type { Scenario } from "../../src/sandbox/index.ts";

/*
 * A scenario rewritten so that no rule can lean on its wording: every name of the scenario's own
 * things (pods, deployments, workflows, tasks, nodes, clusters, hosts, images, users) is renamed
 * consistently everywhere — alert, execution, command outputs, logs and the truth — and common
 * words of log prose are paraphrased. What stays is what a real cluster would print whatever its
 * names: component names (conductor-server, redis, coredns …), Kubernetes, Conductor and SQL
 * vocabulary, exception classes and product error messages.
 */

/** Name parts kept: components and the vocabulary of Kubernetes, Conductor, Postgres and the tools' JSON. */
const KEEP = new Set(
  (
    "conductor server servers worker workers redis master replica postgres postgresql pg prometheus coredns kube dns ingress nginx controller cert manager " +
    "aws alb elb load balancer elasticsearch opensearch es ui api http https grpc tcp udp health check node nodes pod pods deployment deployments service " +
    "workflow workflows task tasks type status count state name id running scheduled completed failed queue queues decider indexer sweeper system " +
    "index search size limit limits request requests memory cpu heap gc jvm oom mb gb gi mi ki kb ms change cause revision image tag tls acme http01 dns01 " +
    "io com org net k8s kubernetes app apps default namespace cluster local svc storage class storageclass pvc volume claim pv gp2 gp3 encrypted " +
    "stat activity pg_stat_activity application idle transaction in of by to the and rate per frequency seconds sec min max total used percent " +
    "true false null error warn info debug fatal rc alpha beta v1 v2 v3 latest stable amazonaws compute internal ec2 us east west eu north south " +
    "ap southeast central region zone loop plugin append only file aof rdb wal tsdb snippet configuration annotation secret configmap key password user " +
    // The protocol: alert wording, Slack fields, the health check's task names, the tools and their metrics.
    "checking bot message control plane get details incident submit report pull logs log depth parse data ref prepare agent handler issues issue " +
    "notify slack select sql run thread dump metrics metric top output events event infrastructure info usage used human clients connected " +
    "result results collected at with ready desired available replicas restarts restart last reason exit code phase age ip " +
    // Names the software itself prints: Kubernetes resources, Elasticsearch error types and index blocks, add-ons.
    "ephemeral rejected execution exception read allow delete block flood stage watermark external secrets " +
    // PostgreSQL storage parameters (autovacuum_enabled, toast.*) and OAuth 2.0 error codes (RFC 6749: invalid_client, invalid_token).
    "enabled toast invalid client grant token unauthorized " +
    // Metric names the libraries print whatever the cluster (Micrometer's hikaricp_connections_*, CoreDNS's, cAdvisor's).
    "hikaricp connections connection active pending acquire coredns requests responses container cfs throttled periods seconds " +
    // Log-format field names (logstash/ECS: stack_trace, logger_name), PostgreSQL's own catalog columns (pg_locks, pg_stat_user_tables).
    "stack trace logger thread timestamp " +
    "pid pids blocking blocked lock locks wait xact backend query locktype granted mode relation relname schemaname seq scan scans idx tup live dead n autovacuum vacuum analyze start"
  ).split(/\s+/),
);

/** Lower-case compound names: `inventory-workers`, `reserve_inventory`, `conductor-server-lc4nrg8jk-stqtq`, `ip-10-0-3-201`. */
const COMPOUND = /\b[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+\b/g;

/** Log prose, paraphrased word for word (case kept); product error strings are left alone by not listing their words. */
const PARAPHRASE: Record<string, string> = {
  still: "yet",
  pending: "outstanding",
  waiting: "queued",
  retrying: "trying again",
  skipped: "passed over",
  started: "launched",
  returned: "gave back",
  evaluating: "executing",
  exceeded: "went over",
  took: "needed",
  using: "with",
  consider: "think about",
  increasing: "raising",
  holds: "contains",
  reached: "hit",
  because: "as",
  expected: "wanted",
  unable: "not able",
};

export interface Mutation {
  scenario: Scenario;
  renamed: ReadonlyMap<string, string>;
}

export function mutateScenario(scenario: Scenario): Mutation {
  const renamed = new Map<string, string>();
  const rename = (text: string) => text.replace(COMPOUND, (name) => renameCompound(name, renamed));
  const paraphrase = (text: string) => text.replace(/\b[A-Za-z]+\b/g, (word) => paraphraseWord(word));
  const transform = (value: unknown, inProse: boolean): unknown => {
    if (typeof value === "string") return inProse ? paraphrase(rename(value)) : rename(value);
    if (Array.isArray(value)) return value.map((item) => transform(item, inProse));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [isNameKey(key) ? rename(key) : key, transform(child, inProse)]));
    }
    return value;
  };
  // Keys that are names (a pod, or a workload some value names: `rolloutHistory: {inventory-workers: …}`) are renamed too;
  // the names are collected first, so a key met before its name is renamed the same way.
  collectStrings(scenario).forEach(rename);
  const isNameKey = (key: string) => (/-/.test(key) && /\d/.test(key)) || renamed.has(key);
  const { truth, commands, ...rest } = scenario;
  const mutated = {
    ...(transform(rest, false) as Omit<Scenario, "truth" | "commands">),
    commands: transform(commands, true) as Scenario["commands"],
    truth: transform(truth, false) as Scenario["truth"],
  };
  return { scenario: mutated as Scenario, renamed };
}

function collectStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(collectStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(collectStrings);
  return [];
}

function renameCompound(name: string, renamed: Map<string, string>): string {
  const known = renamed.get(name);
  if (known) return known;
  const parts = name.split(/([-_])/);
  // Ids (UUIDs and their pieces) are routing, not names.
  if (parts.filter((p) => p !== "-" && p !== "_").every((p) => /^[0-9a-f]+$/.test(p))) return name;
  const out = parts.map((part) => (part === "-" || part === "_" || KEEP.has(part) || /^\d+$/.test(part) ? part : pseudo(part))).join("");
  renamed.set(name, out);
  return out;
}

/** A deterministic stand-in of the same shape: random-looking suffixes stay random-looking. */
function pseudo(part: string): string {
  let hash = 2166136261;
  for (const ch of part) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  const consonants = "bdfgklmnprstvz";
  const vowels = "aeiou";
  const alnum = "abcdefghjkmnpqrstvwxyz23456789";
  const mixed = /\d/.test(part) && /[a-z]/.test(part);
  let out = "";
  for (let i = 0; i < Math.max(3, part.length); i += 1) {
    hash = Math.imul(hash ^ (i + 1), 2654435761) >>> 0;
    out += mixed ? alnum[hash % alnum.length] : i % 2 === 0 ? consonants[hash % consonants.length] : vowels[hash % vowels.length];
  }
  return out;
}

function paraphraseWord(word: string): string {
  const replacement = PARAPHRASE[word.toLowerCase()];
  if (!replacement) return word;
  return word[0] === word[0]?.toUpperCase() ? replacement[0]!.toUpperCase() + replacement.slice(1) : replacement;
}

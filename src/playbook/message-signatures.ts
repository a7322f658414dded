import { jsonLineMessage } from "../rules/read/read-logs.ts";
import type { AppOrInfra } from "../rules/types.ts";

/**
 * What a log line says about a cause, whatever the exception class around it: messages that
 * Postgres, Redis, Elasticsearch/OpenSearch, Kubernetes clients and Conductor itself print.
 * `read` pulls the subject (a task, a file, a user) out of the matching line.
 */
export interface MessageSignature {
  key: string;
  pattern: RegExp;
  weight: number;
  appOrInfra: AppOrInfra;
  cause: (pod: string, line: string, subject: string | null) => string;
  fact: (pod: string, line: string, subject: string | null) => string;
  nextStep: (pod: string, subject: string | null) => string;
  read?: (line: string) => string | null;
}

const TASK_NAME = /\btask(?:\s+queue)?\s+["'`]?([a-z][\w-]*[a-z0-9])/i;

export const MESSAGE_SIGNATURES: readonly MessageSignature[] = [
  {
    key: "db-credentials",
    pattern: /password authentication failed|authentication failed for user|role "[^"]+" does not exist|Access denied for user/i,
    weight: 0.85,
    appOrInfra: "infra",
    read: (line) => /for user\s+"?([\w.-]+)"?/i.exec(line)?.[1] ?? null,
    cause: (pod, _line, user) => `Postgres rejects the server's credentials (password authentication failed${user ? ` for user "${user}"` : ""}), so ${pod} fails at startup`,
    fact: (_pod, _line, user) => `password authentication failed${user ? ` for user "${user}"` : ""}`,
    nextStep: () => "Compare the database password in the server's Secret with the one Postgres expects (a rotation that updated only one side); fix the Secret and let the pods restart",
  },
  {
    key: "redis-aof",
    // Redis's append-only file, Prometheus's write-ahead log: a store that cannot load its own files at start.
    pattern: /(bad file format|corrupt\w*|truncated|unexpected end of file)[^\n]*(append[- ]?only|\baof\b|\bwal\b|write[- ]ahead)|(append[- ]?only|\baof\b|\bwal\b)[^\n]*(bad file format|corrupt\w*|truncated)/i,
    weight: 0.9,
    appOrInfra: "infra",
    read: (line) => /([\w.-]+\.aof)\b/i.exec(line)?.[1] ?? (/\bwal\b|write[- ]ahead/i.test(line) ? "WAL" : null),
    cause: (pod, _line, file) =>
      file === "WAL"
        ? `${pod} cannot open its storage: its write-ahead log (WAL) is corrupt, so it crashes on every start`
        : `${pod} cannot load its append-only file (AOF${file ? ` ${file}` : ""} is corrupt), so Redis restarts and refuses connections`,
    fact: (pod, _line, file) => `${pod}: corrupt ${file === "WAL" ? "WAL" : `AOF${file ? ` ${file}` : ""}`}`,
    nextStep: (pod, file) =>
      file === "WAL"
        ? `Move the corrupt WAL segment of ${pod} aside (or restore its volume from a snapshot) so it starts; recent samples in that segment are lost`
        : `Back up the AOF of ${pod} and repair it with redis-check-aof --fix (or restore from a snapshot); Redis starts once it loads`,
  },
  {
    key: "dns-loop",
    pattern: /plugin\/loop|\bLoop \([^)]*\) detected/i,
    weight: 0.85,
    appOrInfra: "infra",
    read: (line) => /Loop \(([^)]*)\)/i.exec(line)?.[1] ?? null,
    cause: (pod, _line, hops) => `CoreDNS detects a forwarding loop${hops ? ` (${hops})` : ""} and exits, so ${pod} crash-loops and in-cluster DNS fails (its upstream resolver points back at itself)`,
    fact: (pod) => `${pod}: CoreDNS forwarding loop detected`,
    nextStep: () => "Point CoreDNS's forward plugin at a real upstream resolver instead of the node's /etc/resolv.conf that loops back (systemd-resolved 127.0.0.53), per coredns.io/plugins/loop#troubleshooting",
  },
  {
    key: "elasticsearch",
    pattern: /es_rejected_execution_exception|rejected execution of|cluster_block_exception|flood[- ]stage|Bulk (index|request)[^\n]*(failed|rejected)/i,
    weight: 0.78,
    appOrInfra: "infra",
    read: (line) => /(es_rejected_execution_exception|cluster_block_exception|flood[- ]stage)/i.exec(line)?.[1] ?? null,
    cause: (pod, line, reason) =>
      /cluster_block_exception|read[-_ ]only|flood[- ]stage/i.test(line)
        ? `Elasticsearch/OpenSearch blocks writes (${reason ?? "cluster_block_exception"}: the indices went read-only, which happens when a data node passes the flood-stage disk watermark), so every indexing call from ${pod} fails`
        : `The search index rejects ${pod}'s bulk writes${reason ? ` (${reason})` : ""}, so the indexer queue backs up`,
    fact: (_pod, _line, reason) => `bulk index writes rejected${reason ? ` (${reason})` : ""}`,
    nextStep: () => "Check the Elasticsearch/OpenSearch cluster: write thread-pool queue, heap and disk watermarks; scale it or slow the indexing before Redis fills",
  },
  {
    key: "schedule-burst",
    pattern: /\bschedul\w*\b[^\n]*\bcron\b\s*[:=]?\s*['"]([0-9*\/,?LW# -]+)['"]/i,
    weight: 0.8,
    appOrInfra: "app",
    read: (line) => /\bcron\b\s*[:=]?\s*['"]([0-9*\/,?LW# -]+)['"]/i.exec(line)?.[1] ?? null,
    cause: (_pod, line, cron) => {
      const schedule = /\bschedule\s+["'`]?([\w.-]+)/i.exec(line)?.[1];
      const workflow = /\bstart\w*\s+([\w-]+)/i.exec(line)?.[1];
      const everySecond = cron !== null && /^\*\s+\*\s+\*\s+\*\s+\*\s+\*$/.test(cron.trim());
      return `The schedule ${schedule ?? "(see the scheduler's logs)"} runs on cron '${cron ?? "?"}'${everySecond ? ", i.e. every second" : ""}, starting ${workflow ?? "workflows"} far more often than intended; those runs fill the decider queue and Redis`;
    },
    fact: (_pod, _line, cron) => `a schedule on cron '${cron ?? "?"}'`,
    nextStep: () => "Pause the schedule and fix its cron expression (six fields: the first is seconds), then let the extra runs drain or terminate them",
  },
  {
    key: "ingress-config",
    // A snippet only when the line says it broke something: "…configuration-snippet is deprecated and will be ignored" is a warning, not a failure.
    pattern: /nginx: \[emerg\]|nginx: configuration file \S+ test failed|(?:invalid|error|failed|unexpected)\b[^\n]*configuration[- ]snippet|configuration[- ]snippet\b[^\n]*\b(?:invalid|error|failed|unexpected)/i,
    weight: 0.85,
    appOrInfra: "infra",
    cause: (pod, line) => `The ingress-nginx controller cannot load its generated nginx configuration (an invalid annotation such as a configuration-snippet on an Ingress), so ${pod} crash-loops: ${quote(line)}`,
    fact: (pod) => `${pod}: nginx configuration test fails`,
    nextStep: () => "Find the Ingress whose nginx.ingress.kubernetes.io/configuration-snippet (or server-snippet) breaks the config and fix or remove it; the controller starts once the config tests clean",
  },
  {
    // A component's in-memory queue that only grows: its sink is missing or stuck, and the heap pays.
    key: "unbounded-buffer",
    pattern: /\bsize\s*[=:]\s*[\d,]+[^\n]*\bdrained\s*[=:]\s*0\b|buffered in memory|queue (?:is )?(?:full|growing)|never drain/i,
    weight: 0.78,
    appOrInfra: "app",
    read: (line) => /"logger(?:_name)?"\s*:\s*"(?:[\w$]+\.)*([\w$]+)"/.exec(line)?.[1] ?? /(?:[a-z][\w$]*\.)+([A-Z][\w$]+)/.exec(line)?.[1] ?? null,
    cause: (pod, line, component) =>
      `${component ?? "A component"} in ${pod} buffers events in an in-memory queue that never drains (its sink is missing or stuck), so the heap grows until GC cannot keep up: ${quote(line)}`,
    fact: (_pod, _line, component) => `${component ?? "an in-memory queue"}: pending queue grows, never drained`,
    nextStep: (_pod, component) => `Configure or fix the sink of ${component ?? "the buffering component"} (or disable it) and restart the affected pods in a maintenance window; raising the heap only buys time`,
  },
  {
    key: "rate-limit",
    pattern: /rate[- ]?limit\w*|throttl\w+/i,
    weight: 0.72,
    appOrInfra: "app",
    read: (line) => TASK_NAME.exec(line)?.[1] ?? null,
    cause: (_pod, _line, task) => `${task ? `Task ${task}` : "A task"} is throttled by its rate limit: every throttled poll logs a warning while its tasks wait in the queue`,
    fact: (_pod, _line, task) => `${task ?? "a task"} throttled by its rate limit`,
    nextStep: (_pod, task) => `Raise ${task ? `${task}'s` : "the task's"} rate limit (rateLimitPerFrequency) if the load is legitimate, or find the workflow producing the burst; the warnings stop when the queue drains`,
  },
  {
    key: "inline-script",
    // A system task that evaluates an expression (INLINE script, JSON_JQ_TRANSFORM jq, DO_WHILE/SWITCH conditions)
    // reported with how long one evaluation took, or as timed out.
    pattern: /\b(INLINE|DO_WHILE|SWITCH|JSON_JQ_TRANSFORM)\b[^\n]*\b(\d+(?:\.\d+)?\s*(?:s|ms|sec|secs|seconds|min|minutes)\b|timed out|exceeded)|script evaluation[^\n]*\b(took|timed out|exceeded)\b[^\n]*\d/i,
    weight: 0.8,
    appOrInfra: "app",
    read: (line) =>
      /INLINE task\s+([\w-]+)[^\n]*?workflow\s+([\w-]+(?:\s+v\d+)?)/i.exec(line)?.slice(1, 3).join(" of workflow ") ??
      /\b(loopCondition|expression)\s+of\s+([\w-]+)\s+(?:in|of)\s+([\w-]+)(?:\/|\s+v)(\d+)/i.exec(line)?.slice(1).reduce((a, part, i) => a + [" ", " of workflow ", " v"][i - 1]! + part) ??
      /\b(?:JSON_JQ_TRANSFORM|INLINE)(?:\s+task)?\s+["'`]?([\w-]+)["'`]?\s+(?:in|of)\s+(?:workflow\s+)?["'`]?([\w-]+)["'`]?(?:(?:\/|\s+v|\s+version\s+)(\d+))?/i.exec(line)?.slice(1).filter(Boolean).reduce((a, part, i) => a + [" of workflow ", " v"][i - 1]! + part) ??
      TASK_NAME.exec(line)?.[1] ??
      null,
    cause: (pod, line, subject) => {
      const kind = /\b(DO_WHILE|SWITCH|INLINE|JSON_JQ_TRANSFORM)\b/.exec(line)?.[1] ?? "INLINE";
      if (kind === "JSON_JQ_TRANSFORM")
        return `The JSON_JQ_TRANSFORM task ${subject ?? "(see the line)"} spends seconds in its jq expression on every execution, and each run of the workflow pays it: ${pod}'s system-task threads and its CPU are pinned by it — ${quote(line)}`;
      return kind === "INLINE"
        ? `The INLINE task ${subject ?? "script"} never finishes evaluating (an endless loop in its script), pinning ${pod}'s system-task threads and its CPU`
        : `The ${kind} task's JavaScript (${subject ?? "its loopCondition/expression"}) takes seconds per evaluation, pinning ${pod}'s ${kind} system-task threads and its CPU: ${quote(line)}`;
    },
    fact: (_pod, line, subject) => (/JSON_JQ_TRANSFORM/.test(line) ? `JSON_JQ_TRANSFORM ${subject ?? "task"} takes seconds per run` : `INLINE task ${subject ?? "script"} still evaluating`),
    nextStep: (_pod, subject) =>
      subject && /\bof workflow\b/.test(subject) && !/loopCondition|expression/.test(subject)
        ? `Tell the owner of ${subject.replace(/^\S+ of workflow /, "workflow ")} that task ${subject.split(" ")[0]} is too expensive per execution (simplify the expression, or compute it once outside the hot path); roll back to the previous workflow version if it came with a recent one`
        : `Fix the loop in the INLINE task ${subject ?? ""}'s script (tell the workflow's owner) and terminate the stuck executions; a server restart only frees the threads until the next run`.replace(/\s+'s/, "'s"),
  },
  {
    key: "tasks-unpolled",
    pattern: /\btask(\s+queue)?\s+[\w-]+\b[^\n]*(\bSCHEDULED\b|pollers\s*[=:]\s*0\b|not (been )?polled|no worker)/i,
    weight: 0.7,
    appOrInfra: "app",
    read: (line) => TASK_NAME.exec(line)?.[1] ?? null,
    cause: (_pod, _line, task) => `${task ?? "A task type"} is never polled: its tasks stay SCHEDULED and their workflows stay RUNNING`,
    fact: (_pod, _line, task) => `${task ?? "a task"} SCHEDULED, never polled`,
    nextStep: (_pod, task) => `Find the workers that poll ${task ?? "the task"} (deployment, replicas, logs) and why they do not`,
  },
  {
    key: "worker-auth",
    pattern: /\b401\b[^\n]*(unauthori[sz]ed|poll)|unauthori[sz]ed[^\n]*poll|poll[^\n]*(connection refused|unauthori[sz]ed)/i,
    weight: 0.75,
    appOrInfra: "app",
    cause: (pod, line) => `Task polls are rejected (401 Unauthorized or connection refused), so the tasks stay unpolled: the workers' server URL or access key is wrong — ${pod}: ${quote(line)}`,
    fact: (pod) => `${pod}: polls rejected`,
    nextStep: (pod) => `Check the server URL and key/secret configured for ${pod}'s deployment against the cluster's`,
  },
];

function quote(line: string): string {
  const flat = (jsonLineMessage(line) ?? line).trim().replace(/\s+/g, " ");
  return `"${flat.length <= 160 ? flat : `${flat.slice(0, 159)}…`}"`;
}

export function matchMessage(line: string): MessageSignature | null {
  return MESSAGE_SIGNATURES.find((signature) => signature.pattern.test(line)) ?? null;
}

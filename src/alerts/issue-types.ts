import type { IssueType, KnownIssueType, Severity } from "./types.ts";

/** The phrase each health-check issue line carries (domain.md §2), checked in this order. */
const ISSUE_PHRASES: ReadonlyArray<readonly [RegExp, KnownIssueType]> = [
  [/heap\s+usage\s+is\s+at/i, "CONDUCTOR_HIGH_HEAP_USAGE"],
  [/cpu\s+usage\s+is\s+at/i, "CONDUCTOR_HIGH_CPU_USAGE"],
  [/error\s+logs\s+count/i, "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD"],
  [/warn(?:ing)?\s+logs\s+count/i, "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD"],
  [/conductor\s+has\s+failed/i, "CONDUCTOR_HEALTHY"],
  [/workers\s+have\s+failed/i, "WORKERS_HEALTHY"],
  // Before the pod phrases: a Prometheus outage is its own type even when a pod is named.
  [/prometheus\s+is\s+down/i, "PROMETHEUS_NOT_RUNNING"],
  [/not\s+running/i, "POD_NOT_RUNNING"],
  [/has\s+been\s+restarted/i, "POD_RESTARTED"],
  [/dns\s+resolution\s+has\s+failed/i, "DNS_HEALTHY"],
  [/has\s+not\s+been\s+resolved/i, "DOMAIN_RESOLUTION"],
  [/domain\s+\S+\s+is\s+down/i, "DOMAIN_REACHABILITY"],
  [/stale\s+api\s+key/i, "AUTH_STALE"],
  [/certificate\s+expires\s+in\s+less\s+than/i, "DOMAIN_CERTIFICATE_WILL_EXPIRE"],
  [/taking\s+too\s+long\s+to\s+respond/i, "RESPONSE_TIME"],
];

const LEADING_SEVERITY = /^\W*(critical|major|minor|warning)\b/i;

/**
 * The issue type of one issue line. Redis usage is CRITICAL or HIGH by the threshold the text
 * names; without one, by the line's severity (given, or leading the text): CRITICAL or HIGH.
 */
export function classifyIssue(text: string, severity?: Severity | null): IssueType {
  if (/redis\s+instance\s+is\s+at/i.test(text)) return classifyRedis(text, severity ?? null);
  return ISSUE_PHRASES.find(([phrase]) => phrase.test(text))?.[1] ?? "UNKNOWN";
}

function classifyRedis(text: string, severity: Severity | null): IssueType {
  if (/critical\s+threshold/i.test(text)) return "REDIS_CRITICAL_USAGE";
  if (/high\s+threshold/i.test(text)) return "REDIS_HIGH_USAGE";
  const lineSeverity = severity ?? LEADING_SEVERITY.exec(text)?.[1]?.toUpperCase();
  return lineSeverity === "CRITICAL" ? "REDIS_CRITICAL_USAGE" : "REDIS_HIGH_USAGE";
}

/** The shapes the alert parser produces; see docs in ../shared/docs/domain.md §1–2. */

export const SEVERITIES = ["CRITICAL", "MAJOR", "MINOR", "WARNING"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The 17 health-issue types the health check reports, plus UNKNOWN for anything else. */
export const ISSUE_TYPES = [
  "REDIS_CRITICAL_USAGE",
  "REDIS_HIGH_USAGE",
  "CONDUCTOR_HIGH_HEAP_USAGE",
  "CONDUCTOR_HIGH_CPU_USAGE",
  "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD",
  "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD",
  "CONDUCTOR_HEALTHY",
  "WORKERS_HEALTHY",
  "PROMETHEUS_NOT_RUNNING",
  "POD_NOT_RUNNING",
  "POD_RESTARTED",
  "DNS_HEALTHY",
  "DOMAIN_RESOLUTION",
  "DOMAIN_REACHABILITY",
  "AUTH_STALE",
  "DOMAIN_CERTIFICATE_WILL_EXPIRE",
  "RESPONSE_TIME",
] as const;
export type KnownIssueType = (typeof ISSUE_TYPES)[number];
export type IssueType = KnownIssueType | "UNKNOWN";

export interface AlertIssue {
  severity: Severity | null;
  type: IssueType;
  /** The issue line as plain text (markdown and emoji removed). */
  text: string;
  pod?: string;
}

export interface Alert {
  executionId: string;
  executionUrl: string;
  severity: Severity;
  organization: string | null;
  environment: string | null;
  cluster: string | null;
  issues: AlertIssue[];
  /** Stable across repeats of one incident; differs between incidents. */
  signature: string;
  /** The first line of the alert as plain text, for replies and logs. */
  headline: string;
  /** What the parser noticed but worked around (several execution URLs, a missing header, ...). */
  notes?: string[];
}

export type ParseResult =
  | { isAlert: true; alert: Alert }
  /** `nearMiss`: the message links an /execution/ URL, so it looks meant as an alert; the poller logs why it is not one. */
  | { isAlert: false; reason: string; nearMiss?: boolean };

/** The parts of a Slack message the parser reads (conversations.history items). */
export interface SlackMessageLike {
  type?: string;
  subtype?: string;
  ts?: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

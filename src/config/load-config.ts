import type { MaskKind } from "../lib/identifier-mask.ts";
import { existsSync, readFileSync } from "node:fs";
import { parse as parseDotenv } from "dotenv";
import { UsageError } from "../lib/errors.ts";
import { envSchema, findCrossFieldProblems, HINTS, type Env } from "./schema.ts";

export interface SlackConfig {
  botToken: string;
  channels: string[];
  apiUrl: string;
  escalationUsers: string[];
}

export interface ConductorConfig {
  serverUrl: string;
  authKey: string;
  authSecret: string;
  requestTimeoutMs: number;
  commandTimeoutMs: number;
}

export interface AnthropicConfig {
  apiKey: string;
  baseUrl: string | undefined;
  model: string;
  timeoutMs: number;
  /** Identifiers replaced by placeholders in what the model is sent (ONCALL_MODEL_MASK). */
  mask: MaskKind[];
}

export type SeverityName = "CRITICAL" | "MAJOR" | "MINOR" | "WARNING";

export interface SmtpConfig {
  host: string;
  /** Default by security: 465 for ssl, 587 for starttls, 25 for none. */
  port: number;
  security: "none" | "starttls" | "ssl";
  /** Both or neither. */
  auth: { username: string; password: string } | undefined;
  from: string;
  /** Recipients of the triage e-mail; empty sends none (escalation e-mails may still go). */
  to: string[];
  /** Alerts below this severity get no triage e-mail. */
  minSeverity: SeverityName;
  timeoutMs: number;
}

export interface NotifyConfig {
  /** Alert severities that escalate to the on-call. */
  escalateSeverities: SeverityName[];
  /** Inconclusive, low-confidence and failed triages escalate too. */
  escalateInconclusive: boolean;
  escalationEmails: string[];
  /** Attempts per notification channel, across cycles and restarts. */
  maxAttempts: number;
  /** Repeats of an (organisation, cluster, issue type) within this window get the short reply only; 0 disables. */
  debounceWindowMs: number;
  debounceBypassCritical: boolean;
}

/** Verdicts from the thread and the recurrence policy (src/feedback). */
export interface FeedbackConfig {
  /** Replies younger than this are read for reactions and `root cause:` replies; 0 turns reading off. */
  windowMs: number;
  threadsPerCycle: number;
  /** Chronic incidents get their reply but no e-mail or escalation. */
  skipChronicNotify: boolean;
  /** A recurring incident whose last answer was judged wrong escalates whatever its severity. */
  escalateRecurringWrong: boolean;
}

export interface OncallConfig {
  /** `claude` when a model is configured and wanted, otherwise `rules`. */
  engine: "claude" | "rules";
  stateFile: string;
  pollIntervalMs: number;
  concurrency: number;
  maxAttempts: number;
  knownIncidentCooldownMs: number;
  shutdownGraceMs: number;
  /** The first retry after a failed attempt waits this long, doubling per failure. */
  retryBackoffMs: number;
  /** How far back a lost or corrupt state is rebuilt from the channels' history. */
  recoveryWindowMs: number;
  toolOutputBudget: number;
  triageDeadlineMs: number;
  maxTurns: number;
  maxToolCalls: number;
  maxInputTokens: number;
}

/** The PostgreSQL state store (ONCALL_STATE_URL); absent: the state file. */
export interface PostgresConfig {
  url: string;
  /** disable: plain TCP; require: TLS without checking the certificate; verify-full: TLS, certificate and host name checked. */
  tls: "disable" | "require" | "verify-full";
  /** A PEM file of CA certificates for verify-full; absent: the system's. */
  caFile: string | undefined;
  poolSize: number;
  /** How long a claim (of an alert, a channel's polling, a notification) holds without renewal. */
  leaseMs: number;
}

/** The operators' endpoint (/healthz, /readyz, /metrics); off without a port. */
export interface OpsConfig {
  httpPort: number | undefined;
  httpAddress: string;
}

export interface Config {
  slack: SlackConfig | undefined;
  conductor: ConductorConfig | undefined;
  anthropic: AnthropicConfig | undefined;
  smtp: SmtpConfig | undefined;
  notify: NotifyConfig;
  feedback: FeedbackConfig;
  oncall: OncallConfig;
  postgres: PostgresConfig | undefined;
  ops: OpsConfig;
  log: { format: "pretty" | "json"; level: string };
}

/** The integrations a command can require; each command asks only for what it uses. */
export type Need = "slack" | "conductor" | "anthropic";

export type ConfigWith<N extends Need> = Config & { [K in N]: NonNullable<Config[K]> };

const REQUIRED: Record<Need, (keyof Env)[]> = {
  slack: ["SLACK_BOT_TOKEN", "SLACK_ALERT_CHANNELS"],
  conductor: ["CONDUCTOR_SERVER_URL", "CONDUCTOR_AUTH_KEY", "CONDUCTOR_AUTH_SECRET"],
  anthropic: ["ANTHROPIC_API_KEY"],
};

/** Reads `.env` (if present) under the process environment, which wins. */
export function readEnvironment(processEnv: NodeJS.ProcessEnv, envFile = ".env"): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return { ...fromFile, ...processEnv };
}

/**
 * Validates the whole environment at once and fails with one message listing every problem
 * and how to fix it. Values are never echoed for secrets.
 */
export function loadConfig<N extends Need>(raw: Record<string, string | undefined>, needs: readonly N[]): ConfigWith<N> {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(cleaned);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "environment") as keyof Env;
      const hint = HINTS[key];
      problems.push(`${key} ${issue.message}${hint ? ` (${hint})` : ""}`);
    }
  }
  const env = parsed.success ? parsed.data : undefined;
  if (env) problems.push(...findCrossFieldProblems(env));
  for (const need of needs) {
    for (const key of REQUIRED[need]) {
      const value = env?.[key] ?? cleaned[key];
      const empty = value === undefined || (Array.isArray(value) && value.length === 0);
      if (empty && !problems.some((p) => p.startsWith(`${key} `))) {
        const hint = HINTS[key];
        problems.push(`${key} is not set${hint ? `: ${hint}` : ""}`);
      }
    }
  }
  if (problems.length > 0 || !env) {
    throw new UsageError(
      `Configuration problem${problems.length === 1 ? "" : "s"} (${problems.length}):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nSet these in the environment or in .env (see .env.example).",
    );
  }
  return toConfig(env) as ConfigWith<N>;
}

const DEFAULT_SMTP_PORTS = { none: 25, starttls: 587, ssl: 465 } as const;

function toConfig(env: Env): Config {
  const slack =
    env.SLACK_BOT_TOKEN && env.SLACK_ALERT_CHANNELS.length > 0
      ? {
          botToken: env.SLACK_BOT_TOKEN,
          channels: env.SLACK_ALERT_CHANNELS,
          apiUrl: env.SLACK_API_URL.endsWith("/") ? env.SLACK_API_URL : `${env.SLACK_API_URL}/`,
          escalationUsers: env.SLACK_ESCALATION_USERS,
        }
      : undefined;
  const conductor =
    env.CONDUCTOR_SERVER_URL && env.CONDUCTOR_AUTH_KEY && env.CONDUCTOR_AUTH_SECRET
      ? {
          serverUrl: env.CONDUCTOR_SERVER_URL.replace(/\/+$/, ""),
          authKey: env.CONDUCTOR_AUTH_KEY,
          authSecret: env.CONDUCTOR_AUTH_SECRET,
          requestTimeoutMs: env.CONDUCTOR_REQUEST_TIMEOUT,
          commandTimeoutMs: env.CONDUCTOR_COMMAND_TIMEOUT,
        }
      : undefined;
  const anthropic = env.ANTHROPIC_API_KEY
    ? { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL, model: env.ANTHROPIC_MODEL, timeoutMs: env.ANTHROPIC_TIMEOUT, mask: env.ONCALL_MODEL_MASK }
    : undefined;
  const smtp = env.SMTP_HOST && env.SMTP_FROM
    ? {
        host: env.SMTP_HOST,
        port: env.SMTP_PORT ?? DEFAULT_SMTP_PORTS[env.SMTP_SECURITY],
        security: env.SMTP_SECURITY,
        auth: env.SMTP_USERNAME && env.SMTP_PASSWORD ? { username: env.SMTP_USERNAME, password: env.SMTP_PASSWORD } : undefined,
        from: env.SMTP_FROM,
        to: env.SMTP_TO,
        minSeverity: env.SMTP_MIN_SEVERITY,
        timeoutMs: env.SMTP_TIMEOUT,
      }
    : undefined;
  const engine = env.ONCALL_ENGINE === "auto" ? (anthropic ? "claude" : "rules") : env.ONCALL_ENGINE;
  return {
    slack,
    conductor,
    anthropic,
    smtp,
    notify: {
      escalateSeverities: env.ONCALL_ESCALATE_SEVERITIES,
      escalateInconclusive: env.ONCALL_ESCALATE_INCONCLUSIVE,
      escalationEmails: env.ONCALL_ESCALATION_EMAILS,
      maxAttempts: env.ONCALL_NOTIFY_MAX_ATTEMPTS,
      debounceWindowMs: env.ONCALL_DEBOUNCE_WINDOW,
      debounceBypassCritical: env.ONCALL_DEBOUNCE_BYPASS_CRITICAL,
    },
    oncall: {
      engine,
      stateFile: env.ONCALL_STATE_FILE,
      pollIntervalMs: env.ONCALL_POLL_INTERVAL,
      concurrency: env.ONCALL_CONCURRENCY,
      maxAttempts: env.ONCALL_MAX_ATTEMPTS,
      knownIncidentCooldownMs: env.ONCALL_KNOWN_INCIDENT_COOLDOWN,
      shutdownGraceMs: env.ONCALL_SHUTDOWN_GRACE,
      retryBackoffMs: env.ONCALL_RETRY_BACKOFF,
      recoveryWindowMs: env.ONCALL_RECOVERY_WINDOW,
      toolOutputBudget: env.ONCALL_TOOL_OUTPUT_BUDGET,
      triageDeadlineMs: env.ONCALL_TRIAGE_DEADLINE,
      maxTurns: env.ONCALL_MAX_TURNS,
      maxToolCalls: env.ONCALL_MAX_TOOL_CALLS,
      maxInputTokens: env.ONCALL_MAX_INPUT_TOKENS,
    },
    postgres: env.ONCALL_STATE_URL
      ? {
          url: env.ONCALL_STATE_URL,
          tls: env.ONCALL_STATE_TLS,
          caFile: env.ONCALL_STATE_TLS_CA,
          poolSize: env.ONCALL_STATE_POOL_SIZE,
          leaseMs: env.ONCALL_STATE_LEASE,
        }
      : undefined,
    feedback: {
      windowMs: env.ONCALL_FEEDBACK_WINDOW,
      threadsPerCycle: env.ONCALL_FEEDBACK_THREADS_PER_CYCLE,
      skipChronicNotify: env.ONCALL_SKIP_CHRONIC_NOTIFY,
      escalateRecurringWrong: env.ONCALL_ESCALATE_RECURRING_WRONG,
    },
    ops: { httpPort: env.ONCALL_HTTP_PORT, httpAddress: env.ONCALL_HTTP_ADDRESS },
    log: { format: env.LOG_FORMAT, level: env.LOG_LEVEL },
  };
}

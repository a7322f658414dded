import { z } from "zod";
import { parseDuration } from "../lib/duration.ts";
import { MASK_KINDS, type MaskKind } from "../lib/identifier-mask.ts";

/**
 * Every environment variable the bot reads, with its default. `.env.example` mirrors this file;
 * a test keeps the two in step.
 */
/**
 * A duration within [min, max] (both written like the values, e.g. "1s", "1h"). Every duration is
 * bounded: 0 would spin a loop or fail every call, and anything above ~24 days overflows Node's timers.
 */
const duration = (fallback: string, min: string, max: string) => {
  const [minMs, maxMs] = [parseDuration(min) ?? 0, parseDuration(max) ?? 0];
  return z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a duration: use seconds (30) or 30s, 5m, 1h` });
        return z.NEVER;
      }
      if (ms < minMs || ms > maxMs) {
        ctx.addIssue({ code: "custom", message: `"${text}" is out of range: use a duration from ${min} to ${max}` });
        return z.NEVER;
      }
      return ms;
    });
};

/** A whole number from 1 to `max`. */
const positiveInt = (fallback: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .positive("must be above 0")
    .max(max, `must be at most ${max}`)
    .default(fallback);

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://example.com/api" });

const SEVERITY_NAMES = ["CRITICAL", "MAJOR", "MINOR", "WARNING"] as const;

const commaList = (item: RegExp, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((c) => c.trim()).filter(Boolean))
    .refine((items) => items.every((i) => item.test(i)), { message });

const EMAIL = /^[^\s@<>,;]+@[^\s@<>,;]+\.[^\s@<>,;]+$/;

const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { error: "must be true or false" })
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalSecret = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

export const envSchema = z.object({
  SLACK_BOT_TOKEN: optionalSecret.refine((v) => v === undefined || /^xox[bp]-/.test(v), {
    message: "must be a Slack bot token starting with xoxb-",
  }),
  SLACK_ALERT_CHANNELS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((c) => c.trim()).filter(Boolean))
    .refine((ids) => ids.every((id) => /^[CGD][A-Z0-9]{2,}$/.test(id)), {
      message: "must be comma-separated channel ids like C0123ABCD (not channel names)",
    }),
  SLACK_API_URL: httpUrl.default("https://slack.com/api/"),
  SLACK_ESCALATION_USERS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((c) => c.trim()).filter(Boolean))
    .refine((ids) => ids.every((id) => /^[UW][A-Z0-9]{2,}$/.test(id)), {
      message: "must be comma-separated Slack user ids like U0123ABCD",
    }),

  CONDUCTOR_SERVER_URL: httpUrl.optional(),
  CONDUCTOR_AUTH_KEY: optionalSecret,
  CONDUCTOR_AUTH_SECRET: optionalSecret,
  CONDUCTOR_REQUEST_TIMEOUT: duration("30s", "1s", "5m"),
  CONDUCTOR_COMMAND_TIMEOUT: duration("3m", "5s", "30m"),

  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: httpUrl.optional(),
  ANTHROPIC_MODEL: z.string().trim().min(1).default("claude-sonnet-5-5"),
  ANTHROPIC_TIMEOUT: duration("90s", "5s", "10m"),
  ONCALL_MODEL_MASK: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(",").map((c) => c.trim().toLowerCase()).filter(Boolean))
    .refine((kinds) => kinds.every((k) => (MASK_KINDS as readonly string[]).includes(k)), { message: "must be a comma-separated list of ips, emails, hosts" })
    .transform((kinds) => [...new Set(kinds)] as MaskKind[]),

  ONCALL_ENGINE: z.enum(["auto", "claude", "rules"], { error: "must be auto, claude or rules" }).default("auto"),
  ONCALL_STATE_FILE: z.string().trim().min(1).default(".oncall-state.json"),
  ONCALL_STATE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a PostgreSQL URL like postgres://user:password@host:5432/oncall" })
    .optional()
    .refine((v) => v === undefined || !/[?&]ssl(mode|cert|key|rootcert)?=/i.test(v), {
      message: "must not carry ssl/sslmode parameters: set ONCALL_STATE_TLS (and ONCALL_STATE_TLS_CA) instead",
    }),
  ONCALL_STATE_TLS: z
    .enum(["disable", "require", "verify-full"], { error: "must be disable, require or verify-full" })
    .default("verify-full"),
  ONCALL_STATE_TLS_CA: z.string().trim().optional(),
  ONCALL_STATE_POOL_SIZE: positiveInt(5, 50),
  ONCALL_STATE_LEASE: duration("30s", "1s", "10m"),
  ONCALL_POLL_INTERVAL: duration("30s", "2s", "1h"),
  ONCALL_CONCURRENCY: positiveInt(8, 64),
  ONCALL_MAX_ATTEMPTS: positiveInt(3, 20),
  ONCALL_KNOWN_INCIDENT_COOLDOWN: duration("1h", "0s", "7d"),
  // Below Kubernetes' default terminationGracePeriodSeconds (30 s), leaving time to save and exit.
  ONCALL_SHUTDOWN_GRACE: duration("25s", "1s", "10m"),
  ONCALL_RETRY_BACKOFF: duration("30s", "1s", "1h"),
  ONCALL_RECOVERY_WINDOW: duration("24h", "0s", "7d"),
  ONCALL_TOOL_OUTPUT_BUDGET: positiveInt(6000, 100_000).refine((n) => n >= 500, "must be at least 500"),
  ONCALL_TRIAGE_DEADLINE: duration("5m", "1s", "1h"),
  ONCALL_MAX_TURNS: positiveInt(12, 50),
  ONCALL_MAX_TOOL_CALLS: positiveInt(15, 100),
  ONCALL_MAX_INPUT_TOKENS: positiveInt(400_000, 10_000_000),

  SMTP_HOST: z.string().trim().optional(),
  SMTP_PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a port number")
    .min(1, "must be a port number from 1 to 65535")
    .max(65535, "must be a port number from 1 to 65535")
    .optional(),
  SMTP_SECURITY: z.enum(["none", "starttls", "ssl"], { error: "must be none, starttls or ssl" }).default("starttls"),
  SMTP_USERNAME: z.string().trim().optional(),
  SMTP_PASSWORD: optionalSecret,
  SMTP_FROM: z.string().trim().regex(EMAIL, "must be an e-mail address like oncall-agent@example.com").optional(),
  SMTP_TO: commaList(EMAIL, "must be comma-separated e-mail addresses"),
  SMTP_MIN_SEVERITY: z.enum(SEVERITY_NAMES, { error: "must be CRITICAL, MAJOR, MINOR or WARNING" }).default("MAJOR"),
  SMTP_TIMEOUT: duration("20s", "1s", "5m"),

  ONCALL_ESCALATE_SEVERITIES: z
    .string()
    .default("CRITICAL")
    .transform((v) => (v.trim().toLowerCase() === "none" ? [] : v.split(",").map((s) => s.trim().toUpperCase()).filter(Boolean)))
    .refine((items) => items.every((i) => (SEVERITY_NAMES as readonly string[]).includes(i)), {
      message: "must be comma-separated severities (CRITICAL,MAJOR,MINOR,WARNING) or none",
    })
    .transform((items) => items as (typeof SEVERITY_NAMES)[number][]),
  ONCALL_ESCALATE_INCONCLUSIVE: flag(true),
  ONCALL_ESCALATION_EMAILS: commaList(EMAIL, "must be comma-separated e-mail addresses"),
  ONCALL_NOTIFY_MAX_ATTEMPTS: positiveInt(3, 20),
  ONCALL_DEBOUNCE_WINDOW: duration("10m", "0s", "1d"),
  ONCALL_DEBOUNCE_BYPASS_CRITICAL: flag(false),
  ONCALL_FEEDBACK_WINDOW: duration("3d", "0s", "30d"),
  ONCALL_FEEDBACK_THREADS_PER_CYCLE: positiveInt(10, 50),
  ONCALL_SKIP_CHRONIC_NOTIFY: flag(false),
  ONCALL_ESCALATE_RECURRING_WRONG: flag(false),

  ONCALL_HTTP_PORT: z.coerce
    .number({ error: "must be a port number" })
    .int("must be a port number")
    .min(1, "must be a port number from 1 to 65535")
    .max(65535, "must be a port number from 1 to 65535")
    .optional(),
  ONCALL_HTTP_ADDRESS: z.union([z.ipv4(), z.ipv6(), z.literal("localhost")], { error: "must be an IP address to listen on, e.g. 0.0.0.0 or 127.0.0.1" }).default("127.0.0.1"),

  LOG_FORMAT: z.enum(["pretty", "json"], { error: "must be pretty or json" }).default("pretty"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type Env = z.output<typeof envSchema>;

/** How to fix each variable, appended to its error. */
export const HINTS: Partial<Record<keyof Env, string>> = {
  SLACK_BOT_TOKEN: "create a Slack app, install it, and copy its Bot User OAuth Token (xoxb-...)",
  SLACK_ALERT_CHANNELS: "right-click the channel > View channel details > copy the channel id (C...)",
  CONDUCTOR_SERVER_URL: "the Conductor base URL ending in /api, e.g. https://your-cluster.orkesconductor.io/api",
  CONDUCTOR_AUTH_KEY: "an application access key id from Conductor > Applications",
  CONDUCTOR_AUTH_SECRET: "the secret of that access key",
  ANTHROPIC_API_KEY: "an Anthropic API key (sk-ant-...), or set ONCALL_ENGINE=rules to run without a model",
  ONCALL_STATE_URL: "leave it empty to keep the state in ONCALL_STATE_FILE; the password may also come from PGPASSWORD",
  SMTP_HOST: "the SMTP server's host name, e.g. smtp.example.com (leave empty to send no e-mail)",
  SMTP_FROM: "the sender address, e.g. oncall-agent@example.com",
};

/** Rules that span several variables; each returns a problem in the same words as a schema issue. */
export function findCrossFieldProblems(env: Env): string[] {
  const problems: string[] = [];
  if (!!env.SMTP_USERNAME !== !!env.SMTP_PASSWORD) {
    problems.push("SMTP_USERNAME and SMTP_PASSWORD must be set together (both for a login, neither for none)");
  }
  if (env.SMTP_HOST && !env.SMTP_FROM) problems.push(`SMTP_FROM is not set: ${HINTS.SMTP_FROM} (needed with SMTP_HOST)`);
  const recipients = [...(env.SMTP_TO.length > 0 ? ["SMTP_TO"] : []), ...(env.ONCALL_ESCALATION_EMAILS.length > 0 ? ["ONCALL_ESCALATION_EMAILS"] : [])];
  if (!env.SMTP_HOST && recipients.length > 0) {
    problems.push(`SMTP_HOST is not set: ${recipients.join(" and ")} need an SMTP server to send through`);
  }
  if (!env.ONCALL_STATE_URL && (env.ONCALL_STATE_TLS_CA !== undefined)) {
    problems.push("ONCALL_STATE_TLS_CA is set but ONCALL_STATE_URL is not: the CA is for the PostgreSQL state store");
  }
  if (env.ONCALL_STATE_TLS_CA !== undefined && env.ONCALL_STATE_TLS !== "verify-full") {
    problems.push("ONCALL_STATE_TLS_CA needs ONCALL_STATE_TLS=verify-full (a CA is only used to verify the server)");
  }
  return problems;
}

import { z } from "zod";
import { parseDuration } from "../lib/duration.ts";

/**
 * Every environment variable the bot reads, with its default. `.env.example` mirrors this file;
 * a test keeps the two in step.
 */
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `"${text}" is not a duration: use seconds (30) or 30s, 5m, 1h` });
        return z.NEVER;
      }
      return ms;
    });

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be above 0").default(fallback);

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL, e.g. https://example.com/api" });

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
  CONDUCTOR_REQUEST_TIMEOUT: duration("30s"),
  CONDUCTOR_COMMAND_TIMEOUT: duration("3m"),

  ANTHROPIC_API_KEY: optionalSecret,
  ANTHROPIC_BASE_URL: httpUrl.optional(),
  ANTHROPIC_MODEL: z.string().trim().min(1).default("claude-sonnet-4-5"),
  ANTHROPIC_TIMEOUT: duration("90s"),

  ONCALL_ENGINE: z.enum(["auto", "claude", "rules"], { error: "must be auto, claude or rules" }).default("auto"),
  ONCALL_STATE_FILE: z.string().trim().min(1).default(".oncall-state.json"),
  ONCALL_POLL_INTERVAL: duration("30s"),
  ONCALL_CONCURRENCY: positiveInt(4),
  ONCALL_MAX_ATTEMPTS: positiveInt(3),
  ONCALL_KNOWN_INCIDENT_COOLDOWN: duration("1h"),
  ONCALL_SHUTDOWN_GRACE: duration("60s"),
  ONCALL_TOOL_OUTPUT_BUDGET: positiveInt(6000),
  ONCALL_TRIAGE_DEADLINE: duration("5m"),
  ONCALL_MAX_TURNS: positiveInt(12),
  ONCALL_MAX_TOOL_CALLS: positiveInt(15),
  ONCALL_MAX_INPUT_TOKENS: positiveInt(400_000),

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
};

import type { Config } from "../config/index.ts";
import { errorMessage } from "../lib/errors.ts";
import { redactKnownValues, redactSecrets } from "../lib/redact.ts";
import type { EmailSenderOptions } from "../notify/email.ts";
import type { CheckResult, Service } from "./check-result.ts";
import { verifyAnthropic } from "./verify-anthropic.ts";
import { verifyConductor } from "./verify-conductor.ts";
import { verifySlack } from "./verify-slack.ts";
import { verifySmtp } from "./verify-smtp.ts";

const NOT_CONFIGURED: Record<Service, string> = {
  slack: "not configured: set SLACK_BOT_TOKEN and SLACK_ALERT_CHANNELS",
  conductor: "not configured: set CONDUCTOR_SERVER_URL, CONDUCTOR_AUTH_KEY and CONDUCTOR_AUTH_SECRET",
  anthropic: "not configured: set ANTHROPIC_API_KEY (or run with ONCALL_ENGINE=rules)",
  smtp: "not configured: set SMTP_HOST and SMTP_FROM",
};

export interface RunChecksOptions {
  /** The services to check; a named service that is not configured fails. */
  services: readonly Service[];
  /** True when the user named the service(s): not configured is a FAIL, not a SKIP. */
  named: boolean;
  timeoutMs: number;
  smtpOptions?: EmailSenderOptions;
}

/** Runs the checks in parallel; each ends in PASS, FAIL (with what to fix) or SKIP. Details never carry a configured secret. */
export async function runChecks(config: Config, options: RunChecksOptions): Promise<CheckResult[]> {
  const secrets = [config.slack?.botToken, config.conductor?.authSecret, config.anthropic?.apiKey, config.smtp?.auth?.password].filter(
    (s): s is string => !!s,
  );
  const clean = (text: string) => redactKnownValues(redactSecrets(text.replace(/\s+/g, " ").trim()), secrets);
  const timeoutMs = options.timeoutMs;
  const checks: Record<Service, (() => Promise<string | { detail: string; warnings: string[] }>) | null> = {
    slack: config.slack ? () => verifySlack(config.slack!, { timeoutMs }) : null,
    conductor: config.conductor ? () => verifyConductor(config.conductor!, { timeoutMs }) : null,
    anthropic: config.anthropic ? () => verifyAnthropic(config.anthropic!, { timeoutMs }) : null,
    smtp: config.smtp ? () => verifySmtp(config.smtp!, options.smtpOptions) : null,
  };
  return Promise.all(
    options.services.map(async (service): Promise<CheckResult> => {
      const check = checks[service];
      if (!check) return { service, status: options.named ? "FAIL" : "SKIP", detail: NOT_CONFIGURED[service] };
      try {
        const outcome = await withTimeout(check(), timeoutMs + 1000);
        if (typeof outcome === "string") return { service, status: "PASS", detail: clean(outcome) };
        const warnings = outcome.warnings.map((warning) => clean(warning));
        return { service, status: warnings.length > 0 ? "WARN" : "PASS", detail: [clean(outcome.detail), ...warnings.map((warning) => `WARN ${warning}`)].join("\n") };
      } catch (error) {
        return { service, status: "FAIL", detail: clean(errorMessage(error)) };
      }
    }),
  );
}

/** A last guard over each check's own timeouts, so one hung integration cannot hang the command. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

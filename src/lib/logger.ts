import { pino, type Logger } from "pino";
import { currentLogContext } from "./log-context.ts";
import { redactDeep, redactText } from "./redact.ts";

export type { Logger };

/** Keys whose values never reach a log line, wherever they sit in a logged object. */
const SECRET_KEYS = [
  "token",
  "authorization",
  "password",
  "secret",
  "apiKey",
  "keySecret",
  "authSecret",
  "botToken",
  "appToken",
  "signingSecret",
  "accessToken",
  "SLACK_BOT_TOKEN",
  "CONDUCTOR_AUTH_SECRET",
  "ANTHROPIC_API_KEY",
  "SMTP_PASSWORD",
];

export interface LoggerOptions {
  format: "pretty" | "json";
  level: string;
  /** Where lines go; stderr by default so stdout stays for results. */
  destination?: NodeJS.WritableStream;
  /** Configured secret values, scrubbed wherever they appear in a line. */
  secrets?: readonly string[];
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? process.stderr;
  const redact = { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]), censor: "[redacted]" };
  const secrets = options.secrets ?? [];
  // Beyond the named keys: secret shapes and configured values in any field or message.
  const scrub = {
    hooks: {
      logMethod(this: Logger, args: Parameters<pino.LogFn>, method: pino.LogFn) {
        return method.apply(this, args.map((arg) => (typeof arg === "string" ? redactText(arg, secrets) : arg)) as Parameters<pino.LogFn>);
      },
    },
  };
  const log = (object: Record<string, unknown>) => redactDeep(object, secrets);
  // The alert, execution and triage of the work in progress (see log-context.ts).
  const mixin = () => ({ ...currentLogContext() });
  if (options.format === "json") {
    // One object a line: level as a word, ISO time, message — what log shippers expect.
    return pino(
      {
        level: options.level,
        redact,
        base: undefined,
        mixin,
        messageKey: "message",
        timestamp: pino.stdTimeFunctions.isoTime,
        ...scrub,
        formatters: { level: (label) => ({ level: label }), log },
      },
      destination as pino.DestinationStream,
    );
  }
  return pino(
    {
      level: options.level,
      redact,
      base: undefined,
      mixin,
      timestamp: false,
      ...scrub,
      formatters: { level: (label) => ({ level: label }), log },
    },
    prettyStream(destination),
  );
}

/** A small human format (`level msg key=value`) without pulling in pino-pretty's dependency tree. */
function prettyStream(out: NodeJS.WritableStream): pino.DestinationStream {
  return {
    write(line: string) {
      try {
        const { level, msg, time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const fields = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        out.write(`${String(level).padEnd(5)} ${String(msg ?? "")}${fields ? `  ${fields}` : ""}\n`);
      } catch {
        out.write(line);
      }
    },
  };
}

/** A logger that drops everything: the default for library code under test. */
export const silentLogger: Logger = pino({ level: "silent" });

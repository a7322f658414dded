import { REDACTED, redactKnownValues, redactSecretsCounting } from "../lib/redact.ts";

/**
 * Redaction for what leaves the cluster in a captured scenario: the bot's secret rules
 * (src/lib/redact.ts), then what a scenario shared with others must not carry either —
 * connection strings, e-mail addresses, optionally IPv4 addresses — and the configured
 * credentials themselves. Counts every replacement by kind, for capture's summary.
 */
export interface CaptureRedactor {
  text(value: string): string;
  /** A JSON value with every string redacted; keys named like secrets lose their values too. */
  json<T>(value: T): T;
  counts(): Record<string, number>;
}

export interface CaptureRedactionOptions {
  ips: boolean;
  /** Exact configured secret values (Conductor key and secret, Slack token, Anthropic key). */
  knownValues: readonly string[];
}

interface ExtraRule {
  kind: string;
  pattern: RegExp;
  replace: (match: string, ...groups: string[]) => string;
}

const EXTRA_RULES: readonly ExtraRule[] = [
  {
    kind: "connection string",
    // A database or broker URL names the host, the port, the user and often the database: keep only the scheme.
    // The rest may already hold a `[redacted]` password; a rest that is only the marker is left as is.
    pattern: /(?<![A-Za-z0-9+.-])((?:jdbc:)?(?:postgres(?:ql)?|mysql|mariadb|sqlserver|redis|rediss|mongodb(?:\+srv)?|amqps?|nats|kafka):\/\/)(?:\[redacted\]|[^\s"'<>`,;)\]}[\\])+/gi,
    replace: (_match, scheme) => `${scheme}${REDACTED}`,
  },
  {
    kind: "e-mail address",
    pattern: /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g,
    replace: () => "[redacted-email]",
  },
];

const IP_RULE: ExtraRule = {
  kind: "ip address",
  // Not after a letter, digit or dot, nor followed by another `.digit`: keeps versions like v5.2.14.1 and 1.2.3.4.5.
  pattern: /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)(?![\w-])/g,
  replace: () => "[redacted-ip]",
};

export function createCaptureRedactor(options: CaptureRedactionOptions): CaptureRedactor {
  const counts = new Map<string, number>();
  const count = (kind: string) => counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const rules = options.ips ? [...EXTRA_RULES, IP_RULE] : EXTRA_RULES;

  const redactText = (value: string, tally: (kind: string) => void): string => {
    const known = redactKnownValues(value, options.knownValues);
    const knownHits = known.split(REDACTED).length - value.split(REDACTED).length;
    for (let i = 0; i < knownHits; i += 1) tally("configured credential");
    let result = redactSecretsCounting(known, tally);
    for (const rule of rules) {
      result = result.replace(rule.pattern, (...args: string[]) => {
        const match = args[0] ?? "";
        const replaced = rule.replace(match, ...args.slice(1));
        if (replaced !== match) tally(rule.kind);
        return replaced;
      });
    }
    return result;
  };

  return {
    text: (value) => redactText(value, count),
    json<T>(value: T): T {
      // As JSON text first, so that `"password": "…"` pairs are seen with their key.
      const pending = new Map<string, number>();
      const tally = (kind: string) => pending.set(kind, (pending.get(kind) ?? 0) + 1);
      const serialized = JSON.stringify(value);
      if (serialized === undefined) return value;
      try {
        const parsed = JSON.parse(redactText(serialized, tally)) as T;
        for (const [kind, n] of pending) counts.set(kind, (counts.get(kind) ?? 0) + n);
        return parsed;
      } catch {
        // A replacement broke the JSON (an escape inside a match): redact string by string instead.
        return mapStrings(value, (s) => redactText(s, count)) as T;
      }
    },
    counts: () => Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b))),
  };
}

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

/** `capture`'s summary line: what was redacted, by kind and count. */
export function formatRedactionCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  if (entries.length === 0) return "redacted: nothing";
  return `redacted: ${entries.map(([kind, n]) => `${kind} ×${n}`).join(", ")}`;
}

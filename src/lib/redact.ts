/** The marker left where a secret was. A short prefix may stay in front of it as a hint. */
export const REDACTED = "[redacted]";

interface RedactionRule {
  name: string;
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

// Keys whose value is a secret. A key must END with one of these words, so that
// `password_reset_count` or `token_count` are left alone while `db_password` or `keySecret` are not.
const SECRET_KEY =
  "[A-Za-z0-9_.-]*?(?:password|passwd|pwd|passphrase|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|private[_-]?key|credentials?)";
// A value: double-quoted (with escapes), single-quoted, or bare up to a delimiter.
const SECRET_VALUE = String.raw`(?!["']?[^\s"',;&}]*\[redacted\])(?:"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^\s"',;&})\]]+)`;

/**
 * A pattern that opens with a repeated character class starts only where a run of those characters
 * starts (a lookbehind, not `\b`): otherwise a long run like `a-a-a-…` in a log is rescanned from
 * every position, quadratically.
 * Ordered: specific shapes first, so a token inside `token=...` keeps its hint prefix
 * and the generic key-value rule does not redact a value twice.
 */
const RULES: readonly RedactionRule[] = [
  {
    name: "private key block",
    // An unterminated block (a log cut short) is redacted to the end of the text.
    pattern: /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (_match, kind) => `-----BEGIN ${kind}PRIVATE KEY-----${REDACTED}-----END ${kind}PRIVATE KEY-----`,
  },
  {
    // A key whose lines were split apart (one log line or JSON string each): the body lines alone.
    // PEM body lines are 64 base64 characters with digits among them; a hex digest is not one (no
    // g-z, + or /), nor is a slash-separated class path (no digit).
    name: "private key body line",
    pattern: /(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9+/]*[g-zG-Z+/])(?=[A-Za-z+/]*[0-9])[A-Za-z0-9+/]{60,}={0,2}(?![A-Za-z0-9+/=])/g,
    replace: REDACTED,
  },
  { name: "github token", pattern: /\b(gh[pousr])_[A-Za-z0-9]{30,}/g, replace: `$1_${REDACTED}` },
  { name: "github fine-grained token", pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, replace: `github_pat_${REDACTED}` },
  { name: "gitlab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g, replace: `glpat-${REDACTED}` },
  { name: "npm token", pattern: /\bnpm_[A-Za-z0-9]{30,}/g, replace: `npm_${REDACTED}` },
  { name: "google api key", pattern: /\bAIza[0-9A-Za-z_-]{30,}/g, replace: `AIza${REDACTED}` },
  { name: "stripe key", pattern: /\b([rs]k_(?:live|test)_)[A-Za-z0-9]{10,}/g, replace: `$1${REDACTED}` },
  { name: "azure sas signature", pattern: /([?&;]sig=)(?!\[redacted\])[^&\s"';]+/gi, replace: `$1${REDACTED}` },
  {
    // SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>, as pg_authid stores it.
    name: "scram verifier",
    pattern: /\bSCRAM-SHA-(1|256)\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/g,
    replace: `SCRAM-SHA-$1$${REDACTED}`,
  },
  { name: "md5 password hash", pattern: /\bmd5[0-9a-f]{32}\b/g, replace: `md5${REDACTED}` },
  {
    // ALTER/CREATE ROLE … [ENCRYPTED] PASSWORD '…' in other sessions' query text.
    name: "sql password literal",
    pattern: /\b(PASSWORD\s+)(?:E?'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\2\$)/gi,
    replace: (_match, head) => `${head}'${REDACTED}'`,
  },
  {
    name: "slack webhook url",
    pattern: /https:\/\/hooks\.slack(?:-gov)?\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9/_-]+/g,
    replace: `https://hooks.slack.com/${REDACTED}`,
  },
  { name: "slack token", pattern: /\b(xox[abeoprs]|xapp)-[A-Za-z0-9-]{6,}/g, replace: `$1-${REDACTED}` },
  { name: "anthropic key", pattern: /\bsk-ant-[A-Za-z0-9_-]{8,}/g, replace: `sk-ant-${REDACTED}` },
  // Requires a long unbroken run, so that names like `sk-worker-7f9c8d-x2k4q` stay readable.
  {
    name: "openai-like key",
    pattern: /(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]+/g,
    replace: (match) => (/[A-Za-z0-9]{20}/.test(match) ? `sk-${REDACTED}` : match),
  },
  {
    name: "jwt",
    pattern: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
    replace: REDACTED,
  },
  {
    name: "authorization header",
    pattern:
      /\b((?:x-)?authorization["']?\s*[:=]\s*["']?)(?!(?:(?:bearer|basic|token)\s+)?\[redacted\])(?:(bearer|basic|token)\s+)?[^\s"',;]+/gi,
    replace: (_match, head, scheme) => `${head}${scheme ? `${scheme} ` : ""}${REDACTED}`,
  },
  { name: "bearer token", pattern: /\b(bearer)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{16,}/gi, replace: `$1 ${REDACTED}` },
  { name: "aws access key id", pattern: /\b(AKIA|ASIA)[A-Z0-9]{16}\b/g, replace: `$1${REDACTED}` },
  {
    name: "password in url",
    pattern: /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):(?!\[redacted\])[^\s@/]+@/gi,
    replace: `$1:${REDACTED}@`,
  },
  {
    name: "secret key-value pair",
    pattern: new RegExp(`(["']?)(?<![A-Za-z0-9_.-])(${SECRET_KEY})\\1(\\s*[:=]\\s*)${SECRET_VALUE}`, "gi"),
    replace: (match, quote, key, separator) => {
      const value = match.slice(quote.length * 2 + key.length + separator.length);
      const valueQuote = value.startsWith('"') || value.startsWith("'") ? (value[0] ?? "") : "";
      return `${quote}${key}${quote}${separator}${valueQuote}${REDACTED}${valueQuote}`;
    },
  },
];

/** Replaces every recognisable secret (tokens, keys, passwords, JWTs, PEM blocks) with `[redacted]`. */
export function redactSecrets(text: string): string {
  return redactSecretsCounting(text, () => {});
}

/** As `redactSecrets`, telling `count` the kind (rule name) of every replacement it makes. */
export function redactSecretsCounting(text: string, count: (kind: string) => void): string {
  let result = text;
  for (const rule of RULES) {
    result = result.replace(rule.pattern, (...args: string[]) => {
      const match = args[0] ?? "";
      const replaced = typeof rule.replace === "string" ? rule.replace.replace(/\$(\d)/g, (_m, n: string) => args[Number(n)] ?? "") : rule.replace(match, ...args.slice(1));
      if (replaced !== match) count(rule.name);
      return replaced;
    });
  }
  return result;
}

// Shorter values would shred ordinary words; a real configured secret is never this short.
const MIN_KNOWN_VALUE_LENGTH = 6;

/** Both passes: recognisable secrets, then the exact configured values. */
export function redactText(text: string, values: readonly string[] = []): string {
  return redactKnownValues(redactSecrets(text), values);
}

/**
 * Redacts every string inside plain data (arrays and plain objects, keys too), keeping its shape;
 * an Error becomes `{type, message, stack}` redacted; other values pass as they are.
 */
export function redactDeep<T>(value: T, values: readonly string[] = []): T {
  const visit = (inner: unknown): unknown => {
    if (typeof inner === "string") return redactText(inner, values);
    if (Array.isArray(inner)) return inner.map(visit);
    if (inner instanceof Error) return { type: inner.name, message: visit(inner.message), ...(inner.stack ? { stack: visit(inner.stack) } : {}) };
    if (isPlainObject(inner)) {
      return Object.fromEntries(Object.entries(inner).map(([key, item]) => [redactText(key, values), visit(item)]));
    }
    return inner;
  };
  return visit(value) as T;
}

/** Scrubs exact configured secret values (and their URL-encoded forms) wherever they appear. */
export function redactKnownValues(text: string, values: readonly string[]): string {
  const needles = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_KNOWN_VALUE_LENGTH) continue;
    needles.add(value);
    needles.add(encodeURIComponent(value));
  }
  // Longest first, so a secret containing another is removed whole.
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  return ordered.reduce((result, needle) => result.split(needle).join(REDACTED), text);
}


function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

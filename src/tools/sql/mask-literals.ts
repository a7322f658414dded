import { scanSync } from "libpg-query";

export const MASKED_LITERAL = "'…'";
const STRING_TOKENS = new Set(["SCONST", "USCONST", "BCONST", "XCONST"]);

/**
 * Replaces every string literal in SQL text with '…' (other sessions' queries carry passwords,
 * tokens and customer data in their literals). Text the scanner cannot read — a query cut short
 * by track_activity_query_size — is masked from its first quote to the end.
 */
export function maskSqlLiterals(text: string): string {
  if (!text.includes("'") && !text.includes("$")) return text;
  const bytes = Buffer.from(text, "utf8");
  let tokens: { start: number; end: number; tokenName: string }[];
  try {
    tokens = scanSync(text).tokens;
  } catch {
    return maskFromFirstQuote(text);
  }
  const parts: Buffer[] = [];
  let at = 0;
  for (const token of tokens) {
    if (!STRING_TOKENS.has(token.tokenName)) continue;
    parts.push(bytes.subarray(at, token.start), Buffer.from(MASKED_LITERAL));
    at = token.end;
  }
  parts.push(bytes.subarray(at));
  const masked = Buffer.concat(parts).toString("utf8");
  // A quote left outside the literals (in a comment, or where the scanner gave up) may still hide one.
  return masked.replaceAll(MASKED_LITERAL, "").includes("'") ? maskFromFirstQuote(text) : masked;
}

function maskFromFirstQuote(text: string): string {
  const first = text.search(/'|\$[A-Za-z_]*\$/);
  return first < 0 ? text : `${text.slice(0, first)}${MASKED_LITERAL}`;
}

/** Masks the literals in every string inside a parsed command output, keeping its shape. */
export function maskLiteralsDeep(value: unknown): unknown {
  if (typeof value === "string") return maskSqlLiterals(value);
  if (Array.isArray(value)) return value.map(maskLiteralsDeep);
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, maskLiteralsDeep(inner)]));
  }
  return value;
}

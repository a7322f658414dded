import type { Clock } from "../lib/clock.ts";
import { abortable } from "./abortable.ts";

export interface TokenProvider {
  /** A valid token, fetched when there is none or it is about to expire; one fetch at a time. */
  get(signal?: AbortSignal): Promise<string>;
  /** Drops `token` after a 401 so the next `get` fetches a new one (no-op if already replaced). */
  invalidate(token: string): void;
  /** Values that must never appear in an error message or log line. */
  secrets(): string[];
}

export interface TokenProviderOptions {
  authSecret: string;
  /** Lifetime assumed for tokens that are not JWTs (or carry no `exp`). */
  tokenTtlMs: number;
  clock: Clock;
  fetchToken: () => Promise<string>;
}

interface CachedToken {
  token: string;
  refreshAt: number;
}

/** Refresh this long before expiry (at most half the token's lifetime), so no request races it. */
const REFRESH_MARGIN_MS = 60_000;

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  let cached: CachedToken | undefined;
  let inflight: Promise<string> | undefined;
  const issued: string[] = [];

  function refresh(): Promise<string> {
    inflight ??= options
      .fetchToken()
      .then((token) => {
        const now = options.clock.now();
        const expiresAt = readJwtExpiry(token) ?? now + options.tokenTtlMs;
        const lifetime = Math.max(0, expiresAt - now);
        cached = { token, refreshAt: expiresAt - Math.min(REFRESH_MARGIN_MS, lifetime / 2) };
        issued.unshift(token);
        issued.length = Math.min(issued.length, 3);
        return token;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  }

  return {
    get(signal) {
      if (cached && options.clock.now() < cached.refreshAt) return Promise.resolve(cached.token);
      // The shared fetch ignores any one caller's signal; each caller may stop waiting on its own.
      return abortable(refresh(), signal);
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
    secrets: () => [options.authSecret, ...issued],
  };
}

/** The `exp` claim of a JWT in epoch milliseconds, or undefined for any other token. */
export function readJwtExpiry(token: string): number | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" && Number.isFinite(payload.exp) ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

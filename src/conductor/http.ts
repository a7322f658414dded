import type { z } from "zod";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { redactKnownValues } from "../lib/redact.ts";
import { ConductorError, describeRequest, type ConductorRequestInfo } from "./errors.ts";

/** One HTTP exchange, body read in full while the timeout still runs. */
export interface RawResponse {
  status: number;
  statusText: string;
  text: string;
}

export interface ExchangeRequest {
  method: "GET" | "POST";
  /** Path below the base URL, query included: `/workflow/abc?includeTasks=true`. */
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  signal?: AbortSignal;
  timeoutMs: number;
  info: ConductorRequestInfo;
}

export type Exchange = (request: ExchangeRequest) => Promise<RawResponse>;

/**
 * Sends a request through `fetch` with an undici dispatcher (msw still intercepts global fetch)
 * and turns aborts, timeouts and socket failures into ConductorErrors that name the request.
 */
export function createExchange(baseUrl: string, fetchImpl: typeof fetch, dispatcher: unknown): Exchange {
  return async ({ method, path, headers, json, signal, timeoutMs, info }) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const init = {
      method,
      headers: { accept: "application/json, text/plain", ...(json === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: json === undefined ? undefined : JSON.stringify(json),
      signal: combined,
      dispatcher,
    };
    try {
      // Node 20's fetch types predate `dispatcher`, hence the cast.
      const response = await fetchImpl(`${baseUrl}${path}`, init as RequestInit);
      return { status: response.status, statusText: response.statusText, text: await response.text() };
    } catch (error) {
      if (signal?.aborted) {
        throw new ConductorError("conductor_aborted", `${describeRequest(info)} was cancelled`, { cause: signal.reason, request: info });
      }
      if (timeout.aborted) {
        throw new ConductorError("conductor_timeout", `${describeRequest(info)} got no complete answer within ${timeoutMs} ms`, { request: info });
      }
      throw new ConductorError("conductor_network", `${describeRequest(info)} failed: ${networkReason(error)}`, { cause: error, request: info });
    }
  };
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message;
  const message = error instanceof Error ? error.message : String(error);
  return detail ? `${message} (${detail})` : message;
}

/** An error for a non-2xx answer; the server's own message is kept, with secrets scrubbed out. */
export function toHttpError(response: RawResponse, info: ConductorRequestInfo, secrets: readonly string[]): ConductorError {
  const request = { ...info, status: response.status };
  const detail = redactKnownValues(serverMessage(response.text), secrets);
  const code = response.status === 401 || response.status === 403 ? "conductor_auth" : "conductor_http";
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  return new ConductorError(code, `${describeRequest(request)} failed: ${status}${detail ? `: ${detail}` : ""}`, { request });
}

/** Conductor errors are JSON with a `message`; anything else is shown as a short snippet. */
function serverMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed.message === "string") return parsed.message.slice(0, 300);
  } catch {
    // not JSON: fall through to the raw snippet
  }
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}

/** Validates a body with a zod schema; a mismatch names the request and the first issues. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  response: RawResponse,
  info: ConductorRequestInfo,
  options: { json: boolean; secrets: readonly string[] },
): z.output<S> {
  let data: unknown = response.text;
  if (options.json) {
    try {
      data = JSON.parse(response.text);
    } catch (error) {
      const snippet = redactKnownValues(response.text.slice(0, 120), options.secrets);
      throw new ConductorError("conductor_malformed", `${describeRequest(info)} returned a body that is not JSON: ${JSON.stringify(snippet)}`, {
        cause: error,
        request: info,
      });
    }
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(body)"}: ${issue.message}`)
    .join("; ");
  throw new ConductorError("conductor_malformed", `${describeRequest(info)} returned an unexpected response: ${redactKnownValues(issues, options.secrets)}`, {
    request: info,
  });
}

export interface RetryPolicy {
  /** Further attempts after the first. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 4000 };

/** Exponential backoff with jitter: half the capped delay fixed, half random. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(capped / 2 + (capped / 2) * random());
}

/**
 * Runs `attempt` again on network errors and 5xx answers only: a 4xx will not change, and a
 * timeout has already spent the request's budget.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  deps: { policy: RetryPolicy; clock: Clock; random: () => number; logger: Logger; signal?: AbortSignal },
): Promise<T> {
  for (let failures = 0; ; failures++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof ConductorError && error.isTransient && error.code !== "conductor_timeout";
      if (!retryable || failures >= deps.policy.retries) throw error;
      const delayMs = backoffDelay(failures, deps.policy, deps.random);
      deps.logger.warn({ ...error.request, attempt: failures + 1, delayMs, error: error.message }, "conductor request failed; retrying");
      try {
        await deps.clock.sleep(delayMs, deps.signal);
      } catch (abort) {
        throw new ConductorError("conductor_aborted", `${describeRequest(error.request)} was cancelled while waiting to retry`, {
          cause: abort,
          request: error.request,
        });
      }
    }
  }
}

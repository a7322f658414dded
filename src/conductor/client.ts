import { Agent } from "undici";
import type { z } from "zod";
import { systemClock, type Clock } from "../lib/clock.ts";
import { silentLogger, type Logger } from "../lib/logger.ts";
import { isReadOnlyWorkflow } from "./commands.ts";
import { ConductorError, describeRequest, type ConductorRequestInfo } from "./errors.ts";
import { createExchange, DEFAULT_RETRY_POLICY, parseBody, toHttpError, withRetries, type RawResponse } from "./http.ts";
import {
  searchResultSchema,
  tokenResponseSchema,
  workflowIdTextSchema,
  workflowSchema,
  type SearchResult,
  type StartWorkflowRequest,
  type Workflow,
} from "./schemas.ts";
import { createTokenProvider } from "./token-provider.ts";
import { pollUntilTerminal, type WaitOptions, type WaitResult } from "./wait-for-terminal.ts";

export interface ConductorClientOptions {
  /** Base URL ending in `/api`. */
  serverUrl: string;
  authKey: string;
  authSecret: string;
  /** Budget for one HTTP exchange, body included. */
  requestTimeoutMs: number;
  /** Further attempts on network errors and 5xx. Default 3. */
  retries?: number;
  /** Lifetime assumed for a token that is not a JWT with `exp`. Default 30 min. */
  tokenTtlMs?: number;
  /** Default: global fetch (with an undici Agent as dispatcher). */
  fetch?: typeof fetch;
  /** Default: the system clock. Drives backoff, poll pauses and token expiry. */
  clock?: Clock;
  /** Default: silent. */
  logger?: Logger;
  /** Default: Math.random. Jitter for retry backoff. */
  random?: () => number;
}

export interface ConductorClient {
  getWorkflow(workflowId: string, options?: { includeTasks?: boolean; signal?: AbortSignal }): Promise<Workflow>;
  /** Returns the new workflow's id (the API answers with it as plain text). */
  startWorkflow(request: StartWorkflowRequest, options?: { signal?: AbortSignal }): Promise<string>;
  searchWorkflows(
    params: { query?: string; freeText?: string; start?: number; size?: number },
    options?: { signal?: AbortSignal },
  ): Promise<SearchResult>;
  waitForTerminal(workflowId: string, options: WaitOptions): Promise<WaitResult>;
  close(): Promise<void>;
}

interface CallSpec<S extends z.ZodType> {
  method: "GET" | "POST";
  path: string;
  json?: unknown;
  schema: S;
  /** false: the body is plain text (start workflow). */
  jsonBody: boolean;
  info: ConductorRequestInfo;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export function createConductorClient(options: ConductorClientOptions): ConductorClient {
  const baseUrl = options.serverUrl.replace(/\/+$/, "");
  // Resolved per call so msw (which patches globalThis.fetch on listen) sees every request.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const policy = { ...DEFAULT_RETRY_POLICY, retries: options.retries ?? DEFAULT_RETRY_POLICY.retries };
  const agent = new Agent({ connections: 16, keepAliveTimeout: 30_000, connect: { timeout: options.requestTimeoutMs } });
  const exchange = createExchange(baseUrl, fetchImpl, agent);

  async function fetchToken(): Promise<string> {
    const info: ConductorRequestInfo = { method: "POST", path: "/token" };
    const json = { keyId: options.authKey, keySecret: options.authSecret };
    const response = await exchange({ method: "POST", path: "/token", json, timeoutMs: options.requestTimeoutMs, info });
    if (response.status === 401 || response.status === 403) {
      const request = { ...info, status: response.status };
      const hint = "Conductor rejected the access key; check CONDUCTOR_AUTH_KEY and CONDUCTOR_AUTH_SECRET";
      throw new ConductorError("conductor_auth", `${describeRequest(request)} failed: HTTP ${response.status}: ${hint}`, { request });
    }
    if (response.status < 200 || response.status > 299) throw toHttpError(response, info, [options.authSecret]);
    return parseBody(tokenResponseSchema, response, info, { json: true, secrets: [options.authSecret] }).token;
  }

  const tokens = createTokenProvider({
    authSecret: options.authSecret,
    tokenTtlMs: options.tokenTtlMs ?? 30 * 60_000,
    clock,
    fetchToken: () => withRetries(fetchToken, { policy, clock, random, logger }),
  });

  /** One attempt: a 401 means the token went stale, so fetch a new one and resend once. */
  async function attempt<S extends z.ZodType>(spec: CallSpec<S>): Promise<z.output<S>> {
    const send = async (token: string): Promise<RawResponse> =>
      exchange({
        method: spec.method,
        path: spec.path,
        json: spec.json,
        headers: { "X-Authorization": token },
        signal: spec.signal,
        timeoutMs: Math.min(options.requestTimeoutMs, spec.timeoutMs ?? Infinity),
        info: spec.info,
      });
    const getToken = () =>
      tokens.get(spec.signal).catch((error: unknown) => {
        if (error instanceof ConductorError) throw error;
        throw new ConductorError("conductor_aborted", `${describeRequest(spec.info)} was cancelled`, { cause: error, request: spec.info });
      });
    const token = await getToken();
    let response = await send(token);
    if (response.status === 401) {
      tokens.invalidate(token);
      logger.info({ ...spec.info }, "conductor token rejected; fetching a new one");
      response = await send(await getToken());
      if (response.status === 401) {
        const request = { ...spec.info, status: 401 };
        throw new ConductorError("conductor_auth", `${describeRequest(request)} failed: HTTP 401 even with a freshly issued token; check the application's access in Conductor`, { request });
      }
    }
    if (response.status < 200 || response.status > 299) throw toHttpError(response, spec.info, tokens.secrets());
    return parseBody(spec.schema, response, spec.info, { json: spec.jsonBody, secrets: tokens.secrets() });
  }

  const call = <S extends z.ZodType>(spec: CallSpec<S>) => withRetries(() => attempt(spec), { policy, clock, random, logger, signal: spec.signal });

  function readWorkflow(workflowId: string, includeTasks: boolean, signal?: AbortSignal, timeoutMs?: number): Promise<Workflow> {
    const path = `/workflow/${encodeURIComponent(workflowId)}?includeTasks=${includeTasks}`;
    return call({ method: "GET", path, schema: workflowSchema, jsonBody: true, info: { method: "GET", path, workflowId }, signal, timeoutMs });
  }

  return {
    getWorkflow: (workflowId, opts = {}) => readWorkflow(workflowId, opts.includeTasks ?? true, opts.signal),

    startWorkflow: async (request, opts = {}) => {
      if (!isReadOnlyWorkflow(request.name)) {
        throw new ConductorError("conductor_refused", `refused to start workflow ${String(request.name)}: it is not an allow-listed read-only command workflow`, {
          request: { method: "POST", path: "/workflow", workflowName: String(request.name) },
        });
      }
      return call({
        method: "POST",
        path: "/workflow",
        json: request,
        schema: workflowIdTextSchema,
        jsonBody: false,
        info: { method: "POST", path: "/workflow", workflowName: request.name },
        signal: opts.signal,
      });
    },

    searchWorkflows: (params, opts = {}) => {
      const query = new URLSearchParams({ start: String(params.start ?? 0), size: String(params.size ?? 20), freeText: params.freeText ?? "*" });
      if (params.query) query.set("query", params.query);
      const path = `/workflow/search?${query.toString()}`;
      return call({ method: "GET", path, schema: searchResultSchema, jsonBody: true, info: { method: "GET", path }, signal: opts.signal });
    },

    waitForTerminal: (workflowId, opts) =>
      pollUntilTerminal(workflowId, (timeoutMs, signal) => readWorkflow(workflowId, false, signal, timeoutMs), opts, { clock, logger }),

    close: () => agent.close(),
  };
}

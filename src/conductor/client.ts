import { Agent } from "undici";
import type { z } from "zod";
import { systemClock, type Clock } from "../lib/clock.ts";
import { silentLogger, type Logger } from "../lib/logger.ts";
import { COMMAND_WORKFLOW_VERSION, isReadOnlyWorkflow } from "./commands.ts";
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
  /**
   * Pause before looking up a start whose answer was lost. Workflow search is served from an
   * index refreshed about once a second on real servers, so a start accepted just now needs that
   * long to be findable. Default 1000 ms.
   */
  startLookupDelayMs?: number;
}

export interface ConductorClient {
  getWorkflow(workflowId: string, options?: { includeTasks?: boolean; signal?: AbortSignal }): Promise<Workflow>;
  /**
   * Returns the new workflow's id (the API answers with it as plain text). Sent once, never
   * retried blindly: with an `idempotencyKey` (a value unique to this start inside its input),
   * a lost answer is looked up by that key instead (see `sendStart`).
   */
  startWorkflow(request: StartWorkflowRequest, options?: StartOptions): Promise<string>;
  /**
   * Synchronous execution (domain.md §3): starts the workflow and waits up to `waitForSeconds`
   * for it in one request. Resolves to the workflow — terminal, or still RUNNING when the server
   * answered 206 — or to null when this server has no such endpoint (404/405; remembered, so
   * later calls return null without a request). The key doubles as the `requestId`.
   */
  executeWorkflow(request: StartWorkflowRequest, options: StartOptions & { idempotencyKey: string; waitForSeconds: number; timeoutMs?: number }): Promise<Workflow | null>;
  searchWorkflows(
    params: { query?: string; freeText?: string; start?: number; size?: number },
    options?: { signal?: AbortSignal },
  ): Promise<SearchResult>;
  waitForTerminal(workflowId: string, options: WaitOptions): Promise<WaitResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  signal?: AbortSignal;
  idempotencyKey?: string;
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
  /** Time the server is asked to hold the request (synchronous execution), on top of the request budget. */
  serverWaitMs?: number;
}

export function createConductorClient(options: ConductorClientOptions): ConductorClient {
  const baseUrl = options.serverUrl.replace(/\/+$/, "");
  // Resolved per call so msw (which patches globalThis.fetch on listen) sees every request.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const random = options.random ?? Math.random;
  const policy = { ...DEFAULT_RETRY_POLICY, retries: options.retries ?? DEFAULT_RETRY_POLICY.retries };
  // A synchronous execution holds its connection while the command runs: room for every command in flight.
  const agent = new Agent({ connections: 128, keepAliveTimeout: 30_000, connect: { timeout: options.requestTimeoutMs } });
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
        timeoutMs: Math.min(options.requestTimeoutMs + (spec.serverWaitMs ?? 0), spec.timeoutMs ?? Infinity),
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

  /** Per server: learnt from the first answer of the synchronous-execution endpoint. */
  let synchronousExecution: "unknown" | "present" | "absent" = "unknown";

  /**
   * Non-idempotent calls are not retried blindly: the POST is sent once (no withRetries). When it
   * fails in a way that leaves its fate unknown (timeout, network error, 5xx: the server may have
   * accepted it before the answer was lost), the workflow is looked up by its idempotency key
   * after a short pause, and a workflow found is the answer. Otherwise the error is thrown, and
   * `mayHaveStarted` says whether sending it again could start a second one (no key, or the
   * lookup itself failed); the command runner owns the one retry. Search is indexed
   * asynchronously on real servers: the pause (`startLookupDelayMs`) gives a just-accepted start
   * time to show up; one later than that can still be started twice.
   */
  async function sendStart<T>(post: () => Promise<T>, found: (workflowId: string) => Promise<T>, request: StartWorkflowRequest, info: ConductorRequestInfo, opts: StartOptions): Promise<T> {
    try {
      return await post();
    } catch (error) {
      if (!(error instanceof ConductorError) || !error.isTransient) throw error;
      const key = opts.idempotencyKey;
      if (!key) throw new ConductorError(error.code, error.message, { cause: error, request: error.request, mayHaveStarted: true });
      let workflowId: string | null;
      try {
        await clock.sleep(options.startLookupDelayMs ?? 1000, opts.signal);
        workflowId = await findStarted(request.name, key, opts.signal);
      } catch (lookupError) {
        const why = lookupError instanceof Error ? lookupError.message : String(lookupError);
        throw new ConductorError(error.code, `${error.message}; whether it started is unknown (the lookup by key failed: ${why})`, {
          cause: error,
          request: error.request,
          mayHaveStarted: true,
        });
      }
      if (workflowId === null) throw error;
      logger.warn({ ...info, workflowId, error: error.message }, "start answer lost; found the started workflow by its idempotency key");
      return found(workflowId);
    }
  }

  /** The workflow of this name whose input carries `key`, if the server started one. */
  async function findStarted(name: string, key: string, signal?: AbortSignal): Promise<string | null> {
    const query = new URLSearchParams({ start: "0", size: "5", freeText: `"${key}"`, query: `workflowType IN (${name})` });
    const path = `/workflow/search?${query.toString()}`;
    const result = await call({ method: "GET", path, schema: searchResultSchema, jsonBody: true, info: { method: "GET", path }, signal });
    const match = result.results.find((w) => (w.workflowType ?? name) === name && (w.input === undefined || JSON.stringify(w.input).includes(key)));
    return match?.workflowId ?? null;
  }

  function readWorkflow(workflowId: string, includeTasks: boolean, signal?: AbortSignal, timeoutMs?: number): Promise<Workflow> {
    const path = `/workflow/${encodeURIComponent(workflowId)}?includeTasks=${includeTasks}`;
    return call({ method: "GET", path, schema: workflowSchema, jsonBody: true, info: { method: "GET", path, workflowId }, signal, timeoutMs });
  }

  function refuseUnlisted(request: StartWorkflowRequest, info: ConductorRequestInfo): void {
    if (isReadOnlyWorkflow(request.name)) return;
    throw new ConductorError("conductor_refused", `refused to start workflow ${String(request.name)}: it is not an allow-listed read-only command workflow`, {
      request: { method: info.method, path: info.path?.split("?")[0], workflowName: String(request.name) },
    });
  }

  return {
    getWorkflow: (workflowId, opts = {}) => readWorkflow(workflowId, opts.includeTasks ?? true, opts.signal),

    startWorkflow: async (request, opts = {}) => {
      const info: ConductorRequestInfo = { method: "POST", path: "/workflow", workflowName: request.name };
      refuseUnlisted(request, info);
      const post = () => attempt({ method: "POST", path: "/workflow", json: request, schema: workflowIdTextSchema, jsonBody: false, info, signal: opts.signal });
      return sendStart(post, (id) => Promise.resolve(id), request, info, opts);
    },

    executeWorkflow: async (request, opts) => {
      const query = new URLSearchParams({ requestId: opts.idempotencyKey, waitForSeconds: String(opts.waitForSeconds) });
      const path = `/workflow/execute/${encodeURIComponent(request.name)}/${request.version ?? COMMAND_WORKFLOW_VERSION}?${query.toString()}`;
      const info: ConductorRequestInfo = { method: "POST", path, workflowName: request.name };
      refuseUnlisted(request, info);
      if (synchronousExecution === "absent") return null;
      const post = () =>
        attempt({
          method: "POST",
          path,
          json: request,
          schema: workflowSchema,
          jsonBody: true,
          info,
          signal: opts.signal,
          serverWaitMs: opts.waitForSeconds * 1000,
          ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
        });
      try {
        const workflow = await sendStart(post, (id) => readWorkflow(id, false, opts.signal), request, info, opts);
        synchronousExecution = "present";
        return workflow;
      } catch (error) {
        // A server without the endpoint (remembered), or without this workflow at that version: nothing
        // was started, so start + poll it (concurrent first calls may all see the 404).
        const status = error instanceof ConductorError && error.code === "conductor_http" ? error.request.status : undefined;
        if (status === 404 || status === 405) {
          if (synchronousExecution === "unknown") logger.info({ status }, "Conductor has no synchronous execution; starting commands and polling them instead");
          if (synchronousExecution !== "present") synchronousExecution = "absent";
          return null;
        }
        throw error;
      }
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

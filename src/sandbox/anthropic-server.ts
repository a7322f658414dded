import { randomBytes } from "node:crypto";
import { createFaultQueue, type Faults, type HttpFault } from "./faults.ts";
import { delay, parseJson, sendJson, startHttpServer } from "./http-server.ts";
import type { Scenario } from "./scenario-schema.ts";
import { playTurn, type MessagesRequest } from "./play-turn.ts";

/** HTTP faults, or a malformed final answer: no submit_report at all, or one whose input is invalid. */
export type AnthropicFault = HttpFault | { kind: "malformed"; variant: "no_submit_report" | "invalid_report" };

export interface AnthropicServerOptions {
  scenarios: readonly Scenario[];
  apiKey: string;
  /** Delay before each answer (a model "thinking"). */
  latencyMs?: number;
  /** Adds the triage's execution id to tool inputs that lack one (default true). */
  fillExecutionId?: boolean;
  now?: () => number;
}

export interface ModelRequest {
  at: number;
  body: MessagesRequest;
  scenarioId: string | null;
  /** The script turn answered (null when the request failed). */
  turn: number | null;
  status: number;
}

export interface AnthropicServer {
  /** Base URL for ANTHROPIC_BASE_URL (the SDK appends /v1/messages). */
  url: string;
  readonly requests: readonly ModelRequest[];
  /** Faults target "messages". Malformed faults wait for the turn that would submit the report. */
  faults: Faults<AnthropicFault>;
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

/** A scripted model behind the Messages API: it plays the scenario named in the first user message. */
export async function startAnthropicServer(options: AnthropicServerOptions): Promise<AnthropicServer> {
  const now = options.now ?? Date.now;
  const requests: ModelRequest[] = [];
  const faults = createFaultQueue<AnthropicFault>();

  const server = await startHttpServer(async (req, res, raw) => {
    const body = (parseJson(raw) ?? {}) as MessagesRequest;
    const record: ModelRequest = { at: now(), body, scenarioId: null, turn: null, status: 200 };
    requests.push(record);
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
      record.status = status;
      sendJson(res, status, { type: "error", error: { type: ERROR_TYPES[status] ?? "api_error", message } }, { "request-id": requestId(), ...headers });
    };
    const url = new URL(req.url ?? "/", "http://sandbox");
    // SDK 1.x sends the key as a bearer token; older clients and curl use x-api-key.
    const bearer = req.headers.authorization?.replace(/^Bearer /, "");
    if (req.headers["x-api-key"] !== options.apiKey && bearer !== options.apiKey) return fail(401, "invalid API key");
    // `verify anthropic` reads the configured model: every model exists in the sandbox.
    const model = /^\/v1\/models\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && model) {
      const id = decodeURIComponent(model[1] ?? "");
      return sendJson(res, 200, { type: "model", id, display_name: `${id} (sandbox)`, created_at: "2026-01-01T00:00:00Z" }, { "request-id": requestId() });
    }
    if (req.method !== "POST" || url.pathname !== "/v1/messages") return fail(404, `sandbox serves only POST /v1/messages and GET /v1/models/{id}, not ${req.method} ${url.pathname}`);

    await delay((options.latencyMs ?? 0) + faults.latencyFor("messages"), req);
    const fault = faults.take("messages", (f) => f.kind !== "malformed");
    if (fault?.kind === "hang") return;
    if (fault?.kind === "status") {
      return fail(fault.status, "sandbox fault", fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) });
    }
    const played = playTurn(body, options.scenarios, {
      fillExecutionId: options.fillExecutionId ?? true,
      takeMalformed: () => {
        const f = faults.take("messages", (x) => x.kind === "malformed");
        return f?.kind === "malformed" ? f.variant : undefined;
      },
    });
    if (!played.ok) return fail(400, played.error);
    record.scenarioId = played.scenarioId;
    record.turn = played.turn;
    sendJson(res, 200, { id: `msg_sbx_${randomBytes(12).toString("hex")}`, type: "message", role: "assistant", model: body.model, ...played.message }, { "request-id": requestId() });
  });

  return {
    url: server.origin,
    requests,
    faults,
    close: () => server.close(),
  };
}

function requestId(): string {
  return `req_sbx_${randomBytes(12).toString("hex")}`;
}

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ReadOnlyCommand } from "../conductor/commands.ts";
import { answerCommand } from "./answer-command.ts";
import { checkStartRequest, type Violation } from "./check-start-request.ts";
import { createFaultQueue, type Faults, type HttpFault } from "./faults.ts";
import { delay, parseJson, sendJson, sendText, startHttpServer } from "./http-server.ts";
import type { Scenario } from "./scenario-schema.ts";
import { searchWorkflows } from "./search-workflows.ts";

/**
 * Conductor faults: HTTP faults on a route; a command forced to end FAILED / TIMED_OUT; or a start
 * (startWorkflow / executeWorkflow) that is accepted — the command runs — but whose answer is lost:
 * the connection is cut, never answered, or answered with an error status.
 */
export type ConductorFault =
  | HttpFault
  | { kind: "command"; status: "FAILED" | "TIMED_OUT"; reason?: string }
  | { kind: "lost-response"; as: "drop" | "hang" | number };
/** Fault targets: a route, or "command:<COMMAND>" for command faults. */
export type ConductorRoute = "token" | "getWorkflow" | "startWorkflow" | "executeWorkflow" | "search";

export interface ConductorServerOptions {
  scenarios: readonly Scenario[];
  keyId: string;
  keySecret: string;
  /** How long a command workflow stays RUNNING before its answer (scenario `delayMs` wins). */
  commandDelayMs?: number;
  tokenTtlMs?: number;
  latencyMs?: number;
  now?: () => number;
  /**
   * `POST /api/workflow/execute/{name}/{version}` (domain.md §3): "supported" (default), or the
   * status a server without it answers (404, 405), so the client's fallback can be exercised.
   */
  synchronousExecution?: "supported" | 404 | 405;
}

export interface StartedCommand {
  workflowId: string;
  workflowName: string;
  command: ReadOnlyCommand;
  input: Record<string, unknown>;
  correlationId: string | null;
  taskToDomain: Record<string, unknown> | null;
  scenarioId: string | null;
  at: number;
  /** Why it never completes (routing) or fails (input); empty when it was right. */
  violations: Violation[];
}

export interface RefusedStart {
  workflowName: string;
  body: unknown;
  violation: Violation;
  at: number;
}

export interface ConductorServer {
  /** Base URL for CONDUCTOR_SERVER_URL, ending in `/api`. */
  url: string;
  readonly commands: readonly StartedCommand[];
  /** Start requests answered 400 (mutating, unknown or malformed). */
  readonly refused: readonly RefusedStart[];
  /** Every violation, in order: refused starts, routing and input errors. */
  violations(): Violation[];
  /** Invalidates every issued token: calls answer 401 until the client fetches a new one. */
  expireTokens(): void;
  readonly tokensIssued: number;
  faults: Faults<ConductorFault>;
  /** Requests received per route (token included), for the bench and tests. */
  readonly requestCounts: Readonly<Record<ConductorRoute, number>>;
  close(): Promise<void>;
}

interface CommandWorkflow extends StartedCommand {
  answer: ReturnType<typeof answerCommand> | null;
  completesAt: number;
}

export async function startConductorServer(options: ConductorServerOptions): Promise<ConductorServer> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const executions = new Map(options.scenarios.map((s) => [s.execution.workflowId.toLowerCase(), s.execution]));
  const workflows = new Map<string, CommandWorkflow>();
  const refused: RefusedStart[] = [];
  const tokens = new Map<string, number>();
  const faults = createFaultQueue<ConductorFault>();
  const isHttpFault = (f: ConductorFault): f is HttpFault => f.kind === "status" || f.kind === "hang";
  type LostResponse = Extract<ConductorFault, { kind: "lost-response" }>;
  const requestCounts: Record<ConductorRoute, number> = { token: 0, getWorkflow: 0, startWorkflow: 0, executeWorkflow: 0, search: 0 };

  const viewCommand = (w: CommandWorkflow, includeTasks: boolean) => {
    const done = w.answer !== null && now() >= w.completesAt;
    const status = done && w.answer ? w.answer.status : "RUNNING";
    return {
      workflowId: w.workflowId,
      workflowName: w.workflowName,
      workflowType: w.workflowName,
      version: 1,
      correlationId: w.correlationId,
      taskToDomain: w.taskToDomain,
      status,
      input: w.input,
      output: done && w.answer ? w.answer.output : {},
      reasonForIncompletion: done && w.answer ? w.answer.reason : null,
      startTime: w.at,
      updateTime: done ? w.completesAt : w.at,
      endTime: done ? w.completesAt : 0,
      tasks: includeTasks ? commandTasks(w, status) : [],
    };
  };

  const viewExecution = (id: string, includeTasks: boolean) => {
    const execution = executions.get(id.toLowerCase());
    if (!execution) return undefined;
    return { workflowType: execution.workflowName, version: 1, startTime: startedAt - 300_000, endTime: startedAt - 240_000, ...execution, tasks: includeTasks ? execution.tasks : [] };
  };

  const start = (body: unknown): { status: number; body: unknown } => {
    const check = checkStartRequest(body, options.scenarios);
    const name = String((body as { name?: unknown } | null)?.name ?? "");
    if (!check.accepted) {
      refused.push({ workflowName: name, body, violation: check.violation, at: now() });
      return { status: 400, body: { status: 400, message: check.violation.message, retryable: false } };
    }
    const request = body as Record<string, unknown>;
    const fault = faults.take(`command:${check.command}`, (f) => f.kind === "command");
    let answer = check.scenario && !check.blocked ? answerCommand(check.scenario, check.command, check.parameters) : null;
    if (answer && check.inputViolations.length > 0) {
      answer = { ...answer, status: "FAILED", output: {}, reason: check.inputViolations.map((v) => v.message).join("; ") };
    } else if (answer && fault?.kind === "command") {
      answer = { ...answer, status: fault.status, output: {}, reason: fault.reason ?? `Task timed out: ${check.command.toLowerCase()}` };
    }
    const at = now();
    const workflow: CommandWorkflow = {
      workflowId: randomUUID(),
      workflowName: name,
      command: check.command,
      input: (request.input as Record<string, unknown>) ?? {},
      correlationId: typeof request.correlationId === "string" ? request.correlationId : null,
      taskToDomain: (request.taskToDomain as Record<string, unknown>) ?? null,
      scenarioId: check.scenario?.id ?? null,
      at,
      violations: [...(check.blocked ? [check.blocked] : []), ...check.inputViolations],
      answer,
      completesAt: at + (answer?.delayMs ?? options.commandDelayMs ?? 50),
    };
    workflows.set(workflow.workflowId, workflow);
    return { status: 200, body: workflow.workflowId };
  };

  const route = (req: IncomingMessage, url: URL): ConductorRoute | null => {
    if (req.method === "POST" && url.pathname === "/api/token") return "token";
    if (req.method === "POST" && url.pathname === "/api/workflow") return "startWorkflow";
    if (req.method === "POST" && /^\/api\/workflow\/execute\/[^/]+\/[^/]+$/.test(url.pathname)) return "executeWorkflow";
    if (req.method === "GET" && url.pathname === "/api/workflow/search") return "search";
    if (req.method === "GET" && /^\/api\/workflow\/[^/]+$/.test(url.pathname)) return "getWorkflow";
    return null;
  };

  const server = await startHttpServer(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const target = route(req, url);
    if (!target) return sendJson(res, 404, { status: 404, message: `no route ${req.method} ${url.pathname}` });
    requestCounts[target] += 1;
    if (target === "executeWorkflow" && options.synchronousExecution !== undefined && options.synchronousExecution !== "supported") {
      return sendJson(res, options.synchronousExecution, { status: options.synchronousExecution, message: `no route ${req.method} ${url.pathname}` });
    }
    await delay((options.latencyMs ?? 0) + faults.latencyFor(target), req);
    const fault = faults.take(target, isHttpFault);
    if (fault?.kind === "hang") return;
    if (fault?.kind === "status") return sendFault(res, fault);

    if (target === "token") {
      const creds = parseJson(body) as { keyId?: unknown; keySecret?: unknown } | undefined;
      if (creds?.keyId !== options.keyId || creds?.keySecret !== options.keySecret) {
        return sendJson(res, 401, { status: 401, error: "INVALID_CREDENTIALS", message: "Invalid keyId or keySecret" });
      }
      const token = `sbx.${randomUUID()}`;
      tokens.set(token, now() + (options.tokenTtlMs ?? 3_600_000));
      return sendJson(res, 200, { token });
    }
    const expiry = tokens.get(String(req.headers["x-authorization"] ?? ""));
    if (expiry === undefined || now() >= expiry) {
      return sendJson(res, 401, { status: 401, error: expiry === undefined ? "INVALID_TOKEN" : "EXPIRED_TOKEN", message: "Token expired or invalid" });
    }

    if (target === "startWorkflow" || target === "executeWorkflow") {
      const result = start(parseJson(body));
      const lost = result.status === 200 ? (faults.take(target, (f) => f.kind === "lost-response") as LostResponse | undefined) : undefined;
      if (lost) return loseResponse(res, lost.as);
      if (typeof result.body !== "string") return sendJson(res, result.status, result.body);
      if (target === "startWorkflow") return sendText(res, result.status, result.body);
      // Synchronous execution: hold the request until the command ends or waitForSeconds passes (then 206).
      const workflow = workflows.get(result.body) as CommandWorkflow;
      const waitUntil = now() + Math.max(0, Number(url.searchParams.get("waitForSeconds") ?? 10)) * 1000;
      // Timers may fire a millisecond early by the wall clock: wait until the answer is really due.
      while (now() < Math.min(waitUntil, workflow.completesAt) && !req.socket.destroyed) {
        await delay(Math.min(waitUntil, workflow.completesAt) - now() + 1, req);
      }
      const view = viewCommand(workflow, true);
      return sendJson(res, view.status === "RUNNING" ? 206 : 200, view);
    }
    if (target === "search") return sendJson(res, 200, searchWorkflows(url, [...executions.keys()].map((id) => viewExecution(id, false)), [...workflows.values()].map((w) => viewCommand(w, false))));
    const id = decodeURIComponent(url.pathname.split("/").pop() ?? "");
    const includeTasks = url.searchParams.get("includeTasks") !== "false";
    const command = workflows.get(id);
    const found = command ? viewCommand(command, includeTasks) : viewExecution(id, includeTasks);
    if (!found) return sendJson(res, 404, { status: 404, message: `Workflow with Id: ${id} not found.`, retryable: false });
    return sendJson(res, 200, found);
  });

  return {
    url: `${server.origin}/api`,
    get commands() {
      return [...workflows.values()].map(({ answer: _a, completesAt: _c, ...started }) => started);
    },
    refused,
    violations: () => [...refused.map((r) => r.violation), ...[...workflows.values()].flatMap((w) => w.violations)],
    expireTokens: () => tokens.clear(),
    get tokensIssued() {
      return tokens.size;
    },
    faults,
    requestCounts,
    close: () => server.close(),
  };
}

function sendFault(res: ServerResponse, fault: Extract<HttpFault, { kind: "status" }>): void {
  const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
  sendJson(res, fault.status, { status: fault.status, message: "sandbox fault", retryable: true }, headers);
}

function loseResponse(res: ServerResponse, as: "drop" | "hang" | number): void {
  if (as === "hang") return;
  if (as === "drop") return void res.socket?.destroy();
  sendJson(res, as, { status: as, message: "sandbox fault: accepted, then failed to answer", retryable: true });
}

function commandTasks(w: CommandWorkflow, status: string) {
  const domain = w.taskToDomain?.["*"] ?? null;
  return [
    { referenceTaskName: "prepare_agent_handler", taskType: "prepare_agent_handler", status: "COMPLETED", domain: null, outputData: {} },
    { referenceTaskName: `${w.workflowName}_task`, taskType: w.command, status: status === "RUNNING" ? "SCHEDULED" : status, domain, outputData: status === "RUNNING" ? {} : { result: "see workflow output" } },
  ];
}

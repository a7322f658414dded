import { readFileSync } from "node:fs";
import { http, HttpResponse, type RequestHandler } from "msw";
import type { Clock } from "../../src/lib/clock.ts";
import type { Workflow } from "../../src/conductor/schemas.ts";
import type { ClusterContext } from "../../src/conductor/types.ts";

export const BASE = "http://conductor.test/api";
export const AUTH_KEY = "key-id-4411";
export const AUTH_SECRET = "s3cr3t-never-print-me";

/** The failing health-check execution as GET /workflow/{id}?includeTasks=true returns it. */
export function healthCheckJson(): Record<string, unknown> & { workflowId: string; input: Record<string, unknown> } {
  return JSON.parse(readFileSync(new URL("./fixtures/health-check-execution.json", import.meta.url), "utf8"));
}

export const CONTEXT: ClusterContext = {
  executionId: "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
  organizationId: "3f0c549d-7e21-4b8a-9c1d-5a6b7c8d9e0f",
  organizationName: "Acme",
  clusterName: "viz-stage",
  clusterId: "cl-7781",
  cloudEnvironmentTag: "c3f0c5-viz-stage",
  taskDomain: "3f0c549d-7e21-4b8a-9c1d-5a6b7c8d9e0f#-#viz-stage",
};

export function workflow(fields: Partial<Workflow> & { status: Workflow["status"] }): Workflow {
  return { workflowId: "wf-1", input: {}, tasks: [], output: undefined, ...fields };
}

export interface FakeClock extends Clock {
  /** Every sleep requested, in order. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

/** Time that moves only when slept on or advanced: backoffs and deadlines run instantly. */
export function createFakeClock(start = Date.UTC(2026, 10, 23, 12)): FakeClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
      await Promise.resolve();
    },
  };
}

/** An unsigned JWT with the given `exp` (epoch ms); the client only reads the claim. */
export function makeJwt(expiresAtMs: number, subject = "app"): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: subject, exp: Math.floor(expiresAtMs / 1000) })}.c2lnbmF0dXJl`;
}

export interface CommandScript {
  status: Workflow["status"];
  output?: unknown;
  reasonForIncompletion?: string;
  /** Polls answered RUNNING before the final status. */
  runningPolls?: number;
  /** Answer the start request with this HTTP status instead of an id. */
  startStatus?: number;
}

export interface FakeConductor {
  handlers: RequestHandler[];
  /** Bodies of POST /workflow, in order. */
  starts: { name: string; correlationId?: string; input: Record<string, unknown>; taskToDomain?: Record<string, string> }[];
  /** Every request seen, as `METHOD /path`. */
  requests: string[];
}

/**
 * A Conductor that serves the fixture execution and runs command workflows by script
 * (keyed by workflow name; default: COMPLETED at the first poll with `{ workflow: name }`).
 */
export function createFakeConductor(
  scripts: Record<string, CommandScript> = {},
  execution = healthCheckJson(),
  /** POST /workflow/execute/{name}/{version}: absent (404) by default; "sync" starts and answers at once with the script's final state. */
  synchronous: "absent" | "sync" = "absent",
): FakeConductor {
  const fake: FakeConductor = { handlers: [], starts: [], requests: [] };
  const running = new Map<string, { name: string; polls: number }>();
  const record = (request: Request) => fake.requests.push(`${request.method} ${new URL(request.url).pathname.replace("/api", "")}`);
  fake.handlers = [
    http.post(`${BASE}/token`, ({ request }) => {
      record(request);
      return HttpResponse.json({ token: "tok-fake" });
    }),
    http.post(`${BASE}/workflow`, async ({ request }) => {
      record(request);
      const body = (await request.json()) as FakeConductor["starts"][number];
      fake.starts.push(body);
      const startStatus = scripts[body.name]?.startStatus;
      if (startStatus) return HttpResponse.json({ message: "Workflow definition not found" }, { status: startStatus });
      const id = `cmd-${fake.starts.length}`;
      running.set(id, { name: body.name, polls: 0 });
      return new HttpResponse(id, { headers: { "content-type": "text/plain" } });
    }),
    http.post(`${BASE}/workflow/execute/:name/:version`, async ({ request }) => {
      record(request);
      if (synchronous === "absent") return HttpResponse.json({ message: "Not Found" }, { status: 404 });
      const body = (await request.json()) as FakeConductor["starts"][number];
      fake.starts.push(body);
      const id = `cmd-${fake.starts.length}`;
      const script = scripts[body.name] ?? { status: "COMPLETED", output: { workflow: body.name } };
      running.set(id, { name: body.name, polls: 1 });
      if ((script.runningPolls ?? 0) > 0) return HttpResponse.json({ workflowId: id, status: "RUNNING", input: {} }, { status: 206 });
      return HttpResponse.json({ workflowId: id, status: script.status, input: {}, output: script.output ?? {}, reasonForIncompletion: script.reasonForIncompletion });
    }),
    http.get(`${BASE}/workflow/:id`, ({ request, params }) => {
      record(request);
      const id = String(params.id);
      if (id === execution.workflowId) return HttpResponse.json(execution);
      const run = running.get(id);
      if (!run) return HttpResponse.json({ message: `No such workflow found by id: ${id}` }, { status: 404 });
      const script = scripts[run.name] ?? { status: "COMPLETED", output: { workflow: run.name } };
      run.polls++;
      if (run.polls <= (script.runningPolls ?? 0)) return HttpResponse.json({ workflowId: id, status: "RUNNING", input: {} });
      return HttpResponse.json({ workflowId: id, status: script.status, input: {}, output: script.output ?? {}, reasonForIncompletion: script.reasonForIncompletion });
    }),
  ];
  return fake;
}

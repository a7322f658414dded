import { delay, http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConductorClient, type ConductorClientOptions } from "../../src/conductor/client.ts";
import { ConductorError } from "../../src/conductor/errors.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, createFakeClock, type FakeClock } from "./fake-conductor.ts";

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => server.use(http.post(`${BASE}/token`, () => HttpResponse.json({ token: "tok" }))));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const WF = { workflowId: "wf-1", status: "COMPLETED", input: {}, tasks: [], output: { ok: true } };
let clock: FakeClock;
beforeEach(() => {
  clock = createFakeClock();
});

function client(extra: Partial<ConductorClientOptions> = {}) {
  return createConductorClient({ serverUrl: `${BASE}/`, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock, random: () => 1, ...extra });
}

/** A GET /workflow/wf-1 handler answering with each response in turn, then the last forever. */
function answers(...responses: (() => Response)[]) {
  let calls = 0;
  server.use(http.get(`${BASE}/workflow/wf-1`, () => (responses[Math.min(calls++, responses.length - 1)] as () => Response)()));
  return () => calls;
}

describe("retries", () => {
  it("retries 5xx with exponential backoff, then succeeds", async () => {
    const calls = answers(
      () => new HttpResponse("busy", { status: 503 }),
      () => new HttpResponse("busy", { status: 502 }),
      () => HttpResponse.json(WF),
    );
    const wf = await client().getWorkflow("wf-1");
    expect(wf.output).toEqual({ ok: true });
    expect(calls()).toBe(3);
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it("jitters the backoff between half and all of the capped delay", async () => {
    answers(
      () => new HttpResponse(null, { status: 500 }),
      () => new HttpResponse(null, { status: 500 }),
      () => new HttpResponse(null, { status: 500 }),
      () => HttpResponse.json(WF),
    );
    await client({ random: () => 0 }).getWorkflow("wf-1");
    expect(clock.sleeps).toEqual([125, 250, 500]);
  });

  it("gives up after `retries` further attempts with an error naming the request and status", async () => {
    const calls = answers(() => HttpResponse.json({ message: "Service Unavailable" }, { status: 503 }));
    const error = await client({ retries: 2 }).getWorkflow("wf-1").catch((e: unknown) => e);
    expect(calls()).toBe(3);
    expect(error).toMatchObject({ code: "conductor_http", request: { method: "GET", status: 503, workflowId: "wf-1" } });
    expect((error as Error).message).toBe("GET /workflow/wf-1?includeTasks=true failed: HTTP 503 Service Unavailable: Service Unavailable");
  });

  it("does not retry a 4xx", async () => {
    const calls = answers(() => HttpResponse.json({ status: 404, message: "No such workflow found by id: wf-1" }, { status: 404 }));
    const error = await client().getWorkflow("wf-1").catch((e: unknown) => e);
    expect(calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
    expect(error).toMatchObject({ code: "conductor_http", request: { status: 404 } });
    expect((error as Error).message).toContain("HTTP 404 Not Found: No such workflow found by id: wf-1");
  });

  it("retries a network error", async () => {
    const calls = answers(
      () => HttpResponse.error(),
      () => HttpResponse.json(WF),
    );
    await expect(client().getWorkflow("wf-1")).resolves.toMatchObject({ workflowId: "wf-1" });
    expect(calls()).toBe(2);
  });

  it("a network error that persists is conductor_network", async () => {
    answers(() => HttpResponse.error());
    const error = await client({ retries: 1 }).getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_network" });
    expect((error as Error).message).toMatch(/^GET \/workflow\/wf-1\?includeTasks=true failed: /);
  });

  it("also retries the token request on 5xx", async () => {
    let tokenCalls = 0;
    server.use(
      http.post(`${BASE}/token`, () => (++tokenCalls === 1 ? new HttpResponse(null, { status: 500 }) : HttpResponse.json({ token: "tok" }))),
    );
    answers(() => HttpResponse.json(WF));
    await client().getWorkflow("wf-1");
    expect(tokenCalls).toBe(2);
  });
});

describe("timeouts and cancellation", () => {
  it("a server slower than requestTimeoutMs gives conductor_timeout", async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/workflow/wf-1`, async () => {
        calls++;
        await delay(1500);
        return HttpResponse.json(WF);
      }),
    );
    const started = Date.now();
    const error = await client({ requestTimeoutMs: 100 }).getWorkflow("wf-1").catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: "conductor_timeout", request: { method: "GET", workflowId: "wf-1" } });
    expect((error as Error).message).toBe("GET /workflow/wf-1?includeTasks=true got no complete answer within 100 ms");
    expect(calls).toBe(1); // a timeout has spent the request's budget: not retried
  });

  it("the caller's signal cancels a request: conductor_aborted, not retried", async () => {
    server.use(
      http.get(`${BASE}/workflow/wf-1`, async () => {
        await delay(1500);
        return HttpResponse.json(WF);
      }),
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("shutting down")), 50);
    const error = await client().getWorkflow("wf-1", { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_aborted" });
  });
});

describe("response validation", () => {
  it("a response of the wrong shape names the path and the field", async () => {
    answers(() => HttpResponse.json({ workflowId: "wf-1", status: "SLEEPING", tasks: [{ referenceTaskName: 7 }] }));
    const error = await client().getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConductorError);
    expect(error).toMatchObject({ code: "conductor_malformed" });
    const message = (error as Error).message;
    expect(message).toMatch(/^GET \/workflow\/wf-1\?includeTasks=true returned an unexpected response: /);
    expect(message).toContain("status: ");
    expect(message).toContain("tasks.0.referenceTaskName: ");
  });

  it("a body that is not JSON is a clear error", async () => {
    answers(() => new HttpResponse("<html>login</html>", { status: 200, headers: { "content-type": "text/html" } }));
    const error = await client().getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_malformed" });
    expect((error as Error).message).toContain('returned a body that is not JSON: "<html>login</html>"');
  });

  it("tolerates unknown fields and keeps them", async () => {
    answers(() => HttpResponse.json({ ...WF, priority: 3, tasks: [{ referenceTaskName: "x", seq: 1, outputData: { a: 1 } }] }));
    const wf = await client().getWorkflow("wf-1");
    expect(wf).toMatchObject({ priority: 3, tasks: [{ referenceTaskName: "x", seq: 1 }] });
  });
});

describe("start and search", () => {
  it("startWorkflow posts the request and returns the plain-text id", async () => {
    let body: unknown;
    server.use(
      http.post(`${BASE}/workflow`, async ({ request }) => {
        body = await request.json();
        return new HttpResponse("5f0e8a6c-1b2d-11f1-8a3c-0242ac120002", { headers: { "content-type": "text/plain" } });
      }),
    );
    const id = await client().startWorkflow({ name: "get_pods_data", input: { a: 1 } });
    expect(id).toBe("5f0e8a6c-1b2d-11f1-8a3c-0242ac120002");
    expect(body).toEqual({ name: "get_pods_data", input: { a: 1 } });
  });

  it("a start answer that is not an id is malformed, naming the workflow", async () => {
    server.use(http.post(`${BASE}/workflow`, () => new HttpResponse("<html>oops</html>")));
    const error = await client().startWorkflow({ name: "get_pods_data", input: {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_malformed" });
    expect((error as Error).message).toContain("POST /workflow (start get_pods_data) returned an unexpected response");
  });

  it("searchWorkflows sends start/size/freeText/query", async () => {
    let url: URL | undefined;
    server.use(
      http.get(`${BASE}/workflow/search`, ({ request }) => {
        url = new URL(request.url);
        return HttpResponse.json({ totalHits: 1, results: [{ workflowId: "h-1", workflowType: "health_check", status: "FAILED" }] });
      }),
    );
    const result = await client().searchWorkflows({ query: "workflowType IN (health_check)", size: 5 });
    expect(result.results[0]?.workflowId).toBe("h-1");
    expect(Object.fromEntries(url?.searchParams ?? [])).toEqual({ start: "0", size: "5", freeText: "*", query: "workflowType IN (health_check)" });
  });
});

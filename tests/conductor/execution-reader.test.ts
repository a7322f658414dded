import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConductorClient } from "../../src/conductor/client.ts";
import { createExecutionReader } from "../../src/conductor/execution-reader.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, CONTEXT, createFakeClock, createFakeConductor } from "./fake-conductor.ts";

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const EXEC = CONTEXT.executionId;

function setup(options: { maxEntries?: number } = {}) {
  const fake = createFakeConductor();
  server.use(...fake.handlers);
  const client = createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock: createFakeClock(), retries: 0 });
  const gets = () => fake.requests.filter((r) => r.startsWith("GET ")).length;
  return { read: createExecutionReader(client, options), gets };
}

describe("createExecutionReader", () => {
  it("reads the execution and its context with one GET for repeated and concurrent reads", async () => {
    const { read, gets } = setup();
    const [a, b] = await Promise.all([read(EXEC), read(EXEC)]);
    const c = await read(EXEC);
    expect(gets()).toBe(1);
    expect(a.context).toEqual(CONTEXT);
    expect(a.execution.issues).toHaveLength(2);
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it("does not cache a failure: the next read tries again", async () => {
    const { read } = setup();
    let calls = 0;
    server.use(
      http.get(`${BASE}/workflow/${EXEC}`, () => (++calls === 1 ? HttpResponse.json({ message: "boom" }, { status: 500 }) : undefined)),
    );
    await expect(read(EXEC)).rejects.toMatchObject({ code: "conductor_http" });
    await expect(read(EXEC)).resolves.toMatchObject({ context: { clusterName: "viz-stage" } });
    expect(calls).toBe(2);
  });

  it("is bounded: the least recently read execution is dropped", async () => {
    const { read } = setup({ maxEntries: 2 });
    const reads: string[] = [];
    server.use(
      http.get(`${BASE}/workflow/:id`, ({ params }) => {
        reads.push(String(params.id));
        return HttpResponse.json({ workflowId: params.id, status: "COMPLETED", input: { organizationId: "org-1", clusterName: "c-1" } });
      }),
    );
    for (const id of ["a", "b", "a", "c", "a", "b"]) await read(id);
    expect(reads).toEqual(["a", "b", "c", "b"]);
  });

  it("one caller's abort does not cancel the read for the others", async () => {
    const { read, gets } = setup();
    const controller = new AbortController();
    const first = read(EXEC, controller.signal);
    const second = read(EXEC);
    controller.abort(new Error("triage cancelled"));
    await expect(first).rejects.toThrow("triage cancelled");
    await expect(second).resolves.toMatchObject({ context: CONTEXT });
    expect(gets()).toBe(1);
  });
});

import { inspect } from "node:util";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConductorClient, type ConductorClientOptions } from "../../src/conductor/client.ts";
import { ConductorError } from "../../src/conductor/errors.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, createFakeClock, makeJwt } from "./fake-conductor.ts";

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const WF = { workflowId: "wf-1", status: "RUNNING", input: {}, tasks: [] };

function client(extra: Partial<ConductorClientOptions> = {}) {
  return createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock: createFakeClock(), ...extra });
}

/** A token endpoint that hands out tok-1, tok-2, ... and records the bodies it got. */
function tokenEndpoint(mint: (n: number) => string = (n) => `tok-${n}`) {
  const bodies: unknown[] = [];
  server.use(
    http.post(`${BASE}/token`, async ({ request }) => {
      bodies.push(await request.json());
      return HttpResponse.json({ token: mint(bodies.length) });
    }),
  );
  return bodies;
}

describe("token auth", () => {
  it("fetches a token with keyId/keySecret and sends it as X-Authorization", async () => {
    const bodies = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/workflow/wf-1`, ({ request }) => {
        seen.push(request.headers.get("x-authorization"));
        return HttpResponse.json(WF);
      }),
    );
    const c = client();
    await c.getWorkflow("wf-1");
    await c.getWorkflow("wf-1");
    expect(bodies).toEqual([{ keyId: AUTH_KEY, keySecret: AUTH_SECRET }]);
    expect(seen).toEqual(["tok-1", "tok-1"]);
  });

  it("fetches one token for many concurrent requests", async () => {
    const bodies = tokenEndpoint();
    server.use(http.get(`${BASE}/workflow/:id`, ({ params }) => HttpResponse.json({ ...WF, workflowId: params.id })));
    const c = client();
    const ids = await Promise.all(["a", "b", "c", "d", "e"].map(async (id) => (await c.getWorkflow(id)).workflowId));
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
    expect(bodies).toHaveLength(1);
  });

  it("on 401 fetches a new token and retries the request once", async () => {
    const bodies = tokenEndpoint();
    const seen: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/workflow/wf-1`, ({ request }) => {
        const token = request.headers.get("x-authorization");
        seen.push(token);
        return token === "tok-1" ? HttpResponse.json({ message: "Token expired" }, { status: 401 }) : HttpResponse.json(WF);
      }),
    );
    const wf = await client().getWorkflow("wf-1");
    expect(wf.status).toBe("RUNNING");
    expect(seen).toEqual(["tok-1", "tok-2"]);
    expect(bodies).toHaveLength(2);
  });

  it("a second 401 with a fresh token is a clear auth error, not a loop", async () => {
    tokenEndpoint();
    let calls = 0;
    server.use(
      http.get(`${BASE}/workflow/wf-1`, () => {
        calls++;
        return new HttpResponse(null, { status: 401 });
      }),
    );
    const error = await client().getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConductorError);
    expect(error).toMatchObject({ code: "conductor_auth", request: { method: "GET", status: 401, workflowId: "wf-1" } });
    expect((error as Error).message).toMatch(/GET \/workflow\/wf-1\?includeTasks=true failed: HTTP 401 even with a freshly issued token/);
    expect(calls).toBe(2);
  });

  it("refreshes a JWT shortly before its exp, without waiting for a 401", async () => {
    const clock = createFakeClock();
    const bodies = tokenEndpoint(() => makeJwt(clock.now() + 10 * 60_000));
    const seen: (string | null)[] = [];
    server.use(
      http.get(`${BASE}/workflow/wf-1`, ({ request }) => {
        seen.push(request.headers.get("x-authorization"));
        return HttpResponse.json(WF);
      }),
    );
    const c = client({ clock });
    await c.getWorkflow("wf-1");
    clock.advance(8 * 60_000); // 2 min left: still used
    await c.getWorkflow("wf-1");
    expect(bodies).toHaveLength(1);
    clock.advance(90_000); // 30 s left: inside the refresh margin
    await c.getWorkflow("wf-1");
    expect(bodies).toHaveLength(2);
    expect(seen[2]).not.toBe(seen[0]);
  });

  it("assumes tokenTtlMs for tokens that are not JWTs", async () => {
    const clock = createFakeClock();
    const bodies = tokenEndpoint();
    server.use(http.get(`${BASE}/workflow/wf-1`, () => HttpResponse.json(WF)));
    const c = client({ clock, tokenTtlMs: 5 * 60_000 });
    await c.getWorkflow("wf-1");
    clock.advance(3 * 60_000);
    await c.getWorkflow("wf-1");
    expect(bodies).toHaveLength(1);
    clock.advance(2 * 60_000);
    await c.getWorkflow("wf-1");
    expect(bodies).toHaveLength(2);
  });

  it("a rejected access key is a conductor_auth error naming the env vars, and is not retried", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/token`, () => {
        calls++;
        return HttpResponse.json({ message: `invalid key ${AUTH_KEY}/${AUTH_SECRET}` }, { status: 401 });
      }),
    );
    const error = await client().getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "conductor_auth" });
    expect((error as Error).message).toMatch(/POST \/token failed: HTTP 401.*CONDUCTOR_AUTH_KEY and CONDUCTOR_AUTH_SECRET/);
    expect(calls).toBe(1);
  });
});

describe("secrets never leak into errors", () => {
  const TOKEN = "tok-secret-value-9931";

  it.each([
    ["4xx body echoing the token and secret", () => HttpResponse.json({ message: `bad ${TOKEN} for ${AUTH_SECRET}` }, { status: 400 })],
    ["5xx text body echoing the token", () => new HttpResponse(`upstream said X-Authorization: ${TOKEN}`, { status: 502 })],
    ["malformed body holding the token", () => HttpResponse.json({ workflowId: TOKEN, status: TOKEN })],
    ["non-JSON body holding the secret", () => new HttpResponse(`<html>${AUTH_SECRET}</html>`, { status: 200 })],
  ])("%s", async (_name, respond) => {
    server.use(
      http.post(`${BASE}/token`, () => HttpResponse.json({ token: TOKEN })),
      http.get(`${BASE}/workflow/wf-1`, respond),
    );
    const error = await client({ retries: 1 }).getWorkflow("wf-1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConductorError);
    const everything = `${(error as Error).message}\n${inspect(error, { depth: 5 })}\n${JSON.stringify(error)}`;
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain(AUTH_SECRET);
    expect((error as Error).message).toContain("GET /workflow/wf-1");
  });
});

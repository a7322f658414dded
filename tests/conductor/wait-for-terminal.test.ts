import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createConductorClient } from "../../src/conductor/client.ts";
import { createMswServer } from "../helpers/msw.ts";
import { AUTH_KEY, AUTH_SECRET, BASE, createFakeClock, type FakeClock } from "./fake-conductor.ts";

const server = createMswServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => server.use(http.post(`${BASE}/token`, () => HttpResponse.json({ token: "tok" }))));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let clock: FakeClock;
beforeEach(() => {
  clock = createFakeClock();
});

function client() {
  return createConductorClient({ serverUrl: BASE, authKey: AUTH_KEY, authSecret: AUTH_SECRET, requestTimeoutMs: 2000, clock, retries: 0 });
}

/** Serves the statuses in turn (the last one forever) and records each poll's query. */
function statuses(...sequence: (string | (() => Response))[]) {
  const polls: string[] = [];
  server.use(
    http.get(`${BASE}/workflow/cmd-1`, ({ request }) => {
      polls.push(new URL(request.url).search);
      const next = sequence[Math.min(polls.length - 1, sequence.length - 1)] as string | (() => Response);
      if (typeof next === "function") return next();
      return HttpResponse.json({ workflowId: "cmd-1", status: next, input: {}, output: next === "COMPLETED" ? { pods: [] } : {} });
    }),
  );
  return polls;
}

describe("waitForTerminal", () => {
  it("polls at once, then every 50 ms while the wait is short, until a terminal status", async () => {
    const polls = statuses("RUNNING", "RUNNING", "RUNNING", "RUNNING", "COMPLETED");
    const result = await client().waitForTerminal("cmd-1", { deadlineMs: 60_000 });
    expect(result).toMatchObject({ state: "terminal", status: "COMPLETED", workflow: { output: { pods: [] } } });
    expect(clock.sleeps).toEqual([50, 50, 50, 50]);
    expect(polls).toHaveLength(5);
    expect(polls.every((q) => q === "?includeTasks=false")).toBe(true);
  });

  it.each(["FAILED", "TERMINATED", "TIMED_OUT"])("returns %s as terminal", async (status) => {
    statuses("RUNNING", status);
    await expect(client().waitForTerminal("cmd-1", { deadlineMs: 60_000 })).resolves.toMatchObject({ state: "terminal", status });
  });

  it("stops at the deadline with the last state; pauses stay within 5% of the time waited, capped at pollMaxMs", async () => {
    statuses("RUNNING");
    const started = clock.now();
    const result = await client().waitForTerminal("cmd-1", { deadlineMs: 120_000, pollMaxMs: 4000 });
    expect(result).toMatchObject({ state: "deadline", workflow: { status: "RUNNING" }, lastError: null });
    expect(clock.now() - started).toBe(120_000);
    expect(Math.max(...clock.sleeps)).toBe(4000);
    let waited = 0;
    for (const sleep of clock.sleeps) {
      expect(sleep).toBeLessThanOrEqual(Math.max(50, Math.round(waited * 0.05)));
      waited += sleep;
    }
    // Proportional pauses keep the poll count modest even for a two-minute command.
    expect(clock.sleeps.length).toBeLessThanOrEqual(120);
  });

  it("reports a workflow that stays PAUSED as stuck after the grace period", async () => {
    statuses("RUNNING", "PAUSED");
    const started = clock.now();
    const result = await client().waitForTerminal("cmd-1", { deadlineMs: 120_000, pausedGraceMs: 5000 });
    expect(result).toMatchObject({ state: "stuck", workflow: { status: "PAUSED" } });
    expect(clock.now() - started).toBeLessThan(12_000);
  });

  it("a PAUSED workflow at the deadline is stuck too", async () => {
    statuses("PAUSED");
    const result = await client().waitForTerminal("cmd-1", { deadlineMs: 3000, pausedGraceMs: 60_000 });
    expect(result.state).toBe("stuck");
  });

  it("waits out transient read failures", async () => {
    statuses("RUNNING", () => new HttpResponse(null, { status: 503 }), () => HttpResponse.error(), "COMPLETED");
    await expect(client().waitForTerminal("cmd-1", { deadlineMs: 60_000 })).resolves.toMatchObject({ state: "terminal" });
  });

  it("at the deadline after only failures, returns the last error", async () => {
    statuses(() => new HttpResponse(null, { status: 503 }));
    const result = await client().waitForTerminal("cmd-1", { deadlineMs: 2000 });
    expect(result).toMatchObject({ state: "deadline", workflow: null, lastError: { code: "conductor_http", request: { status: 503 } } });
  });

  it("throws on a failure that will not change (404)", async () => {
    statuses(() => HttpResponse.json({ message: "No such workflow" }, { status: 404 }));
    await expect(client().waitForTerminal("cmd-1", { deadlineMs: 60_000 })).rejects.toMatchObject({ code: "conductor_http" });
  });

  it("stops when the caller aborts", async () => {
    statuses("RUNNING");
    const controller = new AbortController();
    const realSleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      if (clock.sleeps.length === 2) controller.abort(new Error("shutdown"));
      return realSleep(ms, signal);
    };
    await expect(client().waitForTerminal("cmd-1", { deadlineMs: 60_000, signal: controller.signal })).rejects.toMatchObject({
      code: "conductor_aborted",
      request: { workflowId: "cmd-1" },
    });
  });
});

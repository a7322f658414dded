import { describe, expect, it } from "vitest";
import { checkLiveness, checkReadiness, MISSED_POLLS_BEFORE_UNHEALTHY, type ServiceStatus } from "../../src/ops/health.ts";

const base: ServiceStatus = { startedAt: 0, pollIntervalMs: 10_000, lastPollAt: null, reachable: {} };

describe("liveness", () => {
  it("is alive while starting and while cycles keep finishing, dead once they stop", () => {
    expect(checkLiveness(base, 5_000)).toMatchObject({ ok: true, detail: "starting: no poll cycle yet" });
    const allowed = MISSED_POLLS_BEFORE_UNHEALTHY * 10_000 + 30_000;
    expect(checkLiveness({ ...base, lastPollAt: 100_000 }, 100_000 + allowed).ok).toBe(true);
    expect(checkLiveness({ ...base, lastPollAt: 100_000 }, 100_001 + allowed)).toMatchObject({ ok: false });
    expect(checkLiveness(base, allowed + 1).detail).toMatch(/no poll cycle for 60 s \(allowed 60 s\)/);
  });
});

describe("readiness", () => {
  it("needs the state written and Slack and Conductor answering, and says what is missing", () => {
    expect(checkReadiness(base)).toMatchObject({ ok: false, detail: "state: not checked yet; slack: not checked yet" });
    const ok = { ok: true, detail: "", at: 1 };
    expect(checkReadiness({ ...base, reachable: { state: ok, slack: ok } }).ok).toBe(true);
    const ready: ServiceStatus = { ...base, reachable: { state: ok, slack: ok, conductor: ok } };
    expect(checkReadiness(ready)).toEqual({ ok: true, detail: "ready" });
    const down: ServiceStatus = { ...ready, reachable: { ...ready.reachable, conductor: { ok: false, detail: "GET_PODS_DATA could not be started", at: 2 } } };
    expect(checkReadiness(down)).toEqual({ ok: false, detail: "conductor: GET_PODS_DATA could not be started" });
  });
});

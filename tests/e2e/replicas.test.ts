import { describe, expect, it } from "vitest";
import { measureFleet, runReplicaSoak } from "../../scripts/lib/replica-soak.ts";

/**
 * The short version of scripts/soak-replicas.ts: real `run --loop` subprocesses on one real
 * PostgreSQL, against the sandbox. The long soak (200 alerts, ≥ 2 minutes) is behind the script.
 */
describe("replicas sharing one PostgreSQL state", () => {
  it("answer every alert exactly once through kill -9 of random replicas and a PostgreSQL restart, and share the work", async () => {
    const result = await runReplicaSoak({
      replicas: 2,
      alerts: 14,
      postOverMs: 9_000,
      killForMs: 14_000,
      killEveryMs: [2_500, 4_000],
      faults: true,
      leaseMs: 2_000,
      pollIntervalMs: 500,
      pgRestartAtMs: 6_000,
      pgDownMs: 2_000,
    });
    expect(result.bad).toEqual([]);
    expect(result).toMatchObject({ alerts: 14, answeredOnce: 14, lost: 0, duplicates: 0, duplicateNotifications: 0, stuckEyes: 0, unexpectedExits: 0, pgRestarted: true });
    expect(result.kills).toBeGreaterThanOrEqual(3);
    expect(result.notificationsSent).toBeGreaterThan(0);
    expect(result.repliesByReplica.filter((n) => n > 0).length).toBe(2);
  }, 180_000);

  it("make one Slack call per idle poll cycle for the whole fleet, and take a dead replica's alert over within a lease and a poll", async () => {
    const fleet = await measureFleet({ replicas: 3, leaseMs: 2_000, pollIntervalMs: 1_000, idleCycles: 4 });
    expect(fleet.historyCallsPerIdleCycle).toBeLessThanOrEqual(1.25); // one poller; a cycle boundary may fall inside the window
    expect(fleet.slackCallsPerIdleCycle).toBeLessThanOrEqual(1.25);
    expect(fleet.takeoverMs).toBeGreaterThanOrEqual(fleet.leaseMs - 500);
    expect(fleet.takeoverMs).toBeLessThanOrEqual(fleet.leaseMs + 2 * fleet.pollIntervalMs + 1_000);
  }, 120_000);
});

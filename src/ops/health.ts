/** What the loop reports about itself; the HTTP endpoint turns it into /healthz and /readyz. */
export interface ServiceStatus {
  startedAt: number;
  pollIntervalMs: number;
  /** When the last poll cycle finished, whatever its result; null before the first. */
  lastPollAt: number | null;
  /** Per dependency, whether it answered at the last cycle (absent: not yet known). */
  reachable: Partial<Record<"slack" | "conductor" | "state", { ok: boolean; detail: string; at: number }>>;
}

export interface Verdict {
  ok: boolean;
  detail: string;
}

/** The loop counts as alive while a cycle finished within this many intervals (or since start). */
export const MISSED_POLLS_BEFORE_UNHEALTHY = 3;

/** Liveness: the poll loop is turning. A restart is the only cure for a loop that stopped. */
export function checkLiveness(status: ServiceStatus, now: number): Verdict {
  const allowedMs = MISSED_POLLS_BEFORE_UNHEALTHY * status.pollIntervalMs + 30_000;
  const since = status.lastPollAt ?? status.startedAt;
  const ageMs = now - since;
  return ageMs <= allowedMs
    ? { ok: true, detail: status.lastPollAt === null ? "starting: no poll cycle yet" : `last poll cycle ${Math.round(ageMs / 1000)} s ago` }
    : { ok: false, detail: `no poll cycle for ${Math.round(ageMs / 1000)} s (allowed ${Math.round(allowedMs / 1000)} s)` };
}

/**
 * Readiness: the state store is writable and Slack and Conductor answered when last used. An idle
 * bot makes no Conductor call, so Conductor counts as ready until a call to it has failed.
 */
export function checkReadiness(status: ServiceStatus): Verdict {
  const needed = ["state", "slack", "conductor"] as const;
  const problems = needed.flatMap((name) => {
    const seen = status.reachable[name];
    if (!seen) return name === "conductor" ? [] : [`${name}: not checked yet`];
    return seen.ok ? [] : [`${name}: ${seen.detail}`];
  });
  return problems.length === 0 ? { ok: true, detail: "ready" } : { ok: false, detail: problems.join("; ") };
}

import { describe, expect, it } from "vitest";
import { alertedWorkloads, rankAlongGraph } from "../../src/rules/judge/rank-along-graph.ts";
import type { CauseCandidate } from "../../src/rules/types.ts";
import { issue } from "./build-evidence.ts";

const cand = (key: string, weight: number, subject: string | undefined, cause: string): CauseCandidate => ({ key, weight, cause, appOrInfra: "infra", tool: "get_pod_events", ...(subject ? { subject } : {}) });

const ALERT = [issue("WORKERS_HEALTHY", "Workers have failed: deployment parcel-workers has 0/4 ready replicas")];
/** Another namespace's CronJob pod that cannot pull its image, beside the alerted workers that cannot be scheduled. */
const CANDIDATES = [
  cand("image-pull", 0.9, "nightly-report-28911320-ab1cd", "nightly-report-28911320-ab1cd is stuck in ImagePullBackOff"),
  cand("scheduling", 0.85, "parcel-workers-6d8b7c9f5-x2k4p", "parcel-workers-6d8b7c9f5-x2k4p cannot be scheduled: no node matches its node selector"),
  cand("pod-down", 0.5, undefined, "nightly-report-28911320-ab1cd ImagePullBackOff, parcel-workers-6d8b7c9f5-x2k4p Pending"),
];

describe("an alert that names its workload is explained by that workload's pods", () => {
  it("reads the workload an alert names by kind", () => {
    expect(alertedWorkloads("Workers have failed: deployment parcel-workers has 0/4 ready replicas")).toEqual(["parcel-workers"]);
    expect(alertedWorkloads("statefulset/redis-node is not ready")).toEqual(["redis-node"]);
    expect(alertedWorkloads("Workers have not polled in 300 s")).toEqual([]);
  });

  it("another workload's pull failure does not outrank (or compete with) the alerted pods' scheduling failure", () => {
    const verdict = rankAlongGraph(CANDIDATES, ALERT);
    expect(verdict.root?.candidate.key).toBe("scheduling");
    expect(verdict.competing.map((r) => r.candidate.key)).not.toContain("image-pull");
  });

  it("without a named workload the stronger pull failure still may explain the workers", () => {
    const verdict = rankAlongGraph(CANDIDATES, [issue("WORKERS_HEALTHY", "Workers have failed the health check")]);
    expect(verdict.root?.candidate.key).toBe("image-pull");
  });
});

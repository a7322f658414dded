import { readFileSync } from "node:fs";
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

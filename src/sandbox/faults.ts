/**
 * Scripted failures for the fake servers. A fault is queued against a target (a Slack method,
 * a Conductor route or command, the Messages API) and hits the next N requests to it; latency
 * is a standing delay per target. "*" matches every target.
 */
export type HttpFault =
  /** Answer with this status (429, 500, 503, 529, ...) and an optional Retry-After in seconds. */
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  /** Never answer; the request is cut when the server closes. */
  | { kind: "hang" };

interface QueuedFault<F> {
  target: string;
  fault: F;
  remaining: number;
}

export interface Faults<F = HttpFault> {
  /** Queues `fault` for the next `times` requests to `target`. */
  add(target: string, fault: F, times?: number): void;
  /** Adds `ms` of delay to every request to `target` (0 removes it). */
  setLatency(target: string, ms: number): void;
  /** Removes every queued fault and latency. */
  clear(): void;
}

export interface FaultQueue<F> extends Faults<F> {
  /** Takes one use of the first fault queued for `target`, if any. */
  take(target: string, accepts?: (fault: F) => boolean): F | undefined;
  latencyFor(target: string): number;
}

export function createFaultQueue<F>(): FaultQueue<F> {
  let queued: QueuedFault<F>[] = [];
  const latency = new Map<string, number>();
  return {
    add(target, fault, times = 1) {
      queued.push({ target, fault, remaining: times });
    },
    setLatency(target, ms) {
      if (ms > 0) latency.set(target, ms);
      else latency.delete(target);
    },
    clear() {
      queued = [];
      latency.clear();
    },
    take(target, accepts = () => true) {
      const entry = queued.find((q) => (q.target === target || q.target === "*") && accepts(q.fault));
      if (!entry) return undefined;
      entry.remaining -= 1;
      if (entry.remaining <= 0) queued = queued.filter((q) => q !== entry);
      return entry.fault;
    },
    latencyFor(target) {
      return (latency.get(target) ?? 0) + (latency.get("*") ?? 0);
    },
  };
}

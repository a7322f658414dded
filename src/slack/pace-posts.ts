import type { Clock } from "../lib/clock.ts";

/** Slack accepts about one message a second per channel; faster bursts earn 429s. */
export const SLACK_POST_INTERVAL_MS = 1000;

/**
 * Spaces calls per key (a channel) at least `intervalMs` apart, in arrival order, so a burst of
 * replies is paced instead of rate-limited.
 */
export function createPacer(intervalMs: number, clock: Clock): (key: string) => Promise<void> {
  const nextFree = new Map<string, number>();
  return async (key) => {
    const now = clock.now();
    const slot = Math.max(now, nextFree.get(key) ?? 0);
    nextFree.set(key, slot + intervalMs);
    if (slot > now) await clock.sleep(slot - now);
  };
}

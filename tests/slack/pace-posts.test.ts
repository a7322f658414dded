import { describe, expect, it } from "vitest";
import type { Clock } from "../../src/lib/clock.ts";
import { createPacer } from "../../src/slack/pace-posts.ts";

/** Time moves only when the test says so; sleeps are recorded. */
function fakeClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
  let now = 10_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}

describe("createPacer", () => {
  it("spaces posts to one channel a second apart and leaves other channels alone", async () => {
    const clock = fakeClock();
    const pace = createPacer(1000, clock);
    await Promise.all([pace("C1"), pace("C1"), pace("C1"), pace("C2")]);
    expect(clock.sleeps).toEqual([1000, 2000]);
  });

  it("does not wait when the channel has been quiet", async () => {
    const clock = fakeClock();
    const pace = createPacer(1000, clock);
    await pace("C1");
    clock.advance(5000);
    await pace("C1");
    expect(clock.sleeps).toEqual([]);
  });
});

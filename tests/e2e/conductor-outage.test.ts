import { describe, expect, it } from "vitest";
import { botEnv, sleep, startCli, startSoakSandbox, summarise, tallyThreads, tempState, waitFor } from "../../scripts/lib/cli-soak.ts";

/**
 * Conductor answers 503 to everything for a while, then recovers: alerts that arrive during the
 * outage get no answer made of failed commands ("Inconclusive … every command failed"); they are
 * retried with backoff and each is answered once after recovery. OUTAGE_MS=60000 runs the
 * issue's full minute.
 */
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 6_000);

describe("a Conductor outage", () => {
  it("gets no final answer during the outage and one full answer per alert after it", { timeout: OUTAGE_MS + 90_000 }, async () => {
    const { sandbox, scenarios } = await startSoakSandbox(3, { conductorCommandMs: 50 });
    try {
      sandbox.conductor.faults.add("*", { kind: "status", status: 503 }, 1_000_000);
      const env = botEnv(sandbox, tempState(), { ONCALL_RETRY_BACKOFF: "2s", ONCALL_MAX_ATTEMPTS: "8", CONDUCTOR_REQUEST_TIMEOUT: "2s" });
      const alertTs = scenarios.map((s) => sandbox.slack.postAlert(sandbox.alertChannel, s.alert.message));
      const bot = startCli(["run", "--loop", "--interval", "0.3", "--since", "1h"], env);
      try {
        await sleep(OUTAGE_MS);
        // During the outage: 👀 on each alert, nothing in any thread.
        const during = tallyThreads(sandbox, alertTs);
        expect(during.map((t) => t.replies), bot.stderr().slice(-2000)).toEqual([0, 0, 0]);
        expect(during.every((t) => t.reactions.includes("eyes"))).toBe(true);

        sandbox.conductor.faults.clear();
        const answered = await waitFor(() => tallyThreads(sandbox, alertTs).every((t) => t.replies === 1), 60_000);
        expect(answered, bot.stderr().slice(-2000)).toBe(true);
        await sleep(1000); // a duplicate would land now
      } finally {
        bot.kill("SIGTERM");
        await bot.done;
      }
      const figures = summarise(tallyThreads(sandbox, alertTs));
      expect(figures).toMatchObject({ alerts: 3, answeredOnce: 3, duplicates: 0, failureNotes: 0, stuckEyes: 0 });
      expect(Object.keys(figures.byKind).every((kind) => kind === "full" || kind === "fallback")).toBe(true);
    } finally {
      await sandbox.close();
    }
  });
});

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { botEnv } from "../../scripts/lib/cli-soak.ts";
import { freePort, get, startProcess, waitFor } from "./cli-process.ts";

const BIN = join(import.meta.dirname, "../../bin/oncall-agent.js");
let sandbox: Sandbox;
let scenarios: Scenario[];

beforeAll(async () => {
  scenarios = await loadScenarios("scenarios");
  sandbox = await startSandbox({ scenarios, latency: { conductorCommandMs: 30 } });
});
afterAll(async () => {
  await sandbox?.close();
});

/** One sample's value from Prometheus text, e.g. value(text, 'oncall_triages_total{engine="rules",outcome="diagnosed"}'). */
function sum(text: string, name: string, labels: Record<string, string> = {}): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

describe("the operators' endpoint during a sandbox run", () => {
  it("serves liveness, readiness and metrics that follow the triages, with no message text or secret in them", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const env = botEnv(sandbox, join(mkdtempSync(join(tmpdir(), "oncall-ops-")), "state.json"), { ONCALL_HTTP_PORT: String(port) });
    const bot = startProcess(process.execPath, [BIN, "run", "--loop", "--interval", "0.3"], { env, cwd: mkdtempSync(join(tmpdir(), "oncall-ops-cwd-")) });
    try {
      await waitFor(async () => (await get(port, "/healthz"))?.status === 200);
      await waitFor(() => bot.stderr().includes("first poll of this channel"));
      const alerts = ["08_", "21_"].map((id) => sandbox.slack.postAlert(sandbox.alertChannel, scenarios.find((s) => s.id.startsWith(id))!.alert.message));
      await waitFor(() => alerts.every((ts) => sandbox.slack.replies(sandbox.alertChannel, ts).length === 1));
      await waitFor(async () => sum((await get(port, "/metrics"))?.body ?? "", "oncall_triages_total") >= 2);

      const ready = await get(port, "/readyz");
      expect(ready, bot.stderr()).toMatchObject({ status: 200 });
      const metrics = (await get(port, "/metrics"))!.body;
      expect(sum(metrics, "oncall_alerts_seen_total")).toBe(2);
      expect(sum(metrics, "oncall_triages_total", { engine: "rules" })).toBe(2);
      expect(sum(metrics, "oncall_tool_calls_total", { command: "GET_PODS_DATA", status: "COMPLETED" })).toBeGreaterThanOrEqual(2);
      expect(sum(metrics, "oncall_triage_duration_seconds_count")).toBe(2);
      expect(sum(metrics, "oncall_time_to_first_reaction_seconds_count")).toBeGreaterThanOrEqual(2);
      expect(sum(metrics, "oncall_poll_cycles_total", { result: "ok" })).toBeGreaterThan(0);
      expect(sum(metrics, "oncall_replies_total", { kind: "full" })).toBe(2);
      expect(sum(metrics, "oncall_state_operation_duration_seconds_count")).toBeGreaterThan(0);
      expect(metrics).toMatch(/^oncall_process_resident_memory_bytes \d+/m);
      // Labels are closed sets: nothing of the alerts' text, the org or the token shows up.
      for (const leak of [sandbox.env.SLACK_BOT_TOKEN!, sandbox.env.CONDUCTOR_AUTH_SECRET!, "ImagePullBackOff", "health-checking", "cluster"]) {
        expect(metrics).not.toContain(leak);
      }
      expect((await get(port, "/nope"))?.status).toBe(404);

      // `status` reads the same state beside the running bot, without its lock.
      const status = await startProcess(process.execPath, [BIN, "status", "--json"], { env, cwd: mkdtempSync(join(tmpdir(), "oncall-ops-cwd-")) }).done;
      expect(status.code, status.stderr).toBe(0);
      const view = JSON.parse(status.stdout) as { totals: { replied: number }; recentReplies: { kind: string }[]; channels: unknown[] };
      expect(view.totals.replied).toBe(2);
      expect(view.recentReplies.map((r) => r.kind).sort()).toEqual(["full", "full"]);
      expect(view.channels).toHaveLength(1);
    } finally {
      bot.kill("SIGTERM");
    }
    const exit = await bot.done;
    expect(exit.code).toBe(0);

    // One triage can be followed by one id, through the bot, the Conductor client and back.
    const lines = exit.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.every((l) => typeof l.level === "string" && typeof l.time === "string" && typeof l.message === "string")).toBe(true);
    const triages = new Map<string, Record<string, unknown>[]>();
    for (const line of lines) if (typeof line.triageId === "string") triages.set(line.triageId, [...(triages.get(line.triageId) ?? []), line]);
    expect(triages.size).toBe(2);
    for (const triage of triages.values()) {
      const messages = triage.map((l) => l.message);
      expect(messages).toEqual(expect.arrayContaining(["triaging", "command started", "command finished", "replied"]));
      expect(new Set(triage.map((l) => l.alert)).size).toBe(1);
      expect(new Set(triage.map((l) => l.executionId)).size).toBe(1);
    }
  });
});

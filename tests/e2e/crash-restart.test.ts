import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { botEnv, runKillSoak, sleep, startCli, startSoakSandbox, summarise, tallyThreads, tempState, waitFor } from "../../scripts/lib/cli-soak.ts";

// The CLI as a subprocess against the sandbox. The long kill -9 soak is scripts/soak-kill.ts.
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe("crashes, deploys and slow APIs (CLI against the sandbox)", () => {
  it("kill -9 at random moments with immediate restarts: every alert exactly one reply, none a failure note, no restart refused", { timeout: 120_000 }, async () => {
    const result = await runKillSoak({ alerts: 10, kills: 5, lifeMs: [300, 2500], faults: true });
    expect(result.bad).toEqual([]);
    expect(result).toMatchObject({ alerts: 10, answeredOnce: 10, lost: 0, duplicates: 0, failureNotes: 0, refusedRestarts: 0, stuckEyes: 0 });
  });

  it("SIGTERM with a 1 s grace and slow commands posts nothing for the cancelled work; the restart answers each alert once", { timeout: 90_000 }, async () => {
    const soak = await startSoakSandbox(4, { conductorCommandMs: 1500 });
    sandbox = soak.sandbox;
    const state = tempState();
    const env = botEnv(soak.sandbox, state, { ONCALL_SHUTDOWN_GRACE: "1s", ONCALL_RETRY_BACKOFF: "1s" });
    const alertTs = soak.scenarios.map((s) => soak.sandbox.slack.postAlert(soak.sandbox.alertChannel, s.alert.message));
    const args = ["run", "--loop", "--interval", "0.3", "--since", "1h"];

    const first = startCli(args, env);
    expect(await waitFor(() => alertTs.every((ts) => soak.sandbox.slack.reactions(soak.sandbox.alertChannel, ts).includes("eyes")), 20_000)).toBe(true);
    await sleep(300);
    first.kill("SIGTERM");
    const exit = await first.done;
    expect(exit.code, exit.stderr.slice(-2000)).toBe(0);
    await sleep(3000); // anything a cancelled triage would still post lands now
    expect(soak.sandbox.slack.callsTo("chat.postMessage")).toEqual([]);
    expect(exit.stderr).toMatch(/cancelled attempts recorded|attempt cancelled/);

    const second = startCli(args, env);
    const answered = await waitFor(() => tallyThreads(soak.sandbox, alertTs).every((t) => t.replies >= 1 && !t.reactions.includes("eyes")), 60_000);
    await sleep(1000);
    second.kill("SIGTERM");
    await second.done;
    expect(answered, second.stderr().slice(-3000)).toBe(true);
    const figures = summarise(tallyThreads(soak.sandbox, alertTs));
    expect(figures).toMatchObject({ answeredOnce: 4, duplicates: 0, failureNotes: 0 });
  });

  it("Slack 500s on posts for a while and a post that answers after 20 s: no duplicate reply", { timeout: 90_000 }, async () => {
    const soak = await startSoakSandbox(3, { conductorCommandMs: 30 });
    sandbox = soak.sandbox;
    const env = botEnv(soak.sandbox, tempState(), { ONCALL_RETRY_BACKOFF: "1s" });
    const { faults } = soak.sandbox.slack;
    faults.add("chat.postMessage", { kind: "status", status: 500 }, 3);
    faults.add("chat.postMessage", { kind: "late", ms: 20_000 }); // Slack takes it, answers after the client's 15 s timeout
    const alertTs = soak.scenarios.map((s) => soak.sandbox.slack.postAlert(soak.sandbox.alertChannel, s.alert.message));
    const bot = startCli(["run", "--loop", "--interval", "0.3", "--since", "1h"], env);
    const answered = await waitFor(() => tallyThreads(soak.sandbox, alertTs).every((t) => t.replies >= 1 && !t.reactions.includes("eyes")), 60_000);
    await sleep(2000);
    bot.kill("SIGTERM");
    await bot.done;
    expect(answered, bot.stderr().slice(-3000)).toBe(true);
    const tally = tallyThreads(soak.sandbox, alertTs);
    expect(summarise(tally)).toMatchObject({ answeredOnce: 3, duplicates: 0, failureNotes: 0 });
    expect(soak.sandbox.slack.callsTo("chat.postMessage").length).toBe(3 + 1 + 2); // 3 refused, 1 late, then one each for the other two
  });

  it("one message with blocks nested 6,000 deep does not block the channel: the alerts around it are answered", { timeout: 60_000 }, async () => {
    const soak = await startSoakSandbox(2, { conductorCommandMs: 30 });
    sandbox = soak.sandbox;
    let deep: unknown = { type: "text", text: "x" };
    for (let i = 0; i < 6000; i += 1) deep = { type: "rich_text_section", elements: [deep] };
    const { slack, alertChannel } = soak.sandbox;
    const before = slack.postAlert(alertChannel, soak.scenarios[0]!.alert.message);
    slack.postAlert(alertChannel, { text: "see https://control.orkes.example/execution/zzz", blocks: [{ type: "rich_text", elements: [deep] }] } as never);
    const after = slack.postAlert(alertChannel, soak.scenarios[1]!.alert.message);
    const result = await startCli(["run", "--since", "1h"], botEnv(soak.sandbox, tempState())).done;
    expect(result.code, result.stderr.slice(-2000)).toBe(0);
    expect(summarise(tallyThreads(soak.sandbox, [before, after]))).toMatchObject({ answeredOnce: 2 });
    expect(result.stderr).toMatch(/links an \/execution\/ URL but is not read as an alert/);
  });

  it("a truncated state file after a kill: the restart rebuilds from the channel and answers every alert exactly once", { timeout: 90_000 }, async () => {
    const soak = await startSoakSandbox(5, { conductorCommandMs: 600 });
    sandbox = soak.sandbox;
    const state = tempState();
    const env = botEnv(soak.sandbox, state, { ONCALL_RETRY_BACKOFF: "1s" });
    const alertTs = soak.scenarios.map((s) => soak.sandbox.slack.postAlert(soak.sandbox.alertChannel, s.alert.message));
    const args = ["run", "--loop", "--interval", "0.3", "--since", "1h"];
    const first = startCli(args, env);
    expect(await waitFor(() => tallyThreads(soak.sandbox, alertTs).some((t) => t.replies > 0), 30_000)).toBe(true);
    first.kill("SIGKILL");
    await first.done;
    // As a full disk or a bad copy leaves it: half a file, no journal.
    const text = readFileSync(state, "utf8");
    writeFileSync(state, text.slice(0, Math.floor(text.length / 2)));
    rmSync(`${state}.journal`, { force: true });
    const answeredBefore = tallyThreads(soak.sandbox, alertTs).filter((t) => t.replies > 0).length;

    const second = startCli(args, env);
    const done = await waitFor(() => tallyThreads(soak.sandbox, alertTs).every((t) => t.replies >= 1 && !t.reactions.includes("eyes")), 60_000);
    await sleep(1000);
    second.kill("SIGTERM");
    await second.done;
    expect(done, second.stderr().slice(-3000)).toBe(true);
    expect(second.stderr()).toMatch(/unusable/);
    expect(answeredBefore).toBeLessThan(5);
    expect(summarise(tallyThreads(soak.sandbox, alertTs))).toMatchObject({ answeredOnce: 5, duplicates: 0, failureNotes: 0 });
  });
});

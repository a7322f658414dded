import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../src/cli/commands/run.ts";
import type { FeedbackSummary } from "../../src/feedback/index.ts";
import { loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { runCliInProcess } from "../helpers/run-cli.ts";

const ONCALL = "U0ONCALL01";
let sandbox: Sandbox;
let first: Scenario;
let repeat: Scenario;

/** The same incident again: a new execution of the same health check on the same cluster. */
function repeatOf(scenario: Scenario): Scenario {
  const copy = JSON.parse(JSON.stringify(scenario).replaceAll(scenario.execution.workflowId, randomUUID())) as Scenario;
  return { ...copy, id: `${scenario.id}~again` };
}

beforeAll(async () => {
  const [base] = (await loadScenarios("scenarios")).filter((s) => s.id === "08_workers_down_image_pull");
  first = base!;
  repeat = repeatOf(first);
  sandbox = await startSandbox({ scenarios: [first, repeat], latency: { conductorCommandMs: 5 } });
});
afterAll(async () => {
  await sandbox?.close();
});

async function cli(args: string[], env: Record<string, string>) {
  return runCliInProcess(args, env, mkdtempSync(join(tmpdir(), "fb-cwd-")));
}

const botReply = (alertTs: string) => sandbox.slack.replies(sandbox.alertChannel, alertTs).find((m) => m.user === "U0SBXBOT01")!;
const replyText = (alertTs: string) => JSON.stringify(botReply(alertTs).blocks);

describe("verdicts and recurrence against the sandbox", () => {
  it("reads the on-call's 👎 and root cause, shows them in `feedback`, and marks the repeat as recurring (escalated: judged wrong)", async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), "fb-state-")), "state.json");
    const env = {
      ...Object.fromEntries(Object.entries(sandbox.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))),
      ONCALL_ENGINE: "rules",
      ONCALL_STATE_FILE: stateFile,
      ONCALL_KNOWN_INCIDENT_COOLDOWN: "0",
      ONCALL_DEBOUNCE_WINDOW: "0",
      ONCALL_ESCALATE_SEVERITIES: "none",
      ONCALL_ESCALATE_INCONCLUSIVE: "false",
      ONCALL_ESCALATE_RECURRING_WRONG: "true",
      SLACK_ESCALATION_USERS: ONCALL,
      LOG_LEVEL: "error",
    };
    const run = () => cli(["run", "--since", "1h"], env);

    const alertA = sandbox.slack.postAlert(sandbox.alertChannel, first.alert.message);
    expect((await run()).code).toBe(0);
    expect(replyText(alertA)).toContain(":new: *New*");

    sandbox.slack.react(sandbox.alertChannel, botReply(alertA).ts, "-1", ONCALL);
    sandbox.slack.postReply(sandbox.alertChannel, alertA, "Root cause: the registry pull secret was rotated and not updated", ONCALL);
    const repliesBefore = sandbox.slack.callsTo("conversations.replies").length;
    expect((await run()).code).toBe(0);
    // One thread to read, one call: the reactions come with conversations.replies.
    expect(sandbox.slack.callsTo("conversations.replies").length - repliesBefore).toBe(1);

    const dmsBefore = sandbox.slack.callsTo("conversations.open").length;
    const alertB = sandbox.slack.postAlert(sandbox.alertChannel, repeat.alert.message);
    expect((await run()).code).toBe(0);
    expect(replyText(alertB)).toMatch(/:repeat: \*Recurring\* — 2nd time in 7 days \(same incident\); <https:\/\/sandbox\.slack\.com\/archives\/[^|]+\|last thread>: judged \*wrong\*/);
    expect(sandbox.slack.callsTo("conversations.open").length - dmsBefore).toBe(1);

    const json = await cli(["feedback", "--json"], env);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout) as FeedbackSummary;
    expect(summary.answered).toBe(2);
    expect(summary.judged).toBe(1);
    expect(summary.byEngine.rules).toMatchObject({ judged: 1, wrong: 1, accuracy: 0 });
    expect(Object.keys(summary.byIssueType)).toEqual(first.issueTypes);
    expect(summary.wrong).toHaveLength(1);
    expect(summary.wrong[0]).toMatchObject({ humanRootCause: "the registry pull secret was rotated and not updated", users: [ONCALL], engine: "rules" });
    expect(summary.wrong[0]?.threadLink).toContain(`/archives/${sandbox.alertChannel}/p${alertA.replace(".", "")}`);

    const text = await cli(["feedback", "--since", "7d"], env);
    expect(text.stdout).toContain("Wrong answers (1)");
    expect(text.stdout).toContain("root cause (U0ONCALL01): the registry pull secret was rotated");

    const file = JSON.parse(readFileSync(`${stateFile}.feedback.json`, "utf8")) as { replies: Record<string, unknown> };
    expect(Object.keys(file.replies)).toHaveLength(2);

    const out = mkdtempSync(join(tmpdir(), "fb-export-"));
    const exported = await cli(["feedback", "export", `${sandbox.alertChannel}:${alertA}`, "--out", out], env);
    expect(exported.stderr).toBe("");
    expect(exported.code).toBe(0);
    const [scenario] = await loadScenarios(out);
    expect(scenario?.truth.rootCause).toBe("the registry pull secret was rotated and not updated");
    expect(scenario?.id).toMatch(/^01_feedback_/);

    const unjudged = await cli(["feedback", "export", `${sandbox.alertChannel}:${alertB}`, "--out", out], env);
    expect(unjudged.code).toBe(2);
    expect(unjudged.stderr).toContain("no verdict");
  }, 60_000);

  it("keeps answering alerts while a verdict read hangs on Slack", async () => {
    const one = repeatOf(first);
    const two = repeatOf(first);
    const own = await startSandbox({ scenarios: [one, two], latency: { conductorCommandMs: 5 } });
    const botReply = (alertTs: string) => own.slack.replies(own.alertChannel, alertTs).find((m) => m.user === "U0SBXBOT01");
    const stateFile = join(mkdtempSync(join(tmpdir(), "fb-state-")), "state.json");
    const env = {
      ...Object.fromEntries(Object.entries(own.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))),
      ONCALL_ENGINE: "rules",
      ONCALL_STATE_FILE: stateFile,
      ONCALL_KNOWN_INCIDENT_COOLDOWN: "0",
      ONCALL_DEBOUNCE_WINDOW: "0",
      LOG_LEVEL: "error",
    };
    const alertA = own.slack.postAlert(own.alertChannel, one.alert.message);
    expect((await cli(["run", "--since", "1h"], env)).code).toBe(0);
    expect(botReply(alertA)).toBeDefined();

    // From now on every thread read hangs: only the verdict reader reads threads in this run.
    own.slack.faults.add("conversations.replies", { kind: "hang" }, 1000);
    const stop = new AbortController();
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env, cwd: tmpdir() };
    const loop = runCommand({ loop: true, intervalSeconds: 0.2, dryRun: false, since: "1h" }, io, { stop: stop.signal });
    try {
      // Post the next alert only once the verdict read is stuck, so a later poll cycle must pick it up.
      const readsBefore = own.slack.callsTo("conversations.replies").length;
      const stuckBy = Date.now() + 10_000;
      while (own.slack.callsTo("conversations.replies").length === readsBefore && Date.now() < stuckBy) await new Promise((r) => setTimeout(r, 20));
      expect(own.slack.callsTo("conversations.replies").length).toBeGreaterThan(readsBefore);
      const alertB = own.slack.postAlert(own.alertChannel, two.alert.message);
      const until = Date.now() + 10_000;
      while (!botReply(alertB) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      expect(botReply(alertB)).toBeDefined();
    } finally {
      stop.abort();
      own.slack.faults.clear();
      await loop;
      await own.close();
    }
  }, 30_000);
});

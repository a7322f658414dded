import { spawnSync } from "node:child_process";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAlertCommand } from "../../src/cli/commands/parse-alert.ts";
import type { CliIo } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const EXECUTION_ID = "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";
const ALERT_TEXT = [
  "🚨 *`[CRITICAL]`* The health-checking has FAILED for the _Acme's_ prod *`acme-eu-1`* cluster with the following 2 issues:",
  "*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%",
  "*MAJOR:* Pod has been restarted 3 times - conductor-server-7d9f8b6c5-x2kqp",
  `<https://cp.orkes.example/execution/${EXECUTION_ID.toUpperCase()}|View execution>`,
].join("\n");
const CONTRACT_KEYS = ["isAlert", "reason", "executionId", "severity", "organization", "cluster", "issues", "signature"];

function createFakeIo(stdinText: string): { io: CliIo; stdout: () => string } {
  const stdin = new PassThrough();
  stdin.end(stdinText);
  const stdout = new PassThrough();
  let written = "";
  stdout.on("data", (chunk: Buffer) => (written += chunk.toString("utf8")));
  return { io: { stdin, stdout, stderr: new PassThrough(), env: {}, cwd: REPO_ROOT }, stdout: () => written };
}

async function runInProcess(stdinText: string): Promise<Record<string, unknown>> {
  const { io, stdout } = createFakeIo(stdinText);
  expect(await parseAlertCommand(io)).toBe(0);
  const out = stdout();
  expect(out.endsWith("\n")).toBe(true);
  expect(out.trimEnd().split("\n")).toHaveLength(1);
  return JSON.parse(out) as Record<string, unknown>;
}

describe("parse-alert", () => {
  it("parses a Slack message object and prints the contract keys", async () => {
    const out = await runInProcess(JSON.stringify({ type: "message", ts: "1763971200.000100", bot_id: "B07ALERTS", text: ALERT_TEXT }));
    expect(Object.keys(out).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
    expect(out).toMatchObject({
      isAlert: true,
      reason: null,
      executionId: EXECUTION_ID,
      severity: "CRITICAL",
      organization: "Acme",
      cluster: "acme-eu-1",
      environment: "prod",
      issues: [
        { severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", text: "The Redis instance is at 71%, above the CRITICAL threshold of 65%" },
        { severity: "MAJOR", type: "POD_RESTARTED", pod: "conductor-server-7d9f8b6c5-x2kqp" },
      ],
    });
    expect(out.signature).toMatch(/^[0-9a-f]{16}$/);
  });

  it("treats a JSON string as the message text and raw text as text", async () => {
    const fromString = await runInProcess(JSON.stringify(ALERT_TEXT));
    const fromRaw = await runInProcess(`${ALERT_TEXT}\n`);
    expect(fromString).toEqual(fromRaw);
    expect(fromRaw.executionId).toBe(EXECUTION_ID);
  });

  it("reads text that merely looks like JSON as raw text", async () => {
    const out = await runInProcess(`{not json} ${ALERT_TEXT}`);
    expect(out.isAlert).toBe(true);
  });

  it("prints a reason and nulls for a message that is not an alert, still exiting 0", async () => {
    const out = await runInProcess(JSON.stringify({ subtype: "channel_join", text: "<@U02HUMAN> has joined the channel" }));
    expect(out).toEqual({
      isAlert: false,
      reason: "channel_join message",
      executionId: null,
      severity: null,
      organization: null,
      cluster: null,
      issues: [],
      signature: null,
      executionUrl: null,
      environment: null,
      headline: null,
      notes: [],
    });
  });

  it("explains empty input", async () => {
    expect((await runInProcess("")).reason).toBe("the message has no text");
  });

  it("is wired into the command table", async () => {
    const { io, stdout } = createFakeIo(JSON.stringify({ text: "lunch?" }));
    expect(await main(["node", "oncall-agent", "parse-alert"], io)).toBe(0);
    expect(JSON.parse(stdout())).toMatchObject({ isAlert: false, reason: "no /execution/<uuid> URL in the message" });
  });

  it("runs as a real process with the message on stdin", () => {
    const message = { ts: "1763971200.000100", thread_ts: "1763971200.000100", text: ALERT_TEXT };
    const run = spawnSync(process.execPath, ["bin/oncall-agent.js", "parse-alert"], {
      cwd: REPO_ROOT,
      input: JSON.stringify(message),
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ isAlert: true, executionId: EXECUTION_ID, cluster: "acme-eu-1" });
  });
});

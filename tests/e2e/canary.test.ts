import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, SANDBOX_CREDENTIALS, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";
import { startSmtpServer } from "../notify/smtp-fixture.ts";

const BIN = join(import.meta.dirname, "../../bin/oncall-agent.js");

/**
 * One distinct canary of every kind of secret, each assembled at runtime (no scanner mistakes the
 * file for live credentials). The value is what must never come out; the plant is where it goes.
 */
const b64 = (seed: string) => Buffer.from(seed.repeat(8)).toString("base64").replace(/=/g, "").slice(0, 64);
const CANARIES = {
  github: ["ghp", "Cnry1GhToken0a1b2c3d4e5f6g7h8i9j0kLmN"].join("_"),
  githubPat: ["github", "pat", "11CNRY0000000000000000", "canaryPatBody0123456789abcdefghijklmnop"].join("_"),
  google: ["AIza", "SyCnry0123456789abcdefghijklmnopqrs"].join(""),
  azureKey: `Cnry${b64("azure-account-key")}==`,
  scram: "SCRAM-SHA-256$4096:Q25yeVNhbHQ=$Q25yeVN0b3JlZEtleUNucnlTdG9yZWQ=:Q25yeVNlcnZlcktleUNucnlTZXJ2ZXI=",
  keyLine1: `MIIE${b64("private-key-line-1").slice(4)}`,
  keyLine2: b64("private-key-line-2-9"),
  pgPassword: "CnryPgPass0977",
  errorPassword: "CnryErrPass4242",
  configured: SANDBOX_CREDENTIALS.conductorKeySecret,
  alertToken: "CnryAlertTok5151",
  jwt: ["eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiJjYW5hcnkifQ", "Cnry0sig1abc2def3ghi"].join("."),
  slackToken: ["xoxb", "9999", "CnrySlackToken0000"].join("-"),
  anthropic: ["sk", "ant", "api03", "CnryAnthropicKey0123456789"].join("-"),
  sqlLiteral: "CnrySqlLiteral8888",
};

/** Scenario 11 with a canary in every place text comes from: command outputs, the execution, the alert and an error. */
function plant(scenario: Scenario): Scenario {
  const copy = structuredClone(scenario);
  const c = CANARIES;
  const commands = copy.commands as Record<string, any>;
  commands.GET_PODS_DATA.text += `\n# env: GITHUB_TOKEN=${c.github} SLACK=${c.slackToken}`;
  const events = commands.GET_POD_EVENTS["conductor-server-xqmwlk566-tlgt6"];
  events.text += `\n1m Warning BackOff pod/x blob DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${c.azureKey};EndpointSuffix=core.windows.net key ${c.anthropic}`;
  const logs = commands.PULL_LOGS["conductor-server-xqmwlk566-tlgt6"];
  logs.text += [
    `2025-11-23T03:12:00Z ERROR maps key=${c.google}`,
    `2025-11-23T03:12:01Z ERROR Hikari jdbc postgres://conductor:${c.pgPassword}@db:5432/conductor`,
    `2025-11-23T03:12:02Z ERROR auth with ${c.configured} failed`,
    "",
  ].join("\n");
  commands.SQL_CONDUCTOR[0].output.rows.push({
    state: "active",
    count: 1,
    application_name: `psql ${c.githubPat}`,
    verifier: c.scram,
    query: `ALTER ROLE app PASSWORD '${c.sqlLiteral}'`,
    // A key split over lines, one string each.
    tls: ["-----BEGIN PRIVATE KEY-----", c.keyLine1, c.keyLine2, "-----END PRIVATE KEY-----"],
  });
  commands.DOWNLOAD_THREAD_DUMP = { "*": { status: "FAILED", reason: `jstack failed: password=${c.errorPassword}` } };
  copy.execution.reasonForIncompletion = `${copy.execution.reasonForIncompletion} (session ${c.jwt})`;
  copy.alert.message.text = copy.alert.message.text.replace("in the last hour", `in the last hour token=${c.alertToken}`);
  // One more turn: the pods (with their environment) and a tool whose command fails with a canary in its reason.
  const extra = { calls: [{ name: "get_pods_data", input: {} }, { name: "get_thread_dump", input: { pod: "conductor-server-xqmwlk566-tlgt6" } }] };
  copy.script = [copy.script[0]!, extra, ...copy.script.slice(1)] as Scenario["script"];
  return copy;
}

let sandbox: Sandbox;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let scenario: Scenario;

beforeAll(async () => {
  const original = (await loadScenarios("scenarios")).find((s) => s.id.startsWith("11_"))!;
  scenario = plant(original);
  sandbox = await startSandbox({ scenarios: [scenario], latency: { conductorCommandMs: 10 } });
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await Promise.allSettled([sandbox?.close(), smtp?.close()]);
});

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd: mkdtempSync(join(tmpdir(), "oncall-canary-cwd-")), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

function leaks(where: string, text: string): string[] {
  return Object.entries(CANARIES).flatMap(([kind, value]) => (text.includes(value) ? [`${kind} in ${where}`] : []));
}

describe("canaries never leave the bot", () => {
  it("planted in outputs, the execution, the alert and an error: none reaches Slack, e-mail, state, logs, --json or the model", { timeout: 60_000 }, async () => {
    const state = join(mkdtempSync(join(tmpdir(), "oncall-canary-")), "state.json");
    const env = {
      PATH: process.env.PATH ?? "",
      ...sandbox.env,
      ONCALL_ENGINE: "claude",
      ONCALL_STATE_FILE: state,
      LOG_LEVEL: "debug",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_SECURITY: "none",
      SMTP_FROM: "oncall-agent@example.com",
      SMTP_TO: "oncall@example.com",
      SMTP_MIN_SEVERITY: "WARNING",
    };
    const executionId = scenario.execution.workflowId;
    const triage = await runCli(["triage", executionId, "--json"], { ...env, LOG_FORMAT: "json" });
    expect(triage.code, triage.stderr).toBe(0);
    expect(triage.stdout).toContain("booking-reporting");

    const ts = sandbox.slack.postAlert(sandbox.alertChannel, scenario.alert.message);
    const triageRequests = sandbox.anthropic.requests.length;
    const bot = await runCli(["run", "--since", "10m"], { ...env, LOG_FORMAT: "pretty", ONCALL_MODEL_MASK: "ips,emails,hosts" });
    expect(bot.code, bot.stderr).toBe(0);
    expect(sandbox.slack.replies(sandbox.alertChannel, ts)).toHaveLength(1);
    expect(smtp.received.length).toBeGreaterThan(0);

    const modelBodies = JSON.stringify(sandbox.anthropic.requests.map((r) => r.body));
    expect(sandbox.conductor.violations()).toEqual([]);

    const found = [
      ...leaks("triage --json", triage.stdout),
      ...leaks("json logs", triage.stderr),
      ...leaks("pretty logs", bot.stderr),
      ...leaks("bot stdout", bot.stdout),
      ...leaks("slack", JSON.stringify(sandbox.slack.callsTo("chat.postMessage").map((c) => c.params))),
      ...leaks("slack (all calls)", JSON.stringify(["chat.update", "reactions.add", "chat.postEphemeral"].flatMap((m) => sandbox.slack.callsTo(m)))),
      ...leaks("e-mail", JSON.stringify(smtp.received)),
      ...leaks("state file", readFileSync(state, "utf8")),
      ...leaks("model requests", modelBodies),
    ];
    expect(found).toEqual([]);
    // With ONCALL_MODEL_MASK the bot's model saw placeholders, not the pods' addresses and nodes.
    const masked = JSON.stringify(sandbox.anthropic.requests.slice(triageRequests).map((r) => r.body.messages));
    expect(masked).toContain("masked-ip-");
    expect(masked).toContain("masked-host-");
    expect(masked).not.toContain("10.0.2.11");
    expect(masked).not.toContain("eu-west-1.compute.internal");
    // Every plant was served and reached the model's side of the gate, redacted in place.
    for (const marker of [
      "GITHUB_TOKEN=ghp_[redacted]",
      "SLACK=xoxb-[redacted]",
      "AccountKey=[redacted]",
      "sk-ant-[redacted]",
      "key=AIza[redacted]",
      "postgres://conductor:[redacted]@db",
      "auth with [redacted] failed",
      "github_pat_[redacted]",
      "SCRAM-SHA-256$[redacted]",
      "PASSWORD '[redacted]'",
      "-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----",
      "jstack failed: password=[redacted]",
      "session [redacted]",
      "token=[redacted]",
    ]) {
      expect(modelBodies, marker).toContain(marker);
    }
  });
});

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { envSchema } from "../../src/config/schema.ts";
import { answerCommand, filterLogs, loadScenarios, startSandbox, type Sandbox, type Scenario } from "../../src/sandbox/index.ts";

describe("startSandbox", () => {
  let scenarios: Scenario[];
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    scenarios = await loadScenarios("scenarios");
  });
  afterEach(async () => {
    await sandbox?.close();
  });

  it("starts three servers on 127.0.0.1 with an env the bot's config accepts", async () => {
    sandbox = await startSandbox({ scenarios, postAlerts: true });
    const env = envSchema.parse(sandbox.env);
    expect(env.SLACK_ALERT_CHANNELS).toEqual([sandbox.alertChannel]);
    expect(sandbox.env.SLACK_API_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    expect(sandbox.env.CONDUCTOR_SERVER_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api$/);
    expect(sandbox.env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const posted = sandbox.slack.messages(sandbox.alertChannel);
    expect(posted.map((m) => m.text)).toEqual(scenarios.map((s) => s.alert.message.text));
    expect(Object.keys(sandbox.alertTs)).toHaveLength(scenarios.length);
  });

  it("closes even with a request hanging", async () => {
    sandbox = await startSandbox({ scenarios });
    sandbox.slack.faults.add("auth.test", { kind: "hang" });
    const pending = fetch(`${sandbox.slack.url}auth.test`, { method: "POST" }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await sandbox.close();
    sandbox = undefined;
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe("answerCommand", () => {
  let scenarios: Scenario[];
  beforeAll(async () => {
    scenarios = await loadScenarios("scenarios");
  });
  const byId = (prefix: string) => scenarios.find((s) => s.id.startsWith(prefix)) as Scenario;

  it("applies grep (case-insensitive regex) and the lines tail to logs", () => {
    const text = "a INFO one\nb WARN two\nc warn three\nd ERROR four\n";
    expect(filterLogs(text, "WARN", 1)).toBe("c warn three");
    expect(filterLogs(text, "warn|error", 10)).toBe("b WARN two\nc warn three\nd ERROR four");
    expect(filterLogs(text, "(", 10)).toBe("");
    expect(filterLogs(text, undefined, 2)).toBe("c warn three\nd ERROR four");
  });

  it("answers per pod, falls back to *, and fails for an unknown pod", () => {
    const s = byId("02_");
    const known = Object.keys(s.commands.PULL_LOGS ?? {}).find((p) => p !== "*") as string;
    expect(answerCommand(s, "PULL_LOGS", { podName: known, lines: 5, fetchOption: "TAIL" }).output).toMatch(/payload/);
    expect(answerCommand(s, "PULL_LOGS", { podName: "other-pod", lines: 5, fetchOption: "TAIL" }).output).toBe("");
    const events = answerCommand(s, "GET_POD_EVENTS", { podName: "ghost-pod" });
    expect(events).toMatchObject({ status: "FAILED", reason: expect.stringContaining('pods "ghost-pod" not found') });
  });

  it("picks the SQL answer whose pattern matches the query", () => {
    const s = byId("01_");
    expect(answerCommand(s, "SQL_CONDUCTOR", { query: "select 1 group by x" }).output).toMatchObject({ rowCount: 3 });
    expect(answerCommand(s, "SQL_CONDUCTOR", { query: "select 1" }).output).toMatchObject({ rowCount: 0 });
  });
});

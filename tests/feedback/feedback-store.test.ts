import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyFeedback, openFeedbackStore, readFeedbackFile } from "../../src/feedback/index.ts";
import { silentLogger } from "../../src/lib/logger.ts";
import { runCliInProcess } from "../helpers/run-cli.ts";

const fileIn = () => join(mkdtempSync(join(tmpdir(), "fb-store-")), "state.json.feedback.json");

describe("the feedback store", () => {
  it("starts empty, writes each change atomically, and reads it back", async () => {
    const file = fileIn();
    const store = await openFeedbackStore(file, silentLogger);
    expect(store.data).toEqual(emptyFeedback());
    await Promise.all([1, 2].map((n) => store.update((d) => ({ ...d, replies: { ...d.replies, [`C:${n}`]: sample(n) } }))));
    expect(Object.keys((await readFeedbackFile(file, null, "throw")).replies).sort()).toEqual(["C:1", "C:2"]);
  });

  it("moves an unreadable file aside for the bot, leaves it alone in a dry run, and is an error for the feedback command", async () => {
    const file = fileIn();
    writeFileSync(file, "{not json");
    await expect(readFeedbackFile(file, null, "throw")).rejects.toThrow(/not a feedback file/);
    const dry = await openFeedbackStore(file, silentLogger, { readOnly: true });
    await dry.update((d) => ({ ...d, replies: { "C:1": sample(1) } }));
    expect(readFileSync(file, "utf8")).toBe("{not json");
    expect(Object.keys(dry.data.replies)).toEqual(["C:1"]);
    const bot = await openFeedbackStore(file, silentLogger);
    expect(bot.data).toEqual(emptyFeedback());
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(join(file, "..")).some((n) => n.includes(".corrupt-"))).toBe(true);
  });
});

function sample(n: number) {
  return {
    channel: "C", alertTs: `${n}.0`, replyTs: `${n}.1`, threadLink: null, postedAt: new Date().toISOString(), executionId: "e", signature: "s", cluster: null,
    issueTypes: [], kind: "full" as const, engine: "rules" as const, confidence: "high" as const, rootCause: null, checkedAt: null, judgement: null,
  };
}

describe("oncall-agent feedback", () => {
  const run = async (args: string[], env: Record<string, string>) => {
    const { code, stdout: out, stderr: err } = await runCliInProcess(args, env, mkdtempSync(join(tmpdir(), "fb-cli-")));
    return { code, out, err };
  };

  it("reports no answers yet without a feedback file, and refuses a bad --since or an unknown alert with exit 2", async () => {
    const env = { ONCALL_STATE_FILE: join(mkdtempSync(join(tmpdir(), "fb-cli-state-")), "state.json") };
    const empty = await run(["feedback"], env);
    expect(empty.code).toBe(0);
    expect(empty.out).toMatch(/^Answers since .*: 0, judged 0; accuracy —/);
    expect((await run(["feedback", "--since", "lately"], env)).code).toBe(2);
    const unknown = await run(["feedback", "export", "C0123ABCD:1700000000.000100"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("no answer to C0123ABCD:1700000000.000100");
  });
});

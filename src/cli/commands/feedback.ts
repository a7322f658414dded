import { parseMessageRef, TRUTH_TODO } from "../../capture/index.ts";
import { loadConfig, readEnvironment } from "../../config/index.ts";
import { feedbackFileFor, readFeedbackFile, renderFeedbackText, replyKey, summarizeFeedback } from "../../feedback/index.ts";
import { parseDuration } from "../../lib/duration.ts";
import { EXIT, UsageError } from "../../lib/errors.ts";
import type { CliIo } from "../io.ts";
import { captureCommand } from "./capture.ts";

/** `feedback [--since 30d] [--json]`: accuracy by issue type and engine, calibration, the wrong answers. */
export async function feedbackCommand(options: { since: string; json: boolean }, io: CliIo): Promise<number> {
  const sinceMs = parseDuration(options.since);
  if (sinceMs === undefined) throw new UsageError(`--since "${options.since}" is not a duration (30d, 12h)`);
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), []);
  const data = await readFeedbackFile(feedbackFileFor(config.oncall.stateFile), null, "throw");
  const summary = summarizeFeedback(data, Date.now() - sinceMs);
  io.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : renderFeedbackText(summary));
  return EXIT.ok;
}

/**
 * `feedback export <alert>`: a judged incident as a scenario, through capture (a live read-only
 * triage of the alert's execution, now), with the on-call's root cause as the truth — or the
 * bot's own when they only confirmed it.
 */
export async function feedbackExportCommand(options: { alert: string; out: string; redactIps: boolean }, io: CliIo): Promise<number> {
  const ref = parseMessageRef(options.alert);
  if (!ref) throw new UsageError(`"${options.alert}" is neither a Slack permalink (…/archives/C…/p…) nor channel:ts (C0123ABCD:1700000000.000100)`);
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), []);
  const data = await readFeedbackFile(feedbackFileFor(config.oncall.stateFile), null, "throw");
  const record = data.replies[replyKey(ref.channel, ref.ts)];
  if (!record) throw new UsageError(`no answer to ${ref.channel}:${ref.ts} in ${feedbackFileFor(config.oncall.stateFile)}`);
  const { judgement } = record;
  const rootCause = judgement?.rootCause ?? (judgement?.verdict === "right" ? record.rootCause : null);
  if (!judgement || !rootCause) {
    throw new UsageError(
      `the answer to ${ref.channel}:${ref.ts} has ${judgement ? `the verdict "${judgement.verdict}" but no root cause` : "no verdict"}: ` +
        "reply in its thread with `root cause: …` (or react 👍 to confirm the bot's), and let the bot read it",
    );
  }
  const code = await captureCommand(
    {
      executionId: record.executionId,
      alert: `${ref.channel}:${ref.ts}`,
      out: options.out,
      redactIps: options.redactIps,
      truth: { rootCause, requiredKeywords: [TRUTH_TODO] },
      prefix: "feedback",
      source: { thread: record.threadLink ?? `${ref.channel}:${ref.ts}`, verdict: judgement.verdict, judgedBy: judgement.users, answeredBy: record.engine },
    },
    io,
  );
  if (code === EXIT.ok) io.stdout.write(`truth: the on-call's root cause; pick its requiredKeywords (now "${TRUTH_TODO}") before scoring\n`);
  return code;
}

// Measures verdict reading against the sandbox Slack: Slack calls and wall time per cycle, and how many
// cycles it takes to visit every recent answer. Run: npx tsx scripts/bench-feedback.ts [answers] [threads per cycle] [slack latency ms]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createVerdictCollector, emptyFeedback, openFeedbackStore, replyKey, type ReplyRecord } from "../src/feedback/index.ts";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { createSlackApi } from "../src/slack/slack-api.ts";
import { SANDBOX_CREDENTIALS, startSlackServer } from "../src/sandbox/index.ts";

const answers = Number(process.argv[2] ?? 200);
const perCycle = Number(process.argv[3] ?? 10);
const latencyMs = Number(process.argv[4] ?? 20);
const POLL_INTERVAL_S = 30;
const channel = "C0BENCH01";
const slackServer = await startSlackServer({ token: SANDBOX_CREDENTIALS.slackToken, channels: [channel], latencyMs });
const slack = createSlackApi({ token: SANDBOX_CREDENTIALS.slackToken, apiUrl: slackServer.url, logger: silentLogger });
const self = await slack.authTest();

const store = await openFeedbackStore(join(mkdtempSync(join(tmpdir(), "bench-feedback-")), "state.json.feedback.json"), silentLogger);
const records: Record<string, ReplyRecord> = {};
for (let i = 0; i < answers; i += 1) {
  const alertTs = slackServer.postAlert(channel, { text: `alert ${i}` });
  const replyTs = slackServer.postReply(channel, alertTs, `report ${i}`, self.userId);
  if (i % 3 === 0) slackServer.react(channel, replyTs, i % 2 ? "+1" : "-1", `U0PERSON${i % 5}`);
  if (i % 7 === 0) slackServer.postReply(channel, alertTs, `root cause: cause ${i}`, "U0PERSON1");
  records[replyKey(channel, alertTs)] = {
    channel, alertTs, replyTs, threadLink: null, postedAt: new Date().toISOString(), executionId: `e${i}`, signature: `s${i}`,
    cluster: "c", issueTypes: ["REDIS_HIGH_USAGE"], kind: "full", engine: "rules", confidence: "high", rootCause: "x", checkedAt: null, judgement: null,
  };
}
await store.update(() => ({ ...emptyFeedback(), replies: records }));

const collector = createVerdictCollector({ slack, store, clock: systemClock, logger: silentLogger }, { windowMs: 3 * 86_400_000, threadsPerCycle: perCycle });
const cycles: { calls: number; ms: number }[] = [];
while (Object.values(store.data.replies).some((r) => r.checkedAt === null)) {
  const before = slackServer.calls.length;
  const started = performance.now();
  await collector.collectOnce();
  cycles.push({ calls: slackServer.calls.length - before, ms: performance.now() - started });
}
await slackServer.close();

const judged = Object.values(store.data.replies).filter((r) => r.judgement).length;
const maxCalls = Math.max(...cycles.map((c) => c.calls));
const msSorted = cycles.map((c) => c.ms).sort((a, b) => a - b);
console.log(`${answers} recent answers, ${perCycle} threads per cycle, Slack latency ${latencyMs} ms`);
console.log(`cycles to read every thread once: ${cycles.length}; verdicts found: ${judged}`);
console.log(`Slack calls per cycle: max ${maxCalls} (conversations.replies; auth.test once per process)`);
console.log(`wall time per cycle: p50 ${msSorted[Math.floor(msSorted.length / 2)]?.toFixed(0)} ms, max ${msSorted.at(-1)?.toFixed(0)} ms`);
console.log(`at a ${POLL_INTERVAL_S} s poll interval: ${(perCycle * 60) / POLL_INTERVAL_S} conversations.replies calls/min (Tier 3: 50+/min)`);

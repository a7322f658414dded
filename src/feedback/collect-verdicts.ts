import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { SlackApi } from "../slack/slack-api.ts";
import type { FeedbackStore } from "./feedback-store.ts";
import { readVerdict, type ThreadMessage } from "./read-verdict.ts";
import { replyKey, type FeedbackFile, type ReplyRecord } from "./schema.ts";

export interface CollectPolicy {
  /** Replies older than this are no longer read (ONCALL_FEEDBACK_WINDOW). */
  windowMs: number;
  /** Threads read per cycle at most (ONCALL_FEEDBACK_THREADS_PER_CYCLE). */
  threadsPerCycle: number;
}

export interface CollectSummary {
  checked: number;
  judged: number;
  /** Slack calls made (conversations.replies, one per thread, plus auth.test once). */
  slackCalls: number;
  errors: string[];
}

/** The threads to read this cycle (pure): answered reports inside the window, least recently checked first. */
export function pickThreads(data: FeedbackFile, now: number, policy: CollectPolicy): ReplyRecord[] {
  return Object.values(data.replies)
    .filter((r) => r.engine !== null && now - Date.parse(r.postedAt) <= policy.windowMs)
    .sort((a, b) => (a.checkedAt === null ? -1 : b.checkedAt === null ? 1 : Date.parse(a.checkedAt) - Date.parse(b.checkedAt)) || a.postedAt.localeCompare(b.postedAt))
    .slice(0, policy.threadsPerCycle);
}

/** Records what was read from one thread (pure); a verdict keeps the time it was first seen. */
export function applyVerdict(data: FeedbackFile, record: ReplyRecord, read: ReturnType<typeof readVerdict>, now: number): FeedbackFile {
  const key = replyKey(record.channel, record.alertTs);
  const current = data.replies[key];
  if (!current) return data;
  const at = new Date(now).toISOString();
  const judgement = read ? { ...read, at: current.judgement?.at ?? at } : null;
  return { ...data, replies: { ...data.replies, [key]: { ...current, checkedAt: at, judgement } } };
}

/**
 * Reads the on-call's verdicts from a bounded number of threads: one conversations.replies call
 * per thread (Tier 3), which carries both the reactions on the bot's reply and the thread replies.
 * Failures are counted and logged; the thread stays least recently checked and is read next cycle.
 */
export function createVerdictCollector(
  deps: { slack: Pick<SlackApi, "authTest" | "replies">; store: FeedbackStore; clock: Clock; logger: Logger },
  policy: CollectPolicy,
) {
  let self: { userId: string; botId: string | null } | null = null;
  return {
    async collectOnce(): Promise<CollectSummary> {
      const summary: CollectSummary = { checked: 0, judged: 0, slackCalls: 0, errors: [] };
      const now = deps.clock.now();
      const threads = pickThreads(deps.store.data, now, policy);
      if (threads.length === 0) return summary;
      if (!self) {
        summary.slackCalls += 1;
        try {
          self = await deps.slack.authTest();
        } catch (error) {
          summary.errors.push(`auth.test: ${errorMessage(error)}`);
          return summary;
        }
      }
      const me = self;
      const reads: { record: ReplyRecord; read: ReturnType<typeof readVerdict> }[] = [];
      for (const record of threads) {
        try {
          summary.slackCalls += 1;
          const thread = (await deps.slack.replies(record.channel, record.alertTs)) as unknown as ThreadMessage[];
          const read = readVerdict(thread, record.replyTs, me);
          reads.push({ record, read });
          summary.checked += 1;
          if (read) summary.judged += 1;
        } catch (error) {
          summary.errors.push(`${record.channel}:${record.alertTs}: ${errorMessage(error)}`);
          deps.logger.warn({ channel: record.channel, ts: record.alertTs, error: errorMessage(error) }, "could not read the thread for a verdict");
        }
      }
      // One write per cycle, however many threads were read.
      const at = deps.clock.now();
      if (reads.length > 0) await deps.store.update((data) => reads.reduce((d, { record, read }) => applyVerdict(d, record, read, at), data));
      return summary;
    },
  };
}

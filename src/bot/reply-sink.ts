import type { SlackApi } from "../slack/slack-api.ts";
import { systemClock, type Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { createPacer, SLACK_POST_INTERVAL_MS } from "../slack/pace-posts.ts";
import { blocksToText } from "../slack/blocks-to-text.ts";
import { errorMessage } from "../lib/errors.ts";
import type { MessageMetadata } from "../slack/slack-api.ts";

export interface OutgoingReply {
  text: string;
  blocks: unknown[];
  /** Says which alert, attempt and kind this reply is (read back on recovery). */
  metadata?: MessageMetadata;
}

/** Where replies and status reactions go: Slack for real, stdout for --dry-run. */
export interface ReplySink {
  post(channel: string, threadTs: string, reply: OutgoingReply): Promise<{ ts: string }>;
  /** Best effort: a reaction that fails is logged, never fails the alert. */
  react(channel: string, ts: string, add: string[], remove?: string[]): Promise<void>;
  permalink(channel: string, ts: string): Promise<string | null>;
}

export const REACTIONS = { claimed: "eyes", answered: "white_check_mark", degraded: "warning" } as const;

export function createSlackSink(slack: SlackApi, logger: Logger, pacing: { clock: Clock; intervalMs?: number } = { clock: systemClock }): ReplySink {
  const pace = createPacer(pacing.intervalMs ?? SLACK_POST_INTERVAL_MS, pacing.clock);
  return {
    async post(channel, threadTs, reply) {
      await pace(channel);
      return slack.postMessage({ channel, threadTs, text: reply.text, blocks: reply.blocks, ...(reply.metadata ? { metadata: reply.metadata } : {}) });
    },
    async react(channel, ts, add, remove = []) {
      for (const name of remove) {
        await slack.removeReaction(channel, ts, name).catch((e: unknown) => logger.warn({ channel, ts, name, error: errorMessage(e) }, "could not remove reaction"));
      }
      for (const name of add) {
        await slack.addReaction(channel, ts, name).catch((e: unknown) => logger.warn({ channel, ts, name, error: errorMessage(e) }, "could not add reaction"));
      }
    },
    permalink: (channel, ts) => slack.permalink(channel, ts),
  };
}

/** --dry-run: prints what would be posted, reacts to nothing. */
export function createPrintingSink(out: NodeJS.WritableStream): ReplySink {
  let counter = 0;
  return {
    async post(channel, threadTs, reply) {
      counter += 1;
      out.write(`\n--- reply in ${channel} thread ${threadTs} (dry run, not posted) ---\n${blocksToText(reply).join("\n")}\n`);
      return { ts: `${threadTs.split(".")[0]}.${String(900000 + counter).padStart(6, "0")}` };
    },
    async react() {},
    async permalink() {
      return null;
    },
  };
}

import { compareSlackTs } from "../state/compare-slack-ts.ts";
import type { Verdict } from "./schema.ts";

/** Reaction names (skin tones stripped) and the verdict each one gives. */
export const VERDICT_REACTIONS: Readonly<Record<string, Verdict>> = {
  "+1": "right",
  thumbsup: "right",
  white_check_mark: "right",
  heavy_check_mark: "right",
  "-1": "wrong",
  thumbsdown: "wrong",
  x: "wrong",
  negative_squared_cross_mark: "wrong",
  shrug: "partly",
};

/** The parts of a thread message the verdict reader looks at (conversations.replies items). */
export interface ThreadMessage {
  ts: string;
  user?: string;
  bot_id?: string;
  text?: string;
  reactions?: readonly { name: string; users?: readonly string[] }[];
}

export interface ThreadVerdict {
  verdict: Verdict | null;
  rootCause: string | null;
  users: string[];
}

// `root cause: …`, also `*Root cause:* …` or `> root cause - …` as people type it.
const ROOT_CAUSE = /^[\s>*_~`]*root[\s-]?cause[\s*_~`]*[:\-–—][\s*_~`]*([\s\S]+)$/i;
const MAX_ROOT_CAUSE = 1000;

/**
 * What the humans said about the bot's reply (pure): reactions on the reply itself, and thread
 * replies after it starting with `root cause:`. The bot's own reactions and messages never count.
 * One kind of reaction gives its verdict; 🤷, or both right and wrong, give "partly".
 */
export function readVerdict(thread: readonly ThreadMessage[], replyTs: string, self: { userId: string; botId: string | null }): ThreadVerdict | null {
  const isSelf = (user: string | undefined, botId?: string) => user === self.userId || (!!self.botId && botId === self.botId);
  const reply = thread.find((m) => m.ts === replyTs);
  const seen = new Set<Verdict>();
  const users = new Set<string>();
  for (const reaction of reply?.reactions ?? []) {
    const verdict = VERDICT_REACTIONS[reaction.name.replace(/::skin-tone-\d$/, "")];
    const humans = (reaction.users ?? []).filter((u) => !isSelf(u));
    if (!verdict || humans.length === 0) continue;
    seen.add(verdict);
    humans.forEach((u) => users.add(u));
  }
  let rootCause: string | null = null;
  for (const message of thread) {
    if (compareSlackTs(message.ts, replyTs) <= 0 || isSelf(message.user, message.bot_id) || message.bot_id) continue;
    const match = ROOT_CAUSE.exec(message.text ?? "");
    const text = match?.[1]?.trim();
    if (!text) continue;
    rootCause = text.slice(0, MAX_ROOT_CAUSE);
    if (message.user) users.add(message.user);
  }
  const verdict: Verdict | null = seen.has("partly") || (seen.has("right") && seen.has("wrong")) ? "partly" : seen.has("wrong") ? "wrong" : seen.has("right") ? "right" : null;
  if (verdict === null && rootCause === null) return null;
  return { verdict, rootCause, users: [...users].sort() };
}

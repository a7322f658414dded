import { z } from "zod";
import type { MessageMetadata, SlackMessage } from "../slack/slack-api.ts";
import { REPLY_KINDS, type ReplyKind } from "../state/schema.ts";

/** The Slack metadata event type on every reply of this bot. */
export const REPLY_EVENT_TYPE = "oncall_agent_reply";

/** What a reply says about itself: which alert, which attempt, what kind of answer. */
export interface ReplyIdentity {
  alert: string;
  attempt: number;
  kind: ReplyKind;
}

const payloadSchema = z.object({
  alert: z.string().min(1),
  attempt: z.coerce.number().int().nonnegative(),
  kind: z.enum(REPLY_KINDS),
});

export function replyMetadata(identity: ReplyIdentity): MessageMetadata {
  return { event_type: REPLY_EVENT_TYPE, event_payload: { alert: identity.alert, attempt: identity.attempt, kind: identity.kind } };
}

/** The identity a message's metadata carries; null when it has none of ours (or it is malformed). */
export function readReplyMetadata(message: Pick<SlackMessage, "metadata">): ReplyIdentity | null {
  const metadata: unknown = message.metadata;
  if (typeof metadata !== "object" || metadata === null) return null;
  const { event_type: type, event_payload: payload } = metadata as { event_type?: unknown; event_payload?: unknown };
  if (type !== REPLY_EVENT_TYPE) return null;
  const parsed = payloadSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

import {
  cancelAttempt,
  claim,
  deferAttempt,
  failAttempt,
  markFailed,
  markReplied,
  postFailed,
  preparePost,
  recordStep,
  recoverInterrupted,
  startAttempt,
  type ClaimRef,
  type StepKind,
} from "./alert-lifecycle.ts";
import { advanceWatermark, openDebounceWindows, recordDiagnosis, recordNotification, type AlertRef, type MessageId } from "./decisions.ts";
import { mergeStates } from "./merge-states.ts";
import { prune, type PruneLimits } from "./prune.ts";
import type { Outbox } from "../notify/outbox.ts";
import type { AlertRecord, NotificationChannel, PendingReply, ReplyKind, State, ThreadRef } from "./schema.ts";

/**
 * Every change to the state, as a named operation over plain data. This is the store interface:
 * the file store applies them to its cached State and journals the records they touch; a database
 * store can map each to a statement. Reads go through the store's `state`, a cache of the records.
 */
export type StateOp =
  /** seen → claimed, opening the alert's debounce windows (0: none). */
  | { op: "claim"; alert: AlertRef; debounceWindowMs: number; now: number }
  | { op: "startAttempt"; id: MessageId; alone: boolean; now: number }
  | { op: "cancelAttempt"; id: MessageId; now: number }
  | { op: "failAttempt"; id: MessageId; error: string; retryAt: number; now: number }
  | { op: "deferAttempt"; id: MessageId; retryAt: number; now: number }
  | { op: "postFailed"; id: MessageId; error: string; retryAt: number; now: number }
  | { op: "preparePost"; id: MessageId; reply: Omit<PendingReply, "attempt">; now: number }
  | { op: "markReplied"; id: MessageId; replyTs: string; kind: ReplyKind; now: number }
  /** A reply of this bot found in the thread of an alert the state did not know. */
  | { op: "adoptReply"; alert: ClaimRef; replyTs: string; kind: ReplyKind; now: number }
  | { op: "markFailed"; id: MessageId; error: string; now: number }
  | { op: "recordStep"; id: MessageId; kind: StepKind; now: number }
  | { op: "recoverInterrupted"; now: number }
  | { op: "setWatermark"; channel: string; ts: string; now: number }
  | { op: "recordDiagnosis"; signature: string; summary: string; thread: ThreadRef; now: number }
  | {
      op: "recordNotification";
      id: MessageId;
      channel: NotificationChannel;
      outcome: { status: "sent" | "failed"; reason: string | null; now: number; delivered?: readonly string[] };
    }
  | { op: "prune"; limits: PruneLimits; now: number }
  /** `state import`: an exported state merged in (see mergeStates: nothing replayed, nothing lost). */
  | { op: "merge"; incoming: State };

/** The store as the bot sees it: operations in, a cached State to read. The file store implements it; a database store can. */
export interface StateHandle {
  readonly state: State;
  /** Applies the operations in order, all or nothing, and persists them before resolving. */
  apply(ops: StateOp | readonly StateOp[]): Promise<void>;
  /** Tries a small write: resolves once the store can write again after a failure (a full disk). */
  probe?(): Promise<void>;
  /** Present when replicas share the store (PostgreSQL); absent for one that a single process holds (the file). */
  readonly shared?: SharedStore;
}

/** The records one read names. */
export interface Scope {
  alerts?: readonly MessageId[];
  executions?: readonly string[];
  signatures?: readonly string[];
  debounce?: readonly string[];
  channels?: readonly string[];
}

/**
 * What replicas sharing one store need beyond the operations. `state` is then a cache of what
 * this replica has read or written; operations are applied to the store's current records (not
 * the cache) and fenced by lease, so a stale cache can cost a skipped alert, never a second reply.
 */
export interface SharedStore {
  /** This replica's lease holder id. */
  readonly holder: string;
  /** How long a lease holds; the bot renews at a third of it. */
  readonly leaseMs: number;
  /** Loads the named records into `state` (another replica may have changed them). */
  refresh(scope: Scope): Promise<void>;
  /** Takes up to `limit` unfinished alerts that are due and free, this replica's, or left by a dead one (loaded into `state`). */
  claimPending(options: { limit: number; now: number; exclude: readonly string[] }): Promise<AlertRecord[]>;
  /** Keeps the leases of alerts being worked on; returns the keys this replica no longer holds. */
  renewLeases(keys: readonly string[]): Promise<string[]>;
  /** Gives an unfinished alert back at once, for any replica to take. */
  releaseLease(id: MessageId): Promise<void>;
  /** Takes or keeps the right to poll a channel: its watermark (null before its first poll), or undefined when another replica polls it. */
  leaseChannel(channel: string): Promise<{ watermark: string | null } | undefined>;
  /** Reserves one notification for this replica (null: sent, out of attempts or being sent by another); `resumed`: an earlier sender died unrecorded. */
  beginNotification(id: MessageId, channel: NotificationChannel, maxAttempts: number, now: number): Promise<{ resumed: boolean } | null>;
  /** Replied alerts whose 👀 → ✅ swap a crash cut off, whichever replica replied (loaded into `state`). */
  unfinishedReactions(now: number): Promise<AlertRecord[]>;
  /** Whether the store is reachable now (readiness). */
  isHealthy(): { ok: boolean; detail: string };
  /** The notification outbox the fleet shares. */
  outbox(): Outbox;
}

export function applyOp(state: State, o: StateOp): State {
  switch (o.op) {
    case "claim":
      return openDebounceWindows(claim(state, o.alert, o.now), o.alert, o.debounceWindowMs);
    case "startAttempt":
      return startAttempt(state, o.id, o.now, { alone: o.alone });
    case "cancelAttempt":
      return cancelAttempt(state, o.id, o.now);
    case "failAttempt":
      return failAttempt(state, o.id, { error: o.error, now: o.now, retryAt: o.retryAt });
    case "deferAttempt":
      return deferAttempt(state, o.id, { now: o.now, retryAt: o.retryAt });
    case "postFailed":
      return postFailed(state, o.id, { error: o.error, now: o.now, retryAt: o.retryAt });
    case "preparePost":
      return preparePost(state, o.id, o.reply, o.now);
    case "markReplied":
      return markReplied(state, o.id, { replyTs: o.replyTs, kind: o.kind, now: o.now });
    case "adoptReply":
      return markReplied(claim(state, o.alert, o.now), o.alert, { replyTs: o.replyTs, kind: o.kind, now: o.now });
    case "markFailed":
      return markFailed(state, o.id, { error: o.error, now: o.now });
    case "recordStep":
      return recordStep(state, o.id, o.kind, o.now);
    case "recoverInterrupted":
      return recoverInterrupted(state, o.now);
    case "setWatermark":
      return advanceWatermark(state, o.channel, o.ts, o.now);
    case "recordDiagnosis":
      return recordDiagnosis(state, o.signature, { summary: o.summary, thread: o.thread, now: o.now });
    case "recordNotification":
      return recordNotification(state, o.id, o.channel, o.outcome);
    case "prune":
      return prune(state, o.now, o.limits);
    case "merge":
      return mergeStates(state, o.incoming).state;
  }
}

/** Applies a batch in order; all or nothing (a throwing op leaves the input as it was: it is never mutated). */
export function applyOps(state: State, ops: readonly StateOp[]): State {
  return ops.reduce(applyOp, state);
}

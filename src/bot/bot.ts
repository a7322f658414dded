import { setMaxListeners } from "node:events";
import { parseAlert } from "../alerts/index.ts";
import type { Alert } from "../alerts/types.ts";
import type { Decision } from "../state/decisions.ts";
import type { Clock } from "../lib/clock.ts";
import { OncallError, errorMessage } from "../lib/errors.ts";
import { limitConcurrency } from "../lib/limit-concurrency.ts";
import { newTriageId, withLogContext } from "../lib/log-context.ts";
import type { Logger } from "../lib/logger.ts";
import { tsFromMillis, type SlackApi, type SlackMessage } from "../slack/slack-api.ts";
import { isSuspect, pendingAlerts, retryDelayMs, unfinishedReactions } from "../state/alert-lifecycle.ts";
import { applyOps, type Scope, type StateOp } from "../state/operations.ts";
import { StateOverlay } from "../state/overlay.ts";
import { defaultPruneLimits } from "../state/prune.ts";
import { alertKey } from "../state/schema.ts";
import type { Triager } from "../triage/types.ts";
import {
  DEFAULT_RETRY_BACKOFF_MS,
  alertScope,
  claimAlert,
  decideAndClaim,
  handleAlert,
  type AlertJob,
  type AlertOutcome,
  type HandleAlertDeps,
  type HandleAlertOptions,
} from "./handle-alert.ts";
import { finishReaction } from "./post-reply.ts";
import { findOwnReply as findOwnReplyIn, isOwnMessage, mayHaveOwnReply as mayHaveOwnReplyOf, type BotIdentity } from "./own-messages.ts";
import { REACTIONS, type ReplySink } from "./reply-sink.ts";
import type { StateHandle } from "./state-handle.ts";

export interface BotOptions {
  channels: string[];
  maxAttempts: number;
  /** Attempts cut short by a crash before an alert counts as poison (default 5). */
  maxCrashes?: number;
  /** First retry delay after a failed attempt, doubling per failure (default 30 s). */
  retryBackoffMs?: number;
  cooldownMs: number;
  concurrency: number;
  /** Backfill start for channels seen for the first time (a Slack ts); default: now, no replay. */
  since: string | null;
  /** The state file was unusable and moved aside: rebuild every channel from the recovery window. */
  rebuildFromHistory: boolean;
  /** How far back a lost or corrupt state is rebuilt from the channels' history (default 24 h). */
  recoveryWindowMs?: number;
  /** Debounce of repeats per (organisation, cluster, issue type); absent: off. */
  debounce?: HandleAlertOptions["debounce"];
}

export interface BotDeps {
  slack: SlackApi;
  store: StateHandle;
  triager: Triager;
  sink: ReplySink;
  clock: Clock;
  logger: Logger;
  afterReply?: HandleAlertDeps["afterReply"];
  recurrence?: HandleAlertDeps["recurrence"];
}

/** Outcome counts over the bot's life; memory stays flat however long --loop runs. */
export type OutcomeCounts = Record<AlertOutcome["kind"], number>;

export const DEFAULT_RECOVERY_WINDOW_MS = 24 * 3_600_000;
/** How many recent outcomes the bot keeps for inspection. */
const RECENT_OUTCOMES = 100;
/** After the grace period, aborted attempts get this long to record their cancellation. */
const CANCEL_SETTLE_MS = 2000;

export interface CycleSummary {
  scanned: number;
  alerts: number;
  scheduled: number;
  errors: string[];
}

/**
 * One bot: `pollOnce` reads every channel and schedules new alerts and pending retries in the
 * background (bounded concurrency); `drain` waits for what is in flight. Per-alert and
 * per-channel failures are logged and counted, never thrown.
 */
export function createBot(options: BotOptions, deps: BotDeps) {
  const { slack, store, clock, logger } = deps;
  const limit = limitConcurrency(options.concurrency);
  const inFlight = new Map<string, Promise<AlertOutcome>>();
  const outcomes: AlertOutcome[] = [];
  const counts: Partial<OutcomeCounts> = {};
  let recovered = false;
  let self: BotIdentity | null = null;
  const abort = new AbortController();
  // Each running alert links one listener to this signal (see withJobSignal).
  setMaxListeners(options.concurrency + 10, abort.signal);

  /** Replicas share the store (PostgreSQL): leases are renewed while work runs; work beyond this one's room goes back to the queue. */
  const shared = store.shared;
  /** Per running alert, the abort of its own signal: a lease taken over cancels the work here. */
  const jobAborts = new Map<string, AbortController>();
  const renewal = shared ? setInterval(() => void renewLeases(), Math.max(200, shared.leaseMs / 3)) : undefined;
  renewal?.unref();

  async function renewLeases(): Promise<void> {
    const keys = [...inFlight.keys()];
    if (!shared || keys.length === 0) return;
    try {
      for (const key of await shared.renewLeases(keys)) {
        logger.warn({ alert: key }, "lost the lease on an alert (another replica took it over): cancelling the work on it here");
        jobAborts.get(key)?.abort(new OncallError("triage_cancelled", "the lease on this alert was lost"));
      }
    } catch (error) {
      logger.warn({ error: errorMessage(error) }, "could not renew the leases; the work goes on and its writes are fenced");
    }
  }

  const isOwn = (m: SlackMessage) => isOwnMessage(self, m);
  const findOwnReply = (channel: string, ts: string) => findOwnReplyIn(slack, self, channel, ts);

  const handleDeps: HandleAlertDeps = {
    store,
    triager: deps.triager,
    sink: deps.sink,
    clock,
    logger,
    findOwnReply,
    ...(deps.afterReply ? { afterReply: deps.afterReply } : {}),
    ...(deps.recurrence ? { recurrence: deps.recurrence } : {}),
  };

  const handleOptions = {
    maxAttempts: options.maxAttempts,
    cooldownMs: options.cooldownMs,
    ...(options.maxCrashes !== undefined ? { maxCrashes: options.maxCrashes } : {}),
    ...(options.retryBackoffMs !== undefined ? { retryBackoffMs: options.retryBackoffMs } : {}),
    ...(options.debounce ? { debounce: options.debounce } : {}),
  };

  const record = (outcome: AlertOutcome) => {
    counts[outcome.kind] = (counts[outcome.kind] ?? 0) + 1;
    outcomes.push(outcome);
    if (outcomes.length > RECENT_OUTCOMES) outcomes.splice(0, outcomes.length - RECENT_OUTCOMES);
    return outcome;
  };

  // A state that cannot be written (a full disk) stops claiming: nothing is taken on that could not be recorded.
  let writeBlocked: string | null = null;
  const noteWriteFailure = (error: unknown) => {
    if (!(error instanceof OncallError) || error.code !== "state_write_failed" || writeBlocked) return;
    writeBlocked = error.message;
    logger.error({ error: error.message }, "the state cannot be written: no new alerts are claimed until it can (free disk space)");
  };

  const track = (key: string, work: () => Promise<AlertOutcome>) => {
    const run = limit(work)
      .catch(async (error: unknown): Promise<AlertOutcome> => {
        noteWriteFailure(error);
        logger.error({ alert: key, error: errorMessage(error) }, "alert handling failed; will retry");
        // An attempt left running by an unexpected error would block the alert until a restart.
        const record = store.state.alerts[key];
        if (record?.status === "triaging") {
          const now = clock.now();
          const id = { channel: record.channel, ts: record.ts };
          const retryAt = now + retryDelayMs(record.attempts + 1, options.retryBackoffMs ?? DEFAULT_RETRY_BACKOFF_MS);
          await store.apply({ op: "failAttempt", id, error: `alert handling failed: ${errorMessage(error)}`, retryAt, now }).catch(() => {});
        }
        return { kind: "retry-later", error: errorMessage(error) };
      })
      .then(record)
      .finally(() => {
        inFlight.delete(key);
        jobAborts.delete(key);
        // Unfinished (retry later, cancelled): free for any replica once due, not only after the lease runs out.
        if (shared) void shared.releaseLease(parseKey(key)).catch(() => {});
      });
    inFlight.set(key, run);
  };

  // A suspect of earlier crashes is triaged alone: nothing else starts while one waits or runs.
  let suspectWaiting = false;
  let suspectRunning = false;

  const schedule = (job: AlertJob) => {
    const key = alertKey(job.channel, job.ts);
    if (inFlight.has(key) || suspectRunning) return false;
    if (job.decision.action === "triage" && isSuspect(store.state.alerts[key])) {
      if (inFlight.size > 0) {
        suspectWaiting = true;
        return false;
      }
      job.alone = true;
      suspectRunning = true;
      logger.warn({ channel: job.channel, ts: job.ts }, "this alert was in flight at earlier crashes: triaging it alone");
    } else if (suspectWaiting) {
      return false; // stays claimed; scheduled once the suspect has had its turn
    }
    if (job.decision.action === "triage" || job.decision.action === "known-incident") {
      job.acknowledged = deps.sink.react(job.channel, job.ts, [REACTIONS.claimed]);
    }
    track(key, () =>
      // Every log line of this alert's handling — bot, Conductor client, tools, model — carries these ids.
      withLogContext({ alert: key, executionId: job.alert.executionId, triageId: newTriageId() }, () =>
        withJobSignal(abort.signal, jobAborts, key, (signal) => handleAlert(job, handleDeps, { ...handleOptions, signal })),
      ).finally(() => {
        if (job.alone) suspectRunning = false;
      }),
    );
    return true;
  };

  /** A reply of this bot in the thread of an alert the state does not know (rebuilt or lost state): adopt it, never answer twice. */
  async function adoptExistingReply(channel: string, message: SlackMessage, alert: Alert): Promise<boolean> {
    if (!mayHaveOwnReply(message)) return false;
    await shared?.refresh({ alerts: [{ channel, ts: message.ts }], executions: [alert.executionId] });
    if (store.state.alerts[alertKey(channel, message.ts)]) return false;
    const found = await findOwnReply(channel, message.ts);
    if (!found) return false;
    const ref = { channel, ts: message.ts, executionId: alert.executionId, signature: alert.signature };
    const kind = found.kind ?? "full";
    if (store.state.executions[alert.executionId] === undefined) {
      await store.apply({ op: "adoptReply", alert: ref, replyTs: found.ts, kind, now: clock.now() });
      await finishReaction(ref, kind, { sink: deps.sink, store, clock });
    }
    logger.info({ channel, ts: message.ts, replyTs: found.ts, kind }, "adopted this bot's earlier reply found in the thread");
    return true;
  }

  /** Attempts still running after the abort are recorded as cancelled (not crashed); whatever they return later is not posted. */
  async function recordCancellations(): Promise<void> {
    const keys = new Set(inFlight.keys());
    const running = Object.entries(store.state.alerts).filter(([key, r]) => keys.has(key) && r.status === "triaging");
    if (running.length === 0) return;
    await store
      .apply(running.map(([, r]) => ({ op: "cancelAttempt" as const, id: { channel: r.channel, ts: r.ts }, now: clock.now() })))
      .catch((error: unknown) => logger.warn({ error: errorMessage(error) }, "could not record the cancelled attempts"));
    logger.info({ alerts: running.map(([key]) => key) }, "cancelled attempts recorded; they are retried on the next start");
  }

  /** Reaction swaps a crash cut off after the reply was saved. */
  async function finishReactions(): Promise<void> {
    for (const r of shared ? await shared.unfinishedReactions(clock.now()) : unfinishedReactions(store.state)) {
      const key = alertKey(r.channel, r.ts);
      if (inFlight.has(key) || !r.replyKind) continue;
      const kind = r.replyKind;
      track(key, async () => {
        await finishReaction(r, kind, { sink: deps.sink, store, clock });
        return { kind: "skipped", reason: "finished the reaction swap" };
      });
    }
  }

  async function pollChannel(channel: string, summary: CycleSummary): Promise<void> {
    let watermark = store.state.channels[channel]?.watermark;
    if (shared) {
      const lease = await shared.leaseChannel(channel);
      if (!lease) return; // another replica polls this channel; its alerts reach this one through claimPending
      watermark = lease.watermark ?? undefined;
    }
    const messages = watermark ? await slack.history(channel, watermark) : await firstMessages(channel);
    if (messages === null) return;
    const alerts: { message: SlackMessage; alert: Alert }[] = [];
    for (const message of messages) {
      summary.scanned += 1;
      const found = toAlert(channel, message);
      if (!found || inFlight.has(alertKey(channel, message.ts))) continue;
      summary.alerts += 1;
      if (!(await adoptExistingReply(channel, message, found))) alerts.push({ message, alert: found });
    }
    // One write per page: every alert in it claimed (persisted) and the watermark past them, so a
    // crash re-reads or retries each of them, never loses one.
    const newest = messages.at(-1);
    const decisions: { message: SlackMessage; alert: Alert; decision: Decision }[] = [];
    const ops: StateOp[] = [];
    if (shared && alerts.length > 0) await shared.refresh(pageScope(channel, alerts, handleOptions));
    // Later alerts of the page are decided seeing the claims of earlier ones (a repost, a debounce window).
    const overlay = new StateOverlay(store.state);
    for (const { message, alert } of alerts) {
      const slice = overlay.sliceFor([alertKey(channel, message.ts)], [alert.executionId]);
      const claimed = decideAndClaim(slice, { channel, ts: message.ts }, alert, clock.now(), handleOptions);
      overlay.absorb(slice, applyOps(slice, claimed.ops));
      ops.push(...claimed.ops);
      decisions.push({ message, alert, decision: claimed.decision });
    }
    if (newest) ops.push({ op: "setWatermark", channel, ts: newest.ts, now: clock.now() });
    if (ops.length > 0) await store.apply(ops);
    // Replicas: only what this one holds is worked on here (another may hold a known alert); the rest waits in the queue.
    const notHeld = new Set(shared ? await shared.renewLeases(decisions.filter((d) => d.decision.action !== "skip").map((d) => alertKey(channel, d.message.ts))) : []);
    for (const { message, alert, decision } of decisions) {
      const key = alertKey(channel, message.ts);
      if (decision.action === "skip") logger.debug({ channel, ts: message.ts, reason: decision.reason }, "skipping alert");
      else if (notHeld.has(key)) logger.debug({ channel, ts: message.ts }, "held by another replica or released; not working on it here");
      else if (shared && inFlight.size >= options.concurrency) await shared.releaseLease({ channel, ts: message.ts }); // for a replica with room
      else if (schedule({ channel, ts: message.ts, alert, decision })) summary.scheduled += 1;
    }
  }

  /**
   * A channel without a watermark starts at --since; after a lost or corrupt state, at the
   * recovery window (alerts with a reply of this bot are adopted, the others answered, at the
   * normal pace); on a true first run, now. A state file that is simply missing is told apart
   * from a first run by this bot's replies in the window. Null: started from now, nothing to read.
   */
  async function firstMessages(channel: string): Promise<SlackMessage[] | null> {
    if (options.since) return slack.history(channel, options.since);
    const windowMs = options.recoveryWindowMs ?? DEFAULT_RECOVERY_WINDOW_MS;
    const windowStart = tsFromMillis(clock.now() - windowMs);
    const recent = await slack.history(channel, windowStart);
    const hours = Math.round(windowMs / 360_000) / 10;
    if (options.rebuildFromHistory) {
      logger.warn({ channel, from: windowStart }, `rebuilding the state from the last ${hours} h of the channel: replied alerts are adopted, the others answered`);
      return recent;
    }
    if (recent.some((m) => isOwn(m) || mayHaveOwnReply(m))) {
      logger.warn({ channel, from: windowStart }, `no state for this channel but this bot replied in it lately: the state was lost; rebuilding from the last ${hours} h`);
      return recent;
    }
    const now = tsFromMillis(clock.now());
    await store.apply({ op: "setWatermark", channel, ts: now, now: clock.now() });
    logger.info({ channel, watermark: now }, "first poll of this channel: starting from now (use --since to backfill)");
    return null;
  }

  const mayHaveOwnReply = (message: SlackMessage) => mayHaveOwnReplyOf(self, message);

  /** One message's failure is that message's: logged with the reason, never the channel's. */
  function toAlert(channel: string, message: SlackMessage): Alert | null {
    if (isOwn(message)) return null;
    let parsed: ReturnType<typeof parseAlert>;
    try {
      parsed = parseAlert(message);
    } catch (error) {
      logger.error({ channel, ts: message.ts, error: errorMessage(error) }, "could not read this message; skipping it");
      return null;
    }
    if (!parsed.isAlert) {
      // A message that links an execution was probably meant as an alert: say why it is not one.
      if (parsed.nearMiss) logger.warn({ channel, ts: message.ts, reason: parsed.reason }, "a message links an /execution/ URL but is not read as an alert");
      else logger.debug({ channel, ts: message.ts, reason: parsed.reason }, "not an alert");
      return null;
    }
    return parsed.alert;
  }

  /** Claimed alerts from an earlier run or a failed attempt: re-read the message and retry. */
  async function schedulePending(summary: CycleSummary): Promise<void> {
    const pending = shared
      ? await shared.claimPending({ limit: Math.max(0, options.concurrency - inFlight.size), now: clock.now(), exclude: [...inFlight.keys()] })
      : pendingAlerts(store.state);
    for (const record of pending) {
      if (inFlight.has(alertKey(record.channel, record.ts))) continue;
      const ref = { channel: record.channel, ts: record.ts };
      let scheduled = false;
      try {
        const thread = await slack.replies(record.channel, record.ts);
        const parent = thread.find((m) => m.ts === record.ts);
        const parsed = parent ? parseAlert(parent) : null;
        if (!parsed?.isAlert) {
          // Deleted or edited into something else: nothing left to answer, so stop retrying it.
          const reason = parent ? "the alert message no longer parses as an alert" : "the alert message was deleted";
          await store.apply({ op: "markFailed", id: ref, error: reason, now: clock.now() });
          logger.warn({ ...ref, reason }, "giving up on a pending alert");
          continue;
        }
        const decision = await claimAlert(record.channel, record.ts, parsed.alert, { store, clock }, handleOptions);
        if (decision.action === "skip") continue;
        scheduled = schedule({ channel: record.channel, ts: record.ts, alert: parsed.alert, decision });
        if (scheduled) summary.scheduled += 1;
      } catch (error) {
        if (error instanceof OncallError && error.code === "slack_thread_not_found") {
          await store.apply({ op: "markFailed", id: ref, error: "the alert message was deleted", now: clock.now() });
          logger.warn(ref, "giving up on a pending alert: its message was deleted");
          continue;
        }
        noteWriteFailure(error);
        summary.errors.push(`pending alert ${record.channel}:${record.ts}: ${errorMessage(error)}`);
      } finally {
        // Not started here: back to the queue at once rather than when the lease runs out.
        if (shared && !scheduled && !inFlight.has(alertKey(ref.channel, ref.ts))) await shared.releaseLease(ref).catch(() => {});
      }
    }
  }

  return {
    async pollOnce(): Promise<CycleSummary> {
      const summary: CycleSummary = { scanned: 0, alerts: 0, scheduled: 0, errors: [] };
      suspectWaiting = false;
      if (writeBlocked) {
        try {
          await store.probe?.();
          logger.info({ after: writeBlocked }, "the state can be written again: claiming resumes");
          writeBlocked = null;
        } catch (error) {
          summary.errors.push(`not claiming: the state cannot be written (${errorMessage(error)})`);
          return summary;
        }
      }
      if (!self) self = await slack.authTest();
      try {
        if (!recovered) {
          // Attempts a crash cut short count as crashes (not failures) and are retried.
          await store.apply({ op: "recoverInterrupted", now: clock.now() });
          recovered = true;
        }
        await store.apply({ op: "prune", limits: defaultPruneLimits(options.cooldownMs), now: clock.now() });
      } catch (error) {
        noteWriteFailure(error);
        throw error;
      }
      await finishReactions();
      await schedulePending(summary);
      for (const channel of options.channels) {
        try {
          await pollChannel(channel, summary);
        } catch (error) {
          noteWriteFailure(error);
          summary.errors.push(`${channel}: ${errorMessage(error)}`);
          logger.error({ channel, error: errorMessage(error) }, "polling the channel failed; will retry next cycle");
        }
      }
      return summary;
    },
    /** Waits for every scheduled alert; with a grace period, abandons what is left after it. */
    async drain(graceMs?: number): Promise<boolean> {
      const all = Promise.all([...inFlight.values()]).then(() => true);
      if (graceMs === undefined) return all;
      // The grace timer is cancelled once everything is in, or it would hold the process open.
      const graceOver = new AbortController();
      const timedOut = clock.sleep(graceMs, graceOver.signal).then(
        () => false,
        () => true,
      );
      const finished = await Promise.race([all, timedOut]);
      graceOver.abort();
      if (!finished) {
        abort.abort(new OncallError("triage_cancelled", "shutdown grace period over"));
        // Give the aborted attempts a moment to record their cancellation (else they count as crashes).
        const settled = new AbortController();
        await Promise.race([all, clock.sleep(CANCEL_SETTLE_MS, settled.signal).catch(() => {})]);
        settled.abort();
        await recordCancellations();
      }
      return finished;
    },
    get inFlightCount() {
      return inFlight.size;
    },
    /** The most recent outcomes (at most 100). */
    get outcomes(): readonly AlertOutcome[] {
      return outcomes;
    },
    get outcomeCounts(): Readonly<Partial<OutcomeCounts>> {
      return counts;
    },
  };
}

export type Bot = ReturnType<typeof createBot>;

/**
 * Gives one alert its own abort signal, linked to the bot's, so that concurrent triages do not
 * pile listeners onto one shared signal. One triage legitimately waits on its signal in many
 * places at once (parallel tool calls, HTTP requests, backoffs), hence the raised listener limit.
 */
async function withJobSignal<T>(parent: AbortSignal, aborts: Map<string, AbortController>, key: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const job = new AbortController();
  aborts.set(key, job);
  setMaxListeners(64, job.signal);
  const forward = () => job.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener("abort", forward, { once: true });
  try {
    return await run(job.signal);
  } finally {
    parent.removeEventListener("abort", forward);
  }
}

function parseKey(key: string): { channel: string; ts: string } {
  const at = key.indexOf(":");
  return { channel: key.slice(0, at), ts: key.slice(at + 1) };
}

/** The records a page of alerts is decided on: the alerts, their executions, signatures and debounce windows. */
function pageScope(channel: string, alerts: readonly { message: SlackMessage; alert: Alert }[], options: Pick<BotOptions, "debounce">): Scope {
  const scopes = alerts.map(({ message, alert }) => alertScope({ channel, ts: message.ts }, alert, options));
  return {
    alerts: scopes.flatMap((x) => x.alerts ?? []),
    executions: scopes.flatMap((x) => x.executions ?? []),
    signatures: scopes.flatMap((x) => x.signatures ?? []),
    debounce: scopes.flatMap((x) => x.debounce ?? []),
  };
}

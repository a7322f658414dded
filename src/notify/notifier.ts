import type { HandleAlertDeps } from "../bot/handle-alert.ts";
import type { StateHandle } from "../bot/state-handle.ts";
import type { Clock } from "../lib/clock.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { MessageMetadata, SlackApi, SlackMessage } from "../slack/slack-api.ts";
import type { MessageId } from "../state/decisions.ts";
import { alertKey, type NotificationRecord } from "../state/schema.ts";
import type { EmailSender } from "./email.ts";
import type { NotificationSubject } from "./escalation.ts";
import type { Outbox, OutboxEntry } from "./outbox.ts";
import { planNotifications, type NotifyPolicy, type PlannedNotification } from "./plan-notifications.ts";

export interface NotifierOptions {
  policy: NotifyPolicy;
  /** Attempts per channel and alert, counted in the state across cycles and restarts. */
  maxAttempts: number;
  /** Pauses between attempts within the process; the last one repeats. */
  backoffMs: readonly number[];
}

export interface NotifierDeps {
  store: StateHandle;
  /** Null when Slack is not configured: no DMs. */
  slack: Pick<SlackApi, "openDirectMessage" | "postMessage" | "permalink" | "history"> | null;
  /** Null when SMTP is not configured: no e-mail. */
  email: EmailSender | null;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
}

/** Half a minute, then five: a blip or a short SMTP outage heals; the outbox carries a wait across a restart. */
export const NOTIFY_BACKOFF_MS = [30_000, 300_000] as const;

type AfterReply = NonNullable<HandleAlertDeps["afterReply"]>;

/**
 * Notifications after a reply is posted and saved. `afterReply` returns at once: delivery runs
 * in the background, so a slow or dead SMTP server never delays, fails or repeats a triage.
 * Each channel is checked in the state before sending and recorded after, so it is sent once per
 * alert (a crash between the send and the record is the one window for a repeat).
 */
export function createNotifier(options: NotifierOptions, deps: NotifierDeps) {
  const { store, logger } = deps;
  const inFlight = new Map<string, Promise<void>>();
  const stop = new AbortController();

  const isDone = (record: NotificationRecord | undefined) => record?.status === "sent" || (record?.attempts ?? 0) >= options.maxAttempts;
  const recordOf = (id: MessageId, channel: PlannedNotification["channel"]) => store.state.alerts[alertKey(id.channel, id.ts)]?.notifications?.[channel];
  const isPending = (id: MessageId, n: PlannedNotification) => !!store.state.alerts[alertKey(id.channel, id.ts)] && !isDone(recordOf(id, n.channel));
  /** Replicas: another one may have sent or recorded it; the alert's record is read again first. */
  const refresh = async (id: MessageId) => store.shared?.refresh({ alerts: [{ channel: id.channel, ts: id.ts }] });

  const track = (id: MessageId, work: () => Promise<void>): boolean => {
    const key = alertKey(id.channel, id.ts);
    if (inFlight.has(key)) return false;
    const run = work()
      .catch((error: unknown) => logger.error({ channel: id.channel, ts: id.ts, error: errorMessage(error) }, "notifications failed"))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, run);
    return true;
  };

  async function prepare(event: Parameters<AfterReply>[0]): Promise<void> {
    const { job } = event;
    const id = { channel: job.channel, ts: job.ts };
    await refresh(id);
    const subject: NotificationSubject = {
      alert: job.alert,
      kind: event.kind,
      report: event.report,
      threadLink: null,
      thread: id,
      lastError: store.state.alerts[alertKey(id.channel, id.ts)]?.lastError ?? null,
      ...(event.recurrence ? { recurrence: { kind: event.recurrence.kind, lastVerdict: event.recurrence.lastVerdict } } : {}),
    };
    if (planNotifications(subject, options.policy).filter((n) => isPending(id, n)).length === 0) return;
    subject.threadLink =
      event.threadLink !== undefined ? event.threadLink : deps.slack ? await deps.slack.permalink(id.channel, id.ts).catch(() => null) : null;
    const entry: OutboxEntry = { ...id, notifications: planNotifications(subject, options.policy).filter((n) => isPending(id, n)) };
    await deps.outbox.put(entry).catch((error: unknown) => logger.warn({ ...id, error: errorMessage(error) }, "could not save the outbox entry; a restart will not retry it"));
    await deliverEntry(entry);
  }

  async function deliverEntry(entry: OutboxEntry): Promise<void> {
    await Promise.all(entry.notifications.map((n) => deliverOne(entry, n)));
    await refresh(entry);
    if (!entry.notifications.some((n) => isPending(entry, n))) await deps.outbox.remove(entry);
  }

  async function deliverOne(id: MessageId, n: PlannedNotification): Promise<void> {
    const log = logger.child({ channel: id.channel, ts: id.ts, notification: n.channel });
    for (;;) {
      await refresh(id);
      if (!isPending(id, n) || stop.signal.aborted) return;
      // Replicas share the outbox: only the one that reserves a notification sends it.
      const reservation = store.shared ? await store.shared.beginNotification(id, n.channel, options.maxAttempts, deps.clock.now()) : { resumed: false };
      if (!reservation) return;
      if (store.shared) {
        // Read again now that no one else sends it: an attempt recorded by another replica since the read above must be seen.
        await refresh(id);
        if (!isPending(id, n)) return;
      }
      const previous = recordOf(id, n.channel);
      const attempt = (previous?.attempts ?? 0) + 1;
      // A DM an earlier attempt may have landed (Slack took it and answered 5xx, or its sender died before
      // recording) is looked for in the DM channel, never sent blindly again.
      const before = previous?.delivered ?? [];
      const lookup = reservation.resumed || previous !== undefined ? await alreadyDirectMessaged(id, n, before) : { found: before, unchecked: [] };
      // A DM that could not be looked for is not sent blindly: this attempt fails and the next one looks again.
      const result =
        lookup.unchecked.length > 0
          ? { status: "failed" as const, reason: `could not check whether ${lookup.unchecked.join(", ")} already got the escalation DM; will look again`, delivered: lookup.found }
          : await send(id, n, lookup.found);
      try {
        await store.apply({ op: "recordNotification", id, channel: n.channel, outcome: { ...result, now: deps.clock.now() } });
      } catch (error) {
        // Without a record the attempt count cannot grow: stop rather than loop.
        log.error({ error: errorMessage(error) }, "could not record the notification; not retrying it in this process");
        return;
      }
      if (result.status === "sent") {
        log.info({ attempt, reason: result.reason }, "notification sent");
        return;
      }
      if (attempt >= options.maxAttempts) {
        log.error({ attempt, reason: result.reason }, "notification failed; giving up");
        return;
      }
      log.warn({ attempt, reason: result.reason }, "notification failed; will retry");
      const pause = options.backoffMs[Math.min(attempt - 1, options.backoffMs.length - 1)] ?? 0;
      const slept = await deps.clock.sleep(pause, stop.signal).then(() => true, () => false);
      if (!slept) return;
    }
  }

  async function send(id: MessageId, n: PlannedNotification, alreadyDelivered: readonly string[]): Promise<{ status: "sent" | "failed"; reason: string; delivered?: string[] }> {
    if (n.channel === "dm") return sendDirectMessages(id, n, alreadyDelivered);
    if (!deps.email) return { status: "failed", reason: "SMTP is not configured" };
    try {
      const { rejected } = await deps.email.send({ to: n.to, subject: n.subject, text: n.text });
      return { status: "sent", reason: rejected.length > 0 ? `${n.reason}; rejected: ${rejected.join(", ")}` : n.reason };
    } catch (error) {
      return { status: "failed", reason: errorMessage(error) };
    }
  }

  /** One DM per on-call user; users already reached are skipped on a retry. */
  async function sendDirectMessages(id: MessageId, n: Extract<PlannedNotification, { channel: "dm" }>, alreadyDelivered: readonly string[]) {
    const delivered = [...alreadyDelivered];
    const errors: string[] = [];
    for (const user of n.users.filter((u) => !alreadyDelivered.includes(u))) {
      try {
        if (!deps.slack) throw new Error("Slack is not configured");
        const channel = await deps.slack.openDirectMessage(user);
        await deps.slack.postMessage({ channel, text: n.text, metadata: notificationMetadata(id) });
        delivered.push(user);
      } catch (error) {
        errors.push(`${user}: ${errorMessage(error)}`);
      }
    }
    const status = errors.length === 0 ? ("sent" as const) : ("failed" as const);
    return { status, reason: errors.length === 0 ? n.reason : errors.join("; "), delivered };
  }

  /** Users whose DM channel already holds this alert's escalation (by its metadata), added to those known delivered; those it could not check. */
  async function alreadyDirectMessaged(id: MessageId, n: PlannedNotification, delivered: readonly string[]): Promise<{ found: string[]; unchecked: string[] }> {
    if (n.channel !== "dm" || !deps.slack) return { found: [...delivered], unchecked: [] };
    const found = [...delivered];
    const unchecked: string[] = [];
    for (const user of n.users.filter((u) => !delivered.includes(u))) {
      try {
        const channel = await deps.slack.openDirectMessage(user);
        const messages = await deps.slack.history(channel, id.ts);
        if (messages.some((m) => isNotificationFor(m, id))) found.push(user);
      } catch (error) {
        logger.warn({ user, error: errorMessage(error) }, "could not look for an earlier escalation DM; not sending it blindly, will look again");
        unchecked.push(user);
      }
    }
    return { found, unchecked };
  }

  return {
    /** The bot's afterReply hook: schedules the notifications and returns at once. Never throws. */
    afterReply: (async (event) => {
      track({ channel: event.job.channel, ts: event.job.ts }, () => prepare(event));
    }) satisfies AfterReply,

    /** Retries what the outbox still holds (after a restart, or a failure in an earlier cycle). Never throws. */
    async retryPending(): Promise<number> {
      let scheduled = 0;
      try {
        for (const entry of await deps.outbox.list()) {
          if (inFlight.has(alertKey(entry.channel, entry.ts))) continue;
          if (track(entry, () => deliverEntry(entry))) scheduled += 1;
        }
      } catch (error) {
        logger.warn({ error: errorMessage(error) }, "could not read the notification outbox");
      }
      return scheduled;
    },

    /** Waits for deliveries; with a grace period, stops what is left after it (the outbox keeps it). */
    async drain(graceMs?: number): Promise<boolean> {
      const all = Promise.all([...inFlight.values()]).then(() => true);
      if (graceMs === undefined) return all;
      // The grace timer is cancelled on a clean drain, so it cannot hold the process open.
      const timer = new AbortController();
      const timedOut = deps.clock.sleep(graceMs, timer.signal).then(() => false, () => true);
      const finished = await Promise.race([all, timedOut]);
      timer.abort();
      if (!finished) {
        stop.abort(new Error("shutdown"));
        await all;
      }
      return finished;
    },

    get inFlightCount(): number {
      return inFlight.size;
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;

/** The metadata event type on escalation DMs, so a sender retrying or taking over an interrupted one can tell it went out. */
const NOTIFICATION_EVENT_TYPE = "oncall_agent_notification";

function notificationMetadata(id: MessageId): MessageMetadata {
  return { event_type: NOTIFICATION_EVENT_TYPE, event_payload: { alert: alertKey(id.channel, id.ts) } };
}

function isNotificationFor(message: Pick<SlackMessage, "metadata">, id: MessageId): boolean {
  return message.metadata?.event_type === NOTIFICATION_EVENT_TYPE && message.metadata.event_payload.alert === alertKey(id.channel, id.ts);
}

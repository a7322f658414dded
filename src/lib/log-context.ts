import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

/**
 * The fields every log line of one alert carries (alert key, execution id, triage id), wherever
 * the line is written — the bot, the Conductor client, the tools, the model loop, the notifier —
 * without threading a logger through every call: the logger's mixin reads the current context.
 */
export interface LogContext {
  alert?: string;
  executionId?: string;
  triageId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to the current context (nested contexts merge). */
export function withLogContext<T>(fields: LogContext, work: () => Promise<T>): Promise<T> {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}

/** A short id for one triage attempt, to follow it through the logs. */
export function newTriageId(): string {
  return randomUUID().slice(0, 8);
}

import { OncallError } from "../lib/errors.ts";
import { alertKey, type AlertRecord, type State } from "./schema.ts";

/** The message that identifies an alert. */
export interface MessageId {
  channel: string;
  ts: string;
}

/** Errors are kept short so that a stack trace cannot bloat the state. */
const MAX_ERROR_LENGTH = 500;

export function updateAlert(state: State, id: MessageId, change: (record: AlertRecord) => AlertRecord): State {
  const key = alertKey(id.channel, id.ts);
  const record = own(state.alerts, key);
  if (!record) throw transitionError(`no alert ${key} in the state: claim it first`);
  return { ...state, alerts: { ...state.alerts, [key]: change(record) } };
}

export function findAlert(state: State, id: MessageId): AlertRecord | undefined {
  return own(state.alerts, alertKey(id.channel, id.ts));
}

/** A caller broke the lifecycle's order: a bug, not an operational condition. */
export function transitionError(message: string): OncallError {
  return new OncallError("state_transition", message);
}

/** Keys come from Slack and alerts: "constructor" must not find Object.prototype's. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function iso(now: number): string {
  return new Date(now).toISOString();
}

export function clip(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

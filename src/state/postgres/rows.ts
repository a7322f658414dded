import { OncallError } from "../../lib/errors.ts";
import { alertRecordSchema, type AlertRecord, type NotificationChannel, type NotificationRecord } from "../schema.ts";

/**
 * Row ↔ record mapping for the PostgreSQL store. An alert row holds the file store's record as
 * jsonb (validated with the same schema on the way in and out, so older records gain new fields'
 * defaults) plus the columns queries filter on, always written from the record.
 */

export interface AlertRow {
  record: unknown;
  notifications: NotificationRow[] | null;
}

export interface NotificationRow {
  kind: NotificationChannel;
  status: "sent" | "failed";
  attempts: number;
  reason: string | null;
  delivered: string[] | null;
  updated_at: string;
}

/** Selects an alert's record and its notification rows (those in progress, `sending`, are not results yet). */
export const ALERT_COLUMNS = `a.record,
  (SELECT json_agg(json_build_object('kind', n.kind, 'status', n.status, 'attempts', n.attempts, 'reason', n.reason,
     'delivered', n.delivered, 'updated_at', n.updated_at))
   FROM oncall_notifications n WHERE n.channel = a.channel AND n.ts = a.ts AND n.status <> 'sending') AS notifications`;

export function alertFromRow(row: AlertRow): AlertRecord {
  const parsed = alertRecordSchema.safeParse(row.record);
  if (!parsed.success) {
    throw new OncallError("state_invalid", `an alert row in PostgreSQL does not match the record schema: ${parsed.error.message}`);
  }
  const notifications: Partial<Record<NotificationChannel, NotificationRecord>> = {};
  for (const n of row.notifications ?? []) {
    notifications[n.kind] = {
      status: n.status,
      attempts: n.attempts,
      reason: n.reason,
      updatedAt: new Date(n.updated_at).toISOString(),
      ...(n.delivered ? { delivered: n.delivered } : {}),
    };
  }
  const { notifications: _kept, ...record } = parsed.data;
  return Object.keys(notifications).length > 0 ? { ...record, notifications } : record;
}

/** The filterable columns and the jsonb record, in the order of ALERT_VALUE_COLUMNS. */
export function alertValues(record: AlertRecord): unknown[] {
  const { notifications: _rows, ...rest } = record;
  const checked = alertRecordSchema.safeParse(rest);
  if (!checked.success) {
    throw new OncallError("state_invalid", `refusing to write an invalid alert record: ${checked.error.message}`, { cause: checked.error });
  }
  return [record.executionId, record.signature, record.status, record.nextAttemptAt, record.updatedAt, JSON.stringify(rest)];
}

export const ALERT_VALUE_COLUMNS = ["execution_id", "signature", "status", "next_attempt_at", "updated_at", "record"] as const;

/** Equality of two plain JSON values regardless of key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

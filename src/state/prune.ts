import type { AlertRecord, SignatureRecord, State } from "./schema.ts";

const DAY_MS = 86_400_000;

/** How much history the state keeps; see defaultPruneLimits for the defaults. */
export interface PruneLimits {
  /** Replied and failed alerts untouched for longer than this are dropped. */
  alertMaxAgeMs: number;
  /** Signatures diagnosed longer ago than this are dropped: the longest cooldown in use. */
  signatureMaxAgeMs: number;
  /** Cap on alert records: the oldest finished ones go first; claimed ones are never dropped. */
  maxAlerts: number;
  /** Cap on signature records: the oldest go first. */
  maxSignatures: number;
}

/** 7 days of finished alerts, at most 5000; signatures for one cooldown, at most 1000. */
export function defaultPruneLimits(cooldownMs: number): PruneLimits {
  return { alertMaxAgeMs: 7 * DAY_MS, signatureMaxAgeMs: cooldownMs, maxAlerts: 5000, maxSignatures: 1000 };
}

/**
 * Drops old finished alerts (with their execution ids) and old signatures. Claimed alerts always
 * stay, whatever their age or number, so that no pending alert is lost. Returns the same object
 * when nothing was dropped, so a caller can skip the write.
 */
export function prune(state: State, now: number, limits: PruneLimits): State {
  const alertEntries = Object.entries(state.alerts);
  const claimed = alertEntries.filter(([, record]) => record.status === "claimed");
  const finished = newestFirst(
    alertEntries.filter(([, record]) => record.status !== "claimed" && isYoungerThan(record.updatedAt, now, limits.alertMaxAgeMs)),
    (record: AlertRecord) => record.updatedAt,
  ).slice(0, Math.max(0, limits.maxAlerts - claimed.length));

  const signatures = newestFirst(
    Object.entries(state.signatures).filter(([, record]) => isYoungerThan(record.diagnosedAt, now, limits.signatureMaxAgeMs)),
    (record: SignatureRecord) => record.diagnosedAt,
  ).slice(0, limits.maxSignatures);

  const keptAlerts = claimed.length + finished.length;
  if (keptAlerts === alertEntries.length && signatures.length === Object.keys(state.signatures).length) return state;

  const alerts = Object.fromEntries([...claimed, ...finished]);
  const executions = Object.fromEntries(Object.entries(state.executions).filter(([, key]) => Object.hasOwn(alerts, key)));
  return { ...state, alerts, executions, signatures: Object.fromEntries(signatures) };
}

function isYoungerThan(time: string, now: number, maxAgeMs: number): boolean {
  return now - Date.parse(time) < maxAgeMs;
}

function newestFirst<T>(entries: [string, T][], timeOf: (value: T) => string): [string, T][] {
  return [...entries].sort(([, a], [, b]) => Date.parse(timeOf(b)) - Date.parse(timeOf(a)));
}

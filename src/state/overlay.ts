import type { StateOp } from "./operations.ts";
import { alertKey, type AlertRecord, type State } from "./schema.ts";

/**
 * Applying an operation to the whole State copies its alert map (pure transitions spread it),
 * which costs more the more history the state holds. Every keyed operation reads and writes one
 * alert and one execution id, so it is applied to a slice — those records plus the small maps
 * (channels, signatures, debounce windows, bounded by prune) — and the changes are collected
 * here, over a base that is not touched until `commit`. The cost of an operation is then its own.
 */
type SmallMaps = Pick<State, "channels" | "signatures" | "debounce">;

export class StateOverlay {
  readonly #base: State;
  readonly #alerts = new Map<string, AlertRecord | null>();
  readonly #executions = new Map<string, string | null>();
  #small: SmallMaps;

  constructor(base: State) {
    this.#base = base;
    this.#small = { channels: base.channels, signatures: base.signatures, ...(base.debounce ? { debounce: base.debounce } : {}) };
  }

  /** The state as the operation sees it: only the records it can read. */
  slice(op: StateOp): State {
    const { alerts, executions } = touchedBy(op);
    return this.sliceFor(alerts, executions);
  }

  sliceFor(alerts: readonly string[], executions: readonly string[]): State {
    const slice: State = { version: this.#base.version, ...this.#small, alerts: {}, executions: {} };
    for (const key of alerts) {
      const record = this.#alerts.has(key) ? this.#alerts.get(key) : own(this.#base.alerts, key);
      if (record) slice.alerts[key] = record;
    }
    for (const id of executions) {
      const owner = this.#executions.has(id) ? this.#executions.get(id) : own(this.#base.executions, id);
      if (owner) slice.executions[id] = owner;
    }
    return slice;
  }

  /** Records what the operation changed in its slice. */
  absorb(slice: State, out: State): void {
    for (const [key, record] of Object.entries(out.alerts)) if (slice.alerts[key] !== record) this.#alerts.set(key, record);
    for (const key of Object.keys(slice.alerts)) if (!Object.hasOwn(out.alerts, key)) this.#alerts.set(key, null);
    for (const [id, owner] of Object.entries(out.executions)) if (slice.executions[id] !== owner) this.#executions.set(id, owner);
    for (const id of Object.keys(slice.executions)) if (!Object.hasOwn(out.executions, id)) this.#executions.set(id, null);
    this.#small = { channels: out.channels, signatures: out.signatures, ...(out.debounce ? { debounce: out.debounce } : {}) };
  }

  /** The changed alert records and execution owners (null: dropped), and the small maps as they are now. */
  changes(): { alerts: Map<string, AlertRecord | null>; executions: Map<string, string | null>; small: SmallMaps } {
    return { alerts: this.#alerts, executions: this.#executions, small: this.#small };
  }

  /** The base with the changes: its alert and execution maps are changed in place (no copy), the rest replaced. */
  commit(): State {
    const alerts = this.#base.alerts;
    const executions = this.#base.executions;
    for (const [key, record] of this.#alerts) {
      if (record === null) delete alerts[key];
      else alerts[key] = record;
    }
    for (const [id, owner] of this.#executions) {
      if (owner === null) delete executions[id];
      else executions[id] = owner;
    }
    return { ...this.#base, ...this.#small, alerts, executions };
  }
}

/** The alert keys and execution ids an operation reads or writes; null for one that scans every alert. */
export function touchedBy(op: StateOp): { alerts: string[]; executions: string[] } {
  switch (op.op) {
    case "claim":
    case "adoptReply":
      return { alerts: [alertKey(op.alert.channel, op.alert.ts)], executions: [op.alert.executionId] };
    case "setWatermark":
    case "recordDiagnosis":
      return { alerts: [], executions: [] };
    case "recoverInterrupted":
    case "prune":
    case "merge":
      throw new TypeError(`${op.op} reads every alert: apply it to the whole state`);
    default:
      return { alerts: [alertKey(op.id.channel, op.id.ts)], executions: [] };
  }
}

export function scansEveryAlert(op: StateOp): boolean {
  return op.op === "recoverInterrupted" || op.op === "prune" || op.op === "merge";
}

function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

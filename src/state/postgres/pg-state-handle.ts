import { emptyState } from "../decisions.ts";
import { applyOps, type Scope, type SharedStore, type StateHandle, type StateOp } from "../operations.ts";
import { touchedBy } from "../overlay.ts";
import { prune } from "../prune.ts";
import { alertKey, type AlertRecord, type State } from "../schema.ts";
import type { PgStateStore } from "./pg-store.ts";

/**
 * The bot's store interface (StateOp batches and a State to read) over PostgreSQL. Each run of
 * keyed operations is one transaction over the records they name (PgStateStore.update: locked,
 * loaded, changed by the same pure `applyOps` the file store runs, written back, fenced by lease).
 * A watermark moves by compare-and-set under the channel's poll lease; prune runs as statements;
 * crash recovery happens per alert when a replica takes one over (claimPending), never at start,
 * where it would touch the running work of the other replicas.
 *
 * `state` caches what this replica read or wrote; the bot refreshes the records it decides on.
 */
export function pgStateHandle(store: PgStateStore): StateHandle & { readonly shared: SharedStore } {
  let cache: State = { ...emptyState(), debounce: {} };

  /** Replaces the scope's records in the cache with the slice read from the store (absent there: gone). */
  const absorb = (scope: Scope, slice: State) => {
    const alerts = { ...cache.alerts };
    const executions = { ...cache.executions };
    for (const id of scope.alerts ?? []) {
      const key = alertKey(id.channel, id.ts);
      const record = slice.alerts[key];
      if (record) {
        alerts[key] = record;
        executions[record.executionId] = key;
      } else delete alerts[key];
    }
    for (const id of scope.executions ?? []) {
      const owner = slice.executions[id];
      if (owner) executions[id] = owner;
      else delete executions[id];
    }
    const signatures = { ...cache.signatures };
    for (const s of scope.signatures ?? []) {
      const record = slice.signatures[s];
      if (record) signatures[s] = record;
      else delete signatures[s];
    }
    const debounce = { ...cache.debounce };
    for (const k of scope.debounce ?? []) {
      const record = slice.debounce?.[k];
      if (record) debounce[k] = record;
      else delete debounce[k];
    }
    const channels = { ...cache.channels };
    for (const c of scope.channels ?? []) {
      const record = slice.channels[c];
      if (record) channels[c] = record;
    }
    cache = { ...cache, alerts, executions, signatures, debounce, channels };
  };

  const absorbRecords = (records: readonly AlertRecord[]) => {
    const scope = { alerts: records };
    absorb(scope, { ...emptyState(), alerts: Object.fromEntries(records.map((r) => [alertKey(r.channel, r.ts), r])) });
  };

  /** The records a run of keyed operations reads or writes. */
  const scopeOf = async (ops: readonly StateOp[]): Promise<Scope> => {
    const alerts = new Map<string, { channel: string; ts: string }>();
    const executions = new Set<string>();
    const signatures = new Set<string>();
    const debounce = new Set<string>();
    for (const op of ops) {
      const touched = touchedBy(op);
      for (const key of touched.alerts) alerts.set(key, parseKey(key));
      for (const id of touched.executions) executions.add(id);
      if (op.op === "claim") for (const k of op.alert.debounceKeys ?? []) debounce.add(k);
      if (op.op === "recordDiagnosis") {
        signatures.add(op.signature);
        for (const k of await store.windowsOpenedBy(op.thread)) debounce.add(k);
      }
    }
    return { alerts: [...alerts.values()], executions: [...executions], signatures: [...signatures], debounce: [...debounce] };
  };

  const applyKeyed = async (ops: readonly StateOp[]) => {
    if (ops.length === 0) return;
    const scope = await scopeOf(ops);
    absorb(scope, await store.update(scope, (slice) => applyOps(slice, ops)));
  };

  const shared: SharedStore = {
    holder: store.holder,
    leaseMs: store.leaseMs,
    async refresh(scope) {
      absorb(scope, await store.read(scope));
    },
    async claimPending(options) {
      const records = await store.claimPending(options);
      absorbRecords(records);
      return records;
    },
    renewLeases: (keys) => store.renewLeases(keys),
    releaseLease: (id) => store.releaseLease(id),
    leaseChannel: (channel) => store.leaseChannel(channel),
    beginNotification: (id, channel, maxAttempts, now) => store.beginNotification(id, channel, maxAttempts, now),
    async unfinishedReactions(now) {
      const records = await store.unfinishedReactions(now);
      absorbRecords(records);
      return records;
    },
    isHealthy: () => store.isHealthy(),
    outbox: () => store.outbox(),
  };

  return {
    get state() {
      return cache;
    },
    shared,
    /** In order; each run of keyed operations is atomic, a watermark or prune between runs is its own statement. */
    async apply(ops) {
      const batch: readonly StateOp[] = Array.isArray(ops) ? ops : [ops as StateOp];
      let run: StateOp[] = [];
      for (const op of batch) {
        if (op.op === "merge") throw new TypeError("merge (state import) goes through PgStateStore.importState");
        if (op.op !== "setWatermark" && op.op !== "prune" && op.op !== "recoverInterrupted") {
          run.push(op);
          continue;
        }
        await applyKeyed(run);
        run = [];
        if (op.op === "setWatermark") {
          if (await store.advanceWatermark(op.channel, op.ts, op.now)) {
            cache = { ...cache, channels: { ...cache.channels, [op.channel]: { watermark: op.ts, updatedAt: new Date(op.now).toISOString() } } };
          }
        } else if (op.op === "prune") {
          await store.prune(op.now, op.limits);
          cache = prune(cache, op.now, op.limits);
        }
        // recoverInterrupted: per alert at takeover (claimPending), see above.
      }
      await applyKeyed(run);
    },
  };
}

function parseKey(key: string): { channel: string; ts: string } {
  const at = key.indexOf(":");
  return { channel: key.slice(0, at), ts: key.slice(at + 1) };
}

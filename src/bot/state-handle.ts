import { applyOps, type StateOp } from "../state/operations.ts";
import type { State } from "../state/schema.ts";

/** The part of the state store the bot uses: operations in, a cached State to read. A dry run swaps in one that never writes. */
export interface StateHandle {
  readonly state: State;
  /** Applies the operations in order, all or nothing, and persists them before resolving. */
  apply(ops: StateOp | readonly StateOp[]): Promise<void>;
  /** Tries a small write: resolves once the store can write again after a failure (a full disk). */
  probe?(): Promise<void>;
}

/** For --dry-run and tests: starts from a given state, keeps changes in memory only. */
export function createMemoryStateHandle(initial: State): StateHandle {
  let state = initial;
  return {
    get state() {
      return state;
    },
    async apply(ops) {
      state = applyOps(state, Array.isArray(ops) ? ops : [ops as StateOp]);
    },
  };
}

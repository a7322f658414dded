import { applyOps, type StateHandle, type StateOp } from "../state/operations.ts";
import type { State } from "../state/schema.ts";

export type { StateHandle };

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

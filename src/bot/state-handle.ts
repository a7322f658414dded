import type { State } from "../state/schema.ts";

/** The part of the state store the bot uses; a dry run swaps in one that never writes. */
export interface StateHandle {
  readonly state: State;
  update(change: (state: State) => State): Promise<void>;
}

/** For --dry-run: starts from the real state, keeps changes in memory only. */
export function createMemoryStateHandle(initial: State): StateHandle {
  let state = initial;
  return {
    get state() {
      return state;
    },
    async update(change) {
      state = change(state);
    },
  };
}

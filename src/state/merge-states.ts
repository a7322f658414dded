import { compareSlackTs } from "./compare-slack-ts.ts";
import type { State } from "./schema.ts";

export interface MergeReport {
  state: State;
  /** Alerts added from the incoming state. */
  added: number;
  /** Alerts both had: the target's record is kept (it is the one the running store acted on). */
  kept: number;
}

/**
 * Merges an exported state into a target for `state import`: alerts the target lacks are added
 * (with their executions), an alert both know keeps the target's record, watermarks take the
 * later ts, signatures and debounce windows the newer record. Nothing the target knows is lost,
 * and no alert comes back as new, so an import never replays an alert.
 */
export function mergeStates(target: State, incoming: State): MergeReport {
  const alerts = { ...target.alerts };
  const executions = { ...target.executions };
  let added = 0;
  let kept = 0;
  for (const [key, record] of Object.entries(incoming.alerts)) {
    if (Object.hasOwn(alerts, key)) {
      kept += 1;
      continue;
    }
    if (Object.hasOwn(executions, record.executionId)) continue; // the target answers this execution via another message
    alerts[key] = record;
    executions[record.executionId] = key;
    added += 1;
  }
  const channels = { ...target.channels };
  for (const [channel, record] of Object.entries(incoming.channels)) {
    const current = channels[channel];
    if (!current || compareSlackTs(record.watermark, current.watermark) > 0) channels[channel] = record;
  }
  const signatures = { ...target.signatures };
  for (const [signature, record] of Object.entries(incoming.signatures)) {
    const current = signatures[signature];
    if (!current || Date.parse(record.diagnosedAt) > Date.parse(current.diagnosedAt)) signatures[signature] = record;
  }
  const debounce = { ...(target.debounce ?? {}) };
  for (const [key, record] of Object.entries(incoming.debounce ?? {})) {
    const current = debounce[key];
    if (!current || Date.parse(record.openedAt) > Date.parse(current.openedAt)) debounce[key] = record;
  }
  return { state: { ...target, alerts, executions, channels, signatures, debounce }, added, kept };
}

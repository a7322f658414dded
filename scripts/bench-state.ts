/**
 * `npm run bench:state [-- --sizes 1000,10000,100000 --alerts 200]`
 * The state store's cost against the history it holds: for each size, a store holding that many
 * alert records takes `--alerts` new alerts through their whole life (claim → triaging → posting →
 * replied → reaction step: five persisted batches each). Prints the time per alert (mean, p95),
 * the snapshot and journal sizes, the time to open (load + replay), and one full-file write — what
 * every single change cost before the journal (the old store rewrote the whole file each time).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { systemClock } from "../src/lib/clock.ts";
import { silentLogger } from "../src/lib/logger.ts";
import { emptyState, openStateStore, type StateStore } from "../src/state/index.ts";
import { applyOps } from "../src/state/operations.ts";

const { values } = parseArgs({ options: { sizes: { type: "string", default: "1000,10000,100000" }, alerts: { type: "string", default: "200" } } });
const sizes = values.sizes.split(",").map(Number);
const alerts = Number(values.alerts);
const NOW = Date.now();
const deps = { logger: silentLogger, clock: systemClock };

const ref = (n: number) => ({ channel: "C0BENCH", ts: `${1_700_000_000 + n}.000100`, executionId: `8b1c2d3e-0f4a-11f1-9c2e-${String(n).padStart(12, "0")}`, signature: `sig-${n}` });
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? 0;
const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** A store holding `count` replied alerts (as a long-running bot would, before pruning), written as its snapshot. */
async function seeded(file: string, count: number): Promise<StateStore> {
  const one = applyOps(emptyState(), [{ op: "adoptReply", alert: ref(0), replyTs: "1700000000.000900", kind: "full", now: NOW }]);
  const template = Object.values(one.alerts)[0]!;
  const state = emptyState();
  for (let n = 0; n < count; n += 1) {
    const r = ref(n);
    state.alerts[`${r.channel}:${r.ts}`] = { ...template, ts: r.ts, executionId: r.executionId, signature: r.signature, replyTs: `${1_700_000_000 + n}.000900` };
    state.executions[r.executionId] = `${r.channel}:${r.ts}`;
  }
  writeFileSync(file, `${JSON.stringify(state)}\n`);
  return openStateStore(file, deps);
}

async function lifeOfOneAlert(store: StateStore, n: number): Promise<void> {
  const id = { channel: "C0BENCH", ts: ref(n).ts };
  const reply = { kind: "full" as const, text: "Redis at 71% on acme-eu-1: a decider backlog", blocks: [{ type: "section", text: { type: "mrkdwn", text: "x".repeat(1500) } }], summary: "backlog (confidence high)" };
  await store.apply({ op: "claim", alert: ref(n), debounceWindowMs: 0, now: NOW });
  await store.apply({ op: "startAttempt", id, alone: false, now: NOW });
  await store.apply({ op: "preparePost", id, reply, now: NOW });
  await store.apply({ op: "markReplied", id, replyTs: `${1_700_000_000 + n}.000900`, kind: "full", now: NOW });
  await store.apply({ op: "recordStep", id, kind: "reaction", now: NOW });
}

const rows: Record<string, string | number>[] = [];
for (const count of sizes) {
  const dir = mkdtempSync(join(tmpdir(), "oncall-bench-state-"));
  const file = join(dir, "state.json");
  const store = await seeded(file, count);
  const snapshotBytes = size(file);
  const times: number[] = [];
  for (let i = 0; i < alerts; i += 1) {
    const started = performance.now();
    await lifeOfOneAlert(store, count + i);
    times.push(performance.now() - started);
  }
  await store.apply([]); // a compaction the journal triggered finishes here
  const journalBytes = size(`${file}.journal`);
  const compactStarted = performance.now();
  await store.compact();
  const compactMs = performance.now() - compactStarted;
  await store.close();
  const openStarted = performance.now();
  const reopened = await openStateStore(file, deps);
  const openMs = performance.now() - openStarted;
  await reopened.close();
  rows.push({
    records: count,
    "ms/alert mean": (times.reduce((a, b) => a + b, 0) / times.length).toFixed(2),
    "ms/alert p95": percentile(times, 95).toFixed(2),
    "ms/batch mean": (times.reduce((a, b) => a + b, 0) / times.length / 5).toFixed(2),
    snapshot: mb(snapshotBytes),
    "journal after": mb(journalBytes),
    "open ms": openMs.toFixed(0),
    "full write ms (old cost per change)": compactMs.toFixed(1),
  });
  rmSync(dir, { recursive: true, force: true });
}
console.log(`state store: ${alerts} alerts through their life (5 fsynced batches each) on top of N records`);
console.table(rows);

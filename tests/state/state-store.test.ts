import { mkdir, mkdtemp, readFile, readdir, rm, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { emptyState, openStateStore, parseStateText, type AlertRef, type StateStore } from "../../src/state/index.ts";
import { applyOps, type StateOp } from "../../src/state/operations.ts";
import { createSpyLogger, fixedClock } from "./spy-logger.ts";

const NOW = Date.parse("2026-11-23T12:00:00.000Z");
const ALERT: AlertRef = { channel: "C0ALERTS", ts: "1700000000.000100", executionId: "exec-1", signature: "sig-1" };

let dir: string;
let file: string;
const open: StateStore[] = [];

async function openStore(path = file) {
  const spy = createSpyLogger();
  const store = await openStateStore(path, { logger: spy.logger, clock: fixedClock(NOW) });
  open.push(store);
  return { store, lines: spy.lines };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "oncall-state-"));
  file = join(dir, "state.json");
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
  await rm(dir, { recursive: true, force: true });
});

describe("openStateStore", () => {
  it("starts empty on a first run and writes the file at once", async () => {
    const { store } = await openStore();
    expect(store.firstRun).toBe(true);
    expect(store.recoveredFromCorruption).toBe(false);
    expect(store.state).toEqual(emptyState());
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(emptyState());
  });

  it("creates missing parent folders", async () => {
    const nested = join(dir, "a", "b", "state.json");
    const { store } = await openStore(nested);
    expect(store.file).toBe(nested);
    expect(JSON.parse(await readFile(nested, "utf8"))).toEqual(emptyState());
  });

  it("round-trips every kind of record through the file", async () => {
    const first = (await openStore()).store;
    await first.apply({ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW });
    await first.apply({ op: "markReplied", id: ALERT, replyTs: "1700000001.000200", kind: "known-incident", now: NOW + 1 });
    await first.apply({ op: "recordNotification", id: ALERT, channel: "escalation-email", outcome: { status: "failed", reason: "smtp down", now: NOW + 2 } });
    await first.apply({ op: "recordDiagnosis", signature: "sig-1", summary: "backlog", thread: { channel: "C0ALERTS", ts: ALERT.ts, permalink: null }, now: NOW });
    await first.apply({ op: "setWatermark", channel: "C0ALERTS", ts: "1700000000.000100", now: NOW });
    const written = first.state;
    await first.close();

    const second = (await openStore()).store;
    expect(second.firstRun).toBe(false);
    expect(second.recoveredFromCorruption).toBe(false);
    expect(second.state).toEqual(written);
    expect(second.state.alerts["C0ALERTS:1700000000.000100"]?.notifications?.["escalation-email"]?.reason).toBe("smtp down");
  });

  it("applies keyed operations on slices to the same state the pure operations give", async () => {
    const { store } = await openStore();
    const other = { ...ALERT, ts: "1700000100.000200", executionId: "exec-2", signature: "sig-2", debounceKeys: ["acme|eu-1|REDIS"] };
    const ops: StateOp[] = [
      { op: "claim", alert: { ...ALERT, debounceKeys: ["acme|eu-1|REDIS"] }, debounceWindowMs: 600_000, now: NOW },
      { op: "startAttempt", id: ALERT, alone: false, now: NOW },
      { op: "claim", alert: other, debounceWindowMs: 600_000, now: NOW },
      { op: "failAttempt", id: ALERT, error: "Conductor answered 503", retryAt: NOW + 30_000, now: NOW },
      { op: "recordDiagnosis", signature: "sig-1", summary: "backlog", thread: { channel: "C0ALERTS", ts: ALERT.ts, permalink: null }, now: NOW },
      { op: "adoptReply", alert: { channel: "C0ALERTS", ts: "1700000200.000300", executionId: "exec-3", signature: "sig-3" }, replyTs: "1700000201.000000", kind: "failure-note", now: NOW },
      { op: "setWatermark", channel: "C0ALERTS", ts: "1700000200.000300", now: NOW },
    ];
    await store.apply(ops.slice(0, 3));
    await store.apply(ops.slice(3));
    await store.apply({ op: "prune", limits: { alertMaxAgeMs: 1, signatureMaxAgeMs: 3_600_000, maxAlerts: 10, maxSignatures: 10 }, now: NOW + 10 });
    const expected = applyOps(applyOps(emptyState(), ops), [
      { op: "prune", limits: { alertMaxAgeMs: 1, signatureMaxAgeMs: 3_600_000, maxAlerts: 10, maxSignatures: 10 }, now: NOW + 10 },
    ]);
    expect(store.state).toEqual(expected);
    await store.close();
    expect((await openStore()).store.state).toEqual(expected);
  });

  it("serializes concurrent batches: none is lost, each is in the journal before it resolves", async () => {
    const { store } = await openStore();
    const count = 150;
    const applies = Array.from({ length: count }, (_, n) =>
      store.apply({ op: "claim", alert: { ...ALERT, ts: `${1700000000 + n}.000000`, executionId: `exec-${n}` }, debounceWindowMs: 0, now: NOW }),
    );
    await Promise.all(applies);
    expect(Object.keys(store.state.alerts)).toHaveLength(count);
    // As a kill -9 would leave it: the files copied while the store is still open.
    const copy = join(dir, "copy");
    await mkdir(copy);
    for (const name of ["state.json", "state.json.journal"]) await writeFile(join(copy, name), await readFile(join(dir, name)));
    const reopened = (await openStore(join(copy, "state.json"))).store;
    expect(reopened.state).toEqual(store.state);
    expect((await readdir(dir)).sort()).toEqual(["copy", "state.json", "state.json.journal", "state.json.lock"]);
  });

  it("keeps the old state when an operation throws, and later batches still run", async () => {
    const { store } = await openStore();
    await expect(store.apply([{ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW }, { op: "cancelAttempt", id: ALERT, now: NOW }])).rejects.toMatchObject({
      code: "state_transition",
    });
    expect(store.state).toEqual(emptyState());
    await store.apply({ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW });
    expect(Object.keys(store.state.alerts)).toEqual(["C0ALERTS:1700000000.000100"]);
  });

  it("refuses to write records that break the schema", async () => {
    const { store } = await openStore();
    const broken = store.apply({ op: "claim", alert: { ...ALERT, ts: "soon" }, debounceWindowMs: 0, now: NOW });
    await expect(broken).rejects.toMatchObject({ code: "state_invalid" });
    expect(await readFile(`${file}.journal`, "utf8")).toBe("");
    expect(store.state).toEqual(emptyState());
  });

  it("refuses batches after close", async () => {
    const { store } = await openStore();
    await store.close();
    await expect(store.apply([])).rejects.toMatchObject({ code: "state_closed" });
  });

  it("folds a journal that outgrew the snapshot into a new snapshot, and starts from it", async () => {
    const spy = createSpyLogger();
    const store = await openStateStore(file, { logger: spy.logger, clock: fixedClock(NOW) }, { compactBytes: 2000 });
    open.push(store);
    for (let n = 0; n < 40; n += 1) {
      await store.apply({ op: "claim", alert: { ...ALERT, ts: `${1700000000 + n}.000000`, executionId: `exec-${n}` }, debounceWindowMs: 0, now: NOW });
    }
    await store.apply([]); // lets a queued compaction finish
    const journal = await readFile(`${file}.journal`, "utf8");
    expect(journal.split("\n").length - 1).toBeLessThan(40); // some of the 40 batches were folded into the snapshot
    const snapshot = parseStateText(await readFile(file, "utf8"));
    expect(snapshot.ok && Object.keys(snapshot.state.alerts).length).toBeGreaterThan(20);
  });

  it("keeps the intact part of a journal whose last write was torn, and says so", async () => {
    const first = (await openStore()).store;
    await first.apply({ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW });
    await first.close();
    await writeFile(`${file}.journal`, '0badc0de {"v":2,"a":{"C0:1.0":nul', { flag: "a" });
    const { store, lines } = await openStore();
    expect(Object.keys(store.state.alerts)).toEqual(["C0ALERTS:1700000000.000100"]);
    expect(lines.find((l) => l.level === 40)?.msg).toMatch(/torn write/);
  });

  it("removes temp files a killed process left next to the state file", async () => {
    await writeFile(`${file}.tmp-4242`, "{");
    await writeFile(`${file}.3735928559`, "{"); // write-file-atomic's, from older versions
    await writeFile(join(dir, "unrelated.txt"), "keep me");
    await openStore();
    expect((await readdir(dir)).sort()).toEqual(["state.json", "state.json.journal", "state.json.lock", "unrelated.txt"]);
  });
});

describe("a full disk", () => {
  it("fails the batch with state_write_failed, keeps state and journal as they were, and writes again once there is room", async () => {
    let full = false;
    const writeAt = async (handle: FileHandle, bytes: Buffer, position: number) => {
      if (!full) return (await handle.write(bytes, 0, bytes.length, position)).bytesWritten;
      await handle.write(bytes, 0, Math.floor(bytes.length / 2), position); // the short write a full disk makes
      throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    };
    const store = await openStateStore(file, { logger: createSpyLogger().logger, clock: fixedClock(NOW), writeAt });
    open.push(store);
    await store.apply({ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW });
    const journal = await readFile(`${file}.journal`, "utf8");
    full = true;
    const failed = store.apply({ op: "startAttempt", id: ALERT, alone: false, now: NOW });
    await expect(failed).rejects.toMatchObject({ code: "state_write_failed", message: expect.stringMatching(/disk is full/) });
    await expect(store.probe()).rejects.toMatchObject({ code: "state_write_failed" });
    expect(store.state.alerts["C0ALERTS:1700000000.000100"]?.status).toBe("claimed");
    expect(await readFile(`${file}.journal`, "utf8")).toBe(journal);
    full = false;
    await store.probe();
    await store.apply({ op: "startAttempt", id: ALERT, alone: false, now: NOW });
    await store.close();
    const reopened = (await openStore()).store;
    expect(reopened.state.alerts["C0ALERTS:1700000000.000100"]?.status).toBe("triaging");
  });

  it("detects a short write that reports no error", async () => {
    let short = false;
    const writeAt = async (handle: FileHandle, bytes: Buffer, position: number) =>
      (await handle.write(bytes, 0, short ? bytes.length - 1 : bytes.length, position)).bytesWritten;
    const store = await openStateStore(file, { logger: createSpyLogger().logger, clock: fixedClock(NOW), writeAt });
    open.push(store);
    short = true;
    await expect(store.apply({ op: "claim", alert: ALERT, debounceWindowMs: 0, now: NOW })).rejects.toMatchObject({ code: "state_write_failed" });
    expect(store.state).toEqual(emptyState());
  });
});

describe("an unusable state file", () => {
  const stamp = new Date(NOW).toISOString();
  const cases: [string, string, RegExp][] = [
    ["garbage", "{\"version\": 1, \"chan", /not valid JSON/],
    ["a wrong schema", JSON.stringify({ version: 1, channels: [], alerts: {} }), /does not match the state schema \(channels/],
  ];

  it.each(cases)("holding %s is moved aside with a timestamp and a warning, and the store starts fresh", async (_, content, reason) => {
    await writeFile(file, content);
    const { store, lines } = await openStore();

    const movedTo = `${file}.corrupt-${stamp}`;
    expect(await readFile(movedTo, "utf8")).toBe(content);
    expect(store.recoveredFromCorruption).toBe(true);
    expect(store.firstRun).toBe(false);
    expect(store.state).toEqual(emptyState());
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual(emptyState());

    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ file, movedTo, reason: expect.stringMatching(reason) });
    expect(warnings[0]?.msg).toContain(movedTo);
    expect(warnings[0]?.msg).toMatch(/recovery window/);
  });

  it("written by a newer version is refused with exit 2 and left exactly as it was", async () => {
    const content = JSON.stringify({ ...emptyState(), version: 7 });
    await writeFile(file, content);
    const opening = openStore();
    await expect(opening).rejects.toMatchObject({ code: "state_too_new", exitCode: 2, message: expect.stringMatching(/newer oncall-agent \(state version 7.*left as it is/) });
    expect(await readFile(file, "utf8")).toBe(content);
    expect((await readdir(dir)).sort()).toEqual(["state.json"]);
  });
});

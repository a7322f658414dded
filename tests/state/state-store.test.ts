import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  advanceWatermark,
  claim,
  emptyState,
  markReplied,
  openStateStore,
  parseStateText,
  recordDiagnosis,
  recordNotification,
  type AlertRef,
  type StateStore,
} from "../../src/state/index.ts";
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
    await first.update((s) => claim(s, ALERT, NOW));
    await first.update((s) => markReplied(s, ALERT, { replyTs: "1700000001.000200", kind: "known-incident", now: NOW + 1 }));
    await first.update((s) => recordNotification(s, ALERT, "escalation-email", { status: "failed", reason: "smtp down", now: NOW + 2 }));
    await first.update((s) =>
      recordDiagnosis(s, "sig-1", { summary: "backlog", thread: { channel: "C0ALERTS", ts: ALERT.ts, permalink: null }, now: NOW }),
    );
    await first.update((s) => advanceWatermark(s, "C0ALERTS", "1700000000.000100", NOW));
    const written = first.state;
    await first.close();

    const second = (await openStore()).store;
    expect(second.firstRun).toBe(false);
    expect(second.recoveredFromCorruption).toBe(false);
    expect(second.state).toEqual(written);
    expect(second.state.alerts["C0ALERTS:1700000000.000100"]?.notifications?.["escalation-email"]?.reason).toBe("smtp down");
  });

  it("serializes concurrent updates: none is lost and the file is valid JSON at every moment", async () => {
    const { store } = await openStore();
    const count = 150;
    let done = false;
    const reads: boolean[] = [];
    const reader = (async () => {
      while (!done) reads.push(parseStateText(await readFile(file, "utf8")).ok);
    })();
    const updates = Array.from({ length: count }, (_, n) =>
      store.update((s) => claim(s, { ...ALERT, ts: `${1700000000 + n}.000000`, executionId: `exec-${n}` }, NOW)),
    );
    await Promise.all(updates);
    done = true;
    await reader;

    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every(Boolean)).toBe(true);
    expect(Object.keys(store.state.alerts)).toHaveLength(count);
    const onDisk = parseStateText(await readFile(file, "utf8"));
    expect(onDisk.ok && Object.keys(onDisk.state.alerts)).toHaveLength(count);
    expect(await readdir(dir)).toEqual(["state.json", "state.json.lock"]); // no temp files left behind
  });

  it("keeps the old state when a change throws, and later updates still run", async () => {
    const { store } = await openStore();
    await expect(store.update(() => {
      throw new Error("bug in the caller");
    })).rejects.toThrow("bug in the caller");
    await store.update((s) => claim(s, ALERT, NOW));
    expect(Object.keys(store.state.alerts)).toEqual(["C0ALERTS:1700000000.000100"]);
  });

  it("refuses to write a state that breaks the schema", async () => {
    const { store } = await openStore();
    const before = await readFile(file, "utf8");
    const broken = store.update((s) => ({ ...s, channels: { C1: { watermark: "soon", updatedAt: "now" } } }));
    await expect(broken).rejects.toMatchObject({ code: "state_invalid" });
    expect(await readFile(file, "utf8")).toBe(before);
    expect(store.state).toEqual(emptyState());
  });

  it("refuses updates after close", async () => {
    const { store } = await openStore();
    await store.close();
    await expect(store.update((s) => s)).rejects.toMatchObject({ code: "state_closed" });
  });
});

describe("an unusable state file", () => {
  const stamp = new Date(NOW).toISOString();
  const cases: [string, string, RegExp][] = [
    ["garbage", "{\"version\": 1, \"chan", /not valid JSON/],
    ["a wrong schema", JSON.stringify({ version: 1, channels: [], alerts: {} }), /does not match the state schema \(channels/],
    ["a future version", JSON.stringify({ ...emptyState(), version: 7 }), /newer oncall-agent \(state version 7/],
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
    expect(warnings[0]?.msg).toMatch(/start from now/);
  });
});

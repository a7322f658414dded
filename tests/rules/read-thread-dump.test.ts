import { describe, expect, it } from "vitest";
import { readThreadDump } from "../../src/rules/read/read-thread-dump.ts";

const thread = (name: string, state: string, frames: string[], extra = "", locks: string[] = []) =>
  [`"${name}" #12 prio=5 os_prio=0 cpu=${extra || "10.5"}ms elapsed=100.2s tid=0x00007f nid=0xd4 runnable  [0x00007f39]`, `   java.lang.Thread.State: ${state}`, ...frames.map((f) => `\tat ${f}(${/^java\./.test(f) ? "java.base@17.0.10/" : ""}Source.java:1)`), ...locks, ""].join("\n");

const dump = [
  "2025-01-20 06:13:02",
  "Full thread dump OpenJDK 64-Bit Server VM (17.0.10+7 mixed mode, sharing):",
  "",
  thread("worker-1", "RUNNABLE", ["java.util.regex.Pattern$Loop.match", "com.acme.rules.Matcher.test", "java.lang.Thread.run"], "24071552"),
  thread("worker-2", "RUNNABLE", ["java.util.regex.Pattern$Loop.match", "com.acme.rules.Matcher.test"], "23920114"),
  thread("http-nio-8080-exec-1", "BLOCKED (on object monitor)", ["com.acme.cache.Store.get"], "", ["\t- waiting to lock <0x00000006c1a2b3c8> (a java.lang.Object)"]),
  thread("http-nio-8080-exec-2", "BLOCKED (on object monitor)", ["com.acme.cache.Store.get"], "", ["\t- waiting to lock <0x00000006c1a2b3c8> (a java.lang.Object)"]),
  thread("refresher", "RUNNABLE", ["java.net.SocketInputStream.read", "com.acme.cache.Store.refresh"], "", ["\t- locked <0x00000006c1a2b3c8> (a java.lang.Object)"]),
  '"GC Thread#0" os_prio=0 cpu=812.3ms elapsed=100.2s tid=0x00007f nid=0x10 runnable',
  "",
  "Found one Java-level deadlock:",
  "=============================",
  '"pool-1-thread-1":',
  "  waiting to lock monitor 0x00007f0c (object 0x000000076b, a java.lang.Object),",
  "  which is held by \"pool-1-thread-2\"",
  '"pool-1-thread-2":',
  "  waiting to lock monitor 0x00007f0d (object 0x000000076c, a java.lang.Object),",
  "",
].join("\n");

describe("readThreadDump", () => {
  it("threads with state, CPU time, frames and the first application frame", () => {
    const result = readThreadDump(dump);
    expect(result?.threads).toHaveLength(6);
    expect(result?.threads[0]).toMatchObject({ name: "worker-1", state: "RUNNABLE", cpuMs: 24071552, appFrame: "com.acme.rules.Matcher.test", frames: ["java.util.regex.Pattern$Loop.match", "com.acme.rules.Matcher.test", "java.lang.Thread.run"] });
    expect(result?.threads[4]).toMatchObject({ name: "refresher", frames: ["java.net.SocketInputStream.read", "com.acme.cache.Store.refresh"], appFrame: "com.acme.cache.Store.refresh", holds: ["0x00000006c1a2b3c8"] });
    expect(result?.threads[5]).toMatchObject({ name: "GC Thread#0", state: "runnable", frames: [] });
  });

  it("counts states, hot application frames, contended monitors with their holder, and deadlocks", () => {
    const result = readThreadDump(dump);
    expect(result?.states).toEqual({ RUNNABLE: 3, BLOCKED: 2, runnable: 1 });
    expect(result?.hotFrames[0]).toEqual({ frame: "com.acme.rules.Matcher.test", count: 2 });
    expect(result?.contended).toEqual([{ lock: "0x00000006c1a2b3c8", waiters: 2, holder: "refresher" }]);
    expect(result?.deadlocked).toEqual(["pool-1-thread-1", "pool-1-thread-2"]);
  });

  it("is null for text that is not a thread dump", () => {
    expect(readThreadDump("saved to s3://dumps/threaddump-20250120.txt")).toBeNull();
    expect(readThreadDump(undefined as unknown as string)).toBeNull();
    expect(readThreadDump('"quoted" words only')).toBeNull();
  });
});

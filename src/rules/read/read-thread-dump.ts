import { asText } from "./walk-json.ts";

export interface DumpThread {
  name: string;
  /** RUNNABLE, BLOCKED, WAITING, TIMED_WAITING... (`java.lang.Thread.State`), or the header's word. */
  state: string | null;
  /** CPU time the thread has used (`cpu=24071552ms`), when the JVM prints it. */
  cpuMs: number | null;
  daemon: boolean;
  /** `Class.method` of each frame, innermost first. */
  frames: string[];
  /** The first frame outside the JDK (java., javax., jdk., sun., com.sun.): where the application is. */
  appFrame: string | null;
  /** The monitor it waits for (`- waiting to lock <0x…>`), and those it holds (`- locked <0x…>`). */
  waitingOn: string | null;
  holds: string[];
}

export interface ThreadDump {
  threads: DumpThread[];
  states: Record<string, number>;
  /** Threads named in a `Found one Java-level deadlock` section. */
  deadlocked: string[];
  /** Application frames of RUNNABLE threads, most frequent first. */
  hotFrames: { frame: string; count: number }[];
  /** Monitors BLOCKED threads wait on, with the thread holding each, most waited-on first. */
  contended: { lock: string; waiters: number; holder: string | null }[];
}

const JDK = /^(java|javax|jdk|sun|com\.sun)\./;

/** A HotSpot/OpenJDK thread dump (jstack, jcmd Thread.print, kill -3), or null when the text is not one. */
export function readThreadDump(raw: string): ThreadDump | null {
  const text = asText(raw);
  const threads: DumpThread[] = [];
  let current: DumpThread | null = null;
  for (const line of text.split(/\r?\n/)) {
    // Deadlock reports name threads as `"name":`; a thread's own header never has the colon.
    if (/^Found (?:one|\d+) Java-level deadlock/.test(line)) current = null;
    const header = /^"([^"]+)"(?!:)(.*)$/.exec(line);
    if (header?.[1] !== undefined) {
      const rest = header[2] ?? "";
      current = {
        name: header[1],
        state: /\b(runnable|waiting on condition|in Object\.wait\(\)|waiting for monitor entry|sleeping)\b/.exec(rest)?.[1] ?? null,
        cpuMs: numberOf(/\bcpu=([\d.]+)ms/.exec(rest)?.[1]),
        daemon: /\bdaemon\b/.test(rest),
        frames: [],
        appFrame: null,
        waitingOn: null,
        holds: [],
      };
      threads.push(current);
      continue;
    }
    if (!current) continue;
    const state = /^\s*java\.lang\.Thread\.State:\s*(\w+)/.exec(line)?.[1];
    if (state) {
      current.state = state;
      continue;
    }
    const frame = /^\s*at\s+([\w$.<>/]+)\(/.exec(line)?.[1];
    if (frame) {
      current.frames.push(frame);
      if (current.appFrame === null && !JDK.test(frame)) current.appFrame = frame;
      continue;
    }
    const lock = /^\s*-\s+(waiting to lock|locked|waiting on|parking to wait for)\s+<([^>]+)>/.exec(line);
    if (lock?.[2]) {
      if (lock[1] === "locked") current.holds.push(lock[2]);
      else if (lock[1] === "waiting to lock") current.waitingOn ??= lock[2];
    }
  }
  if (threads.length === 0 || !threads.some((t) => t.state !== null || t.frames.length > 0)) return null;
  const states: Record<string, number> = {};
  for (const thread of threads) if (thread.state) states[thread.state] = (states[thread.state] ?? 0) + 1;
  return { threads, states, deadlocked: readDeadlocks(text), hotFrames: countHotFrames(threads), contended: countContention(threads) };
}

function countHotFrames(threads: DumpThread[]): ThreadDump["hotFrames"] {
  const counts = new Map<string, number>();
  for (const thread of threads) if (thread.state === "RUNNABLE" && thread.appFrame) counts.set(thread.appFrame, (counts.get(thread.appFrame) ?? 0) + 1);
  return [...counts.entries()].map(([frame, count]) => ({ frame, count })).sort((a, b) => b.count - a.count);
}

function countContention(threads: DumpThread[]): ThreadDump["contended"] {
  const waiters = new Map<string, number>();
  for (const thread of threads) if (thread.waitingOn) waiters.set(thread.waitingOn, (waiters.get(thread.waitingOn) ?? 0) + 1);
  return [...waiters.entries()]
    .map(([lock, count]) => ({ lock, waiters: count, holder: threads.find((t) => t.holds.includes(lock))?.name ?? null }))
    .sort((a, b) => b.waiters - a.waiters);
}

/** `Found one Java-level deadlock:` then `"name":` lines until the stack section. */
function readDeadlocks(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(/Found (?:one|\d+) Java-level deadlocks?:\s*\n=+\s*\n([\s\S]*?)(?:\n\s*\n|$)/g)) {
    for (const name of (match[1] ?? "").matchAll(/^"([^"]+)":/gm)) if (name[1]) names.add(name[1]);
  }
  return [...names];
}

function numberOf(value: string | undefined): number | null {
  return value === undefined ? null : Number.isFinite(Number(value)) ? Number(value) : null;
}

import { spawn } from "node:child_process";
export { freePort } from "../../scripts/lib/free-port.ts";

/** A CLI process with its output collected, for tests that run the bot for real. */
export interface RunningCli {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  stderr(): string;
}

export function startProcess(command: string, args: string[], options: { env: Record<string, string>; cwd: string; uid?: number; gid?: number }): RunningCli {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { done, kill: (signal) => child.kill(signal), stderr: () => stderr };
}


export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error("timed out waiting for a condition");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** GET on the loopback; resolves with status and body, or null when nothing listens yet. */
export async function get(port: number, path: string): Promise<{ status: number; body: string } | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.text() };
  } catch {
    return null;
  }
}

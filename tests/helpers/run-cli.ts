import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.ts";

/** The CLI run in this process with captured output, an empty stdin and a fresh working directory. */
export async function runCliInProcess(args: string[], env: Record<string, string | undefined>, cwd = mkdtempSync(join(tmpdir(), "oncall-cli-"))) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c: Buffer) => (out += c.toString()));
  stderr.on("data", (c: Buffer) => (err += c.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await main(["node", "oncall-agent", ...args], { stdout, stderr, stdin, env, cwd });
  return { code, stdout: out, stderr: err };
}

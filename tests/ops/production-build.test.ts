import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarios, startSandbox, type Sandbox } from "../../src/sandbox/index.ts";
import { freePort, get, startProcess, waitFor } from "./cli-process.ts";

/**
 * What the container image relies on, without building one: the compiled dist/ runs from a
 * directory that holds only it, bin/, package.json and the production dependencies — no sources,
 * no TypeScript runtime, no dev dependencies — as an unprivileged user, and answers on its health port.
 */
const ROOT = join(import.meta.dirname, "../..");
const NOBODY = 65534;
let app: string;
let sandbox: Sandbox;

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "oncall-image-"));
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", join(app, "dist")], { cwd: ROOT });
  cpSync(join(ROOT, "bin"), join(app, "bin"), { recursive: true });
  cpSync(join(ROOT, "package.json"), join(app, "package.json"));
  const listed = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: ROOT, encoding: "utf8" }).trim().split("\n").slice(1);
  const modules = join(ROOT, "node_modules");
  // Top-level packages only; nested ones come with their parent.
  for (const dir of listed.filter((d) => !relative(modules, d).includes("node_modules"))) {
    const target = join(app, "node_modules", relative(modules, dir));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(dir, target, { recursive: true });
  }
  chmodSync(app, 0o755);
  sandbox = await startSandbox({ scenarios: await loadScenarios("scenarios"), latency: { conductorCommandMs: 20 } });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

describe("the production build", () => {
  it("holds no TypeScript runtime or development-only code", () => {
    expect(existsSync(join(app, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(app, "node_modules/typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules/vitest"))).toBe(false);
    expect(existsSync(join(app, "dist/cli/entry.js"))).toBe(true);
    expect(existsSync(join(app, "dist/cli/entry.js.map"))).toBe(true);
    expect(existsSync(join(app, "dist/sandbox"))).toBe(false);
    expect(existsSync(join(app, "dist/eval"))).toBe(false);
  });

  it("runs as an unprivileged user from production dependencies only and answers on its health port", { timeout: 60_000 }, async () => {
    const sql = startProcess(process.execPath, [join(app, "bin/oncall-agent.js"), "check-sql", "SELECT count(*) FROM workflow"], { env: { PATH: process.env.PATH ?? "" }, cwd: app, uid: NOBODY, gid: NOBODY });
    expect(await sql.done).toMatchObject({ code: 0, stdout: "allowed\n" });

    const state = mkdtempSync(join(tmpdir(), "oncall-image-state-"));
    chmodSync(state, 0o777);
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      ...Object.fromEntries(Object.entries(sandbox.env).filter(([k]) => !k.startsWith("ANTHROPIC_"))),
      ONCALL_STATE_FILE: join(state, "state.json"),
      ONCALL_ENGINE: "rules",
      ONCALL_HTTP_PORT: String(port),
    };
    const bot = startProcess(process.execPath, [join(app, "bin/oncall-agent.js"), "run", "--loop", "--interval", "0.5"], { env, cwd: app, uid: NOBODY, gid: NOBODY });
    try {
      await waitFor(async () => (await get(port, "/healthz"))?.status === 200);
      await waitFor(async () => (await get(port, "/readyz"))?.status === 200).catch((error: unknown) => {
        throw new Error(`${String(error)}\n${bot.stderr()}`);
      });
    } finally {
      bot.kill("SIGTERM");
    }
    expect((await bot.done).code, bot.stderr()).toBe(0);
  });
});

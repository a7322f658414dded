import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { UsageError } from "../lib/errors.ts";
import type { CapturedScenario } from "./build-scenario.ts";

const FOLDER = /^(\d{2})_[a-z0-9_]+$/;

/**
 * The folder name for a capture of `executionId` under `outDir`: the next free number and the
 * execution's first 8 characters. Refuses a second capture of one execution in one set (the
 * loader refuses duplicate executions too).
 */
export async function nextCaptureId(outDir: string, executionId: string, prefix = "capture"): Promise<string> {
  const short = executionId.replace(/[^0-9a-f]/gi, "").slice(0, 8).toLowerCase();
  const names = await readdir(outDir).catch(() => [] as string[]);
  const existing = names.find((n) => FOLDER.test(n) && n.endsWith(`_${short}`));
  if (existing) throw new UsageError(`execution ${executionId} is already captured in ${join(outDir, existing)}; remove it or choose another --out`);
  const used = names.map((n) => FOLDER.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  const next = used.length === 0 ? 1 : Math.max(...used) + 1;
  if (next > 99) throw new UsageError(`${outDir} already holds 99 scenarios; choose another --out`);
  return `${String(next).padStart(2, "0")}_${prefix}_${short}`;
}

/** Writes the folder (scenario.json, every call file, capture.json); a failed write removes the partial folder. */
export async function writeCapturedScenario(outDir: string, captured: CapturedScenario, meta: Record<string, unknown>): Promise<string> {
  const folder = join(outDir, captured.scenario.id);
  await mkdir(folder, { recursive: false }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    await mkdir(folder, { recursive: true });
  });
  try {
    for (const [name, content] of Object.entries(captured.files)) {
      await mkdir(dirname(join(folder, name)), { recursive: true });
      await writeFile(join(folder, name), content);
    }
    await writeFile(join(folder, "scenario.json"), `${JSON.stringify(captured.scenario, null, 2)}\n`);
    await writeFile(join(folder, "capture.json"), `${JSON.stringify(meta, null, 2)}\n`);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return folder;
}

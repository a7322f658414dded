import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { OncallError } from "../lib/errors.ts";
import {
  readRouting,
  scenarioFileSchema,
  type CommandOutput,
  type Scenario,
  type ScenarioCommands,
  type ScenarioFile,
} from "./scenario-schema.ts";

const FOLDER = /^\d{2}_[a-z0-9_]+$/;

/**
 * Reads and validates every `NN_snake_name/scenario.json` under `dir`, in folder order, and
 * reads each `file` reference into `text`. Throws `scenario_invalid` naming the folder and field.
 */
export async function loadScenarios(dir = "scenarios"): Promise<Scenario[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries.filter((e) => e.isDirectory() && FOLDER.test(e.name)).map((e) => e.name).sort();
  const scenarios = await Promise.all(folders.map((folder) => loadScenario(join(dir, folder), folder)));
  assertUnique(scenarios);
  return scenarios;
}

async function loadScenario(dir: string, folder: string): Promise<Scenario> {
  const fail = (message: string, cause?: unknown): never => {
    throw new OncallError("scenario_invalid", `scenario ${folder}: ${message}`, { cause });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(join(dir, "scenario.json"), "utf8"));
  } catch (error) {
    return fail(`cannot read scenario.json: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  const parsed = scenarioFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return fail(`scenario.json is invalid:\n  ${lines.join("\n  ")}`);
  }
  const file = parsed.data;
  if (file.id !== folder) fail(`id "${file.id}" must equal the folder name`);
  const readText = async (name: string, field: string) => {
    try {
      return await readFile(join(dir, name), "utf8");
    } catch (error) {
      return fail(`${field}: cannot read file "${name}"`, error);
    }
  };
  const commands = await resolveFiles(file.commands, readText, fail);
  // readRouting cannot fail here: the schema refused executions without routing.
  const routing = readRouting(file.execution) ?? fail("execution.input: no routing");
  return { ...file, commands, dir, routing };
}

type ReadText = (name: string, field: string) => Promise<string>;

async function resolveFiles(commands: ScenarioCommands, readText: ReadText, fail: (message: string, cause?: unknown) => never): Promise<ScenarioCommands> {
  const resolveOne = async <T extends CommandOutput>(answer: T, field: string): Promise<T> => {
    if (answer.file === undefined) return answer;
    const text = await readText(answer.file, field);
    if (answer.format !== "json") return { ...answer, text, file: undefined };
    try {
      return { ...answer, output: JSON.parse(text) as unknown, file: undefined, format: undefined };
    } catch (error) {
      return fail(`${field}: "${answer.file}" is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
    }
  };
  const resolved: Record<string, unknown> = {};
  for (const [command, value] of Object.entries(commands)) {
    if (Array.isArray(value)) {
      resolved[command] = await Promise.all(value.map((a, i) => resolveOne(a, `commands.${command}.${i}.file`)));
    } else if (isSingleAnswer(value)) {
      resolved[command] = await resolveOne(value, `commands.${command}.file`);
    } else {
      const pods = Object.entries(value as Record<string, CommandOutput>);
      resolved[command] = Object.fromEntries(
        await Promise.all(pods.map(async ([pod, a]) => [pod, await resolveOne(a, `commands.${command}.${pod}.file`)] as const)),
      );
    }
  }
  return resolved as ScenarioCommands;
}

function isSingleAnswer(value: unknown): value is CommandOutput {
  return typeof value === "object" && value !== null && "status" in value;
}

function assertUnique(scenarios: ScenarioFile[] & Scenario[]): void {
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    for (const key of [`execution ${s.execution.workflowId.toLowerCase()}`, `task domain ${s.routing.taskDomain}`]) {
      const other = seen.get(key);
      if (other) throw new OncallError("scenario_invalid", `scenario ${s.id}: ${key} is also used by ${other}`);
      seen.set(key, s.id);
    }
  }
}

// `npm run smoke -- <execution-id|URL>`: live, LLM-free check of reading an execution and
// dispatching read-only commands. Exit 0 all passed, 1 a check failed, 2 configuration/usage.
import { smokeCommand } from "../src/cli/commands/smoke.ts";
import { processIo } from "../src/cli/io.ts";
import { EXIT, OncallError } from "../src/lib/errors.ts";

try {
  process.exitCode = await smokeCommand({ execution: process.argv[2] }, processIo());
} catch (error) {
  // Expected failures (configuration, usage) print their message only; anything else keeps its stack.
  const text = error instanceof OncallError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`smoke: ${text}\n`);
  process.exitCode = error instanceof OncallError ? error.exitCode : EXIT.failure;
}

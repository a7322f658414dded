import { createInterface } from "node:readline";
import { EXIT, UsageError, errorMessage } from "../../lib/errors.ts";
import { checkSql } from "../../tools/sql/index.ts";
import { readAll, type CliIo } from "../io.ts";

export interface CheckSqlOptions {
  /** The query; read from stdin when undefined (and not in batch mode). */
  query: string | undefined;
  /** stdin holds one JSON string per line; one JSON verdict per line goes to stdout. */
  batch: boolean;
}

/**
 * `check-sql`: prints `allowed` or `rejected: <reason>`; 0 when allowed, 1 when rejected.
 * With `--batch`: 0 when all allowed, 1 when any rejected, 2 when any line was not a JSON string.
 */
export async function checkSqlCommand(options: CheckSqlOptions, io: CliIo): Promise<number> {
  if (options.batch) {
    if (options.query !== undefined) throw new UsageError("check-sql --batch reads the queries from stdin: pass no query argument");
    return checkBatch(io);
  }
  const query = options.query ?? (await readQueryFromStdin(io));
  const verdict = await checkSql(query);
  io.stdout.write(verdict.allowed ? "allowed\n" : `rejected: ${verdict.reason}\n`);
  return verdict.allowed ? EXIT.ok : EXIT.failure;
}

async function readQueryFromStdin(io: CliIo): Promise<string> {
  if (io.stdin.isTTY === true) throw new UsageError("check-sql needs a query: pass it as an argument or pipe it on stdin");
  return readAll(io.stdin);
}

/**
 * Reads stdin line by line and answers each line as it arrives (so it also works as a
 * long-running coprocess). Blank lines are skipped and get no output line; line numbers in
 * errors count every input line, blank ones included.
 */
async function checkBatch(io: CliIo): Promise<number> {
  let anyRejected = false;
  let anyBadLine = false;
  let lineNumber = 0;
  for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (line.trim() === "") continue;
    const query = parseJsonString(line);
    if (typeof query !== "string") {
      anyBadLine = true;
      io.stdout.write(`${JSON.stringify({ allowed: false, reason: null, error: `line ${lineNumber} is not a JSON string: ${query.error}` })}\n`);
      continue;
    }
    const verdict = await checkSql(query);
    anyRejected ||= !verdict.allowed;
    io.stdout.write(`${JSON.stringify({ allowed: verdict.allowed, reason: verdict.reason })}\n`);
  }
  if (anyBadLine) return EXIT.usage;
  return anyRejected ? EXIT.failure : EXIT.ok;
}

function parseJsonString(line: string): string | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: errorMessage(error) };
  }
  if (typeof value === "string") return value;
  return { error: `got ${value === null ? "null" : Array.isArray(value) ? "an array" : typeof value}` };
}

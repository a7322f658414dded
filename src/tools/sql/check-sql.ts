import { hasSqlDetails, loadModule, parseSync, scanSync, type ScanToken } from "libpg-query";
import { BUILTIN_SETTINGS } from "./allow-list.ts";
import { inspectTree } from "./find-unsafe-node.ts";
import { FILTERED_PG_SETTINGS, whySettingIsSecret } from "./sensitive.ts";

export type SqlVerdict =
  | {
      allowed: true;
      reason: null;
      /** What to send: SELECTs wrapped in `SELECT * FROM (…) q LIMIT n`, pg_settings filtered. */
      sql: string;
      /** The rows carry other sessions' SQL text: mask its string literals before they go anywhere. */
      masksLiterals: boolean;
    }
  | { allowed: false; reason: string };

export interface CheckSqlOptions {
  /** Most rows the server returns for a SELECT (default 1,000). */
  rowLimit?: number;
}

/** Longer input is rejected before parsing: diagnostic reads are short, and it bounds parse time. */
export const MAX_SQL_LENGTH = 10_000;
const DEFAULT_ROW_LIMIT = 1_000;

const KEYWORD_BY_NODE: Readonly<Record<string, string>> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
};

let loading: Promise<void> | undefined;

/** Loads the parser's wasm module once; a failed load is retried on the next call. */
function ensureParserLoaded(): Promise<void> {
  loading ??= loadModule().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * Decides whether `query` is exactly one read-only statement — SELECT (also TABLE and VALUES),
 * WITH of read-only parts, SHOW, or EXPLAIN without ANALYZE of a SELECT — that names only
 * built-in read-only functions, operators and types, no secret relation or setting, and builds
 * nothing unbounded; and says what to send. Uses the real PostgreSQL parser, so keywords inside
 * strings, comments and quoted identifiers are never mistaken for statements.
 */
export async function checkSql(query: string, options: CheckSqlOptions = {}): Promise<SqlVerdict> {
  await ensureParserLoaded();
  return checkLoadedSql(query, options.rowLimit ?? DEFAULT_ROW_LIMIT);
}

function checkLoadedSql(query: string, rowLimit: number): SqlVerdict {
  if (query.length > MAX_SQL_LENGTH) {
    return reject(`query is ${query.length.toLocaleString("en-US")} characters; the limit is ${MAX_SQL_LENGTH.toLocaleString("en-US")}`);
  }
  // The parser reads a C string: everything after a NUL would be invisible to it.
  if (query.includes("\0")) return reject("query contains a NUL character");
  if (query.trim() === "") return reject("empty query: no SQL statement");

  let statements: { stmt?: unknown; stmt_location?: number; stmt_len?: number }[];
  let tokens: ScanToken[];
  try {
    statements = (parseSync(query) as { stmts?: typeof statements }).stmts ?? [];
    tokens = scanSync(query).tokens;
  } catch (error) {
    return reject(describeParseError(error, query));
  }
  if (statements.length === 0) return reject("empty query: no SQL statement (only comments or semicolons)");
  if (statements.length > 1) return reject(`${statements.length} statements; only one is allowed`);

  const ambiguous = findAmbiguousString(tokens);
  if (ambiguous !== null) return reject(ambiguous);

  const statement = statements[0]!;
  const [type, body] = readNode(statement.stmt);
  const bytes = Buffer.from(query, "utf8");
  const start = statement.stmt_location ?? 0;
  const text = bytes.subarray(start, statement.stmt_len ? start + statement.stmt_len : bytes.length);
  if (type === "VariableShowStmt") return checkShow(body, text.toString("utf8"));
  if (type === "ExplainStmt") return checkExplain(body, text, start, tokens);
  if (type === "SelectStmt") return finish(inspectTree(statement.stmt), text, start, tokens, { wrap: rowLimit });
  const keyword = KEYWORD_BY_NODE[type] ?? firstKeyword(tokens);
  return reject(`only SELECT, WITH, SHOW or EXPLAIN are allowed (got ${type} / ${keyword})`);
}

function checkShow(body: unknown, text: string): SqlVerdict {
  const name = String((body as { name?: unknown }).name ?? "");
  if (name === "all") return reject("SHOW ALL lists settings that hold secrets; read pg_settings (filtered) instead");
  const why = whySettingIsSecret(name, BUILTIN_SETTINGS);
  if (why !== null) return reject(`setting ${name} may not be read: it ${why}`);
  return { allowed: true, reason: null, sql: text.trim(), masksLiterals: false };
}

function checkExplain(body: unknown, text: Buffer, start: number, tokens: ScanToken[]): SqlVerdict {
  const { options = [], query } = body as { options?: unknown[]; query?: unknown };
  for (const option of options) {
    const name = (readNode(option)[1] as { defname?: unknown } | undefined)?.defname;
    // Any ANALYZE, even `ANALYZE false`: one spelling rule is easier to trust than value parsing.
    if (name === "analyze" || name === "analyse") return reject("EXPLAIN ANALYZE executes the query");
  }
  const [type] = readNode(query);
  if (type !== "SelectStmt") return reject(`EXPLAIN is only allowed of a SELECT (got ${type})`);
  // Plain EXPLAIN still evaluates stable and immutable functions while planning: same checks. Its output is the plan, not rows.
  return finish(inspectTree(query), text, start, tokens, { wrap: null });
}

/**
 * Applies the findings: the rejection, or the text to send — built-in calls qualified with
 * pg_catalog (so neither a same-named user function with a better-matching signature nor, on an
 * older server that lacks the built-in, a user function of that name can be picked), pg_settings
 * filtered, SELECTs wrapped in a LIMIT.
 */
function finish(findings: ReturnType<typeof inspectTree>, text: Buffer, start: number, tokens: ScanToken[], options: { wrap: number | null }): SqlVerdict {
  if (findings.reason !== null) return reject(findings.reason);
  const edits: Edit[] = [];
  for (const call of findings.unqualifiedCalls) {
    const token = tokens.find((candidate) => candidate.start === call.location);
    if (token === undefined || unquote(token.text) !== call.name) return reject(`could not qualify the call of ${call.name} with pg_catalog`);
    edits.push({ start: call.location, end: call.location, text: "pg_catalog." });
  }
  for (const reference of findings.settings) {
    const nameToken = tokens.find((token) => token.start >= reference.location && unquote(token.text) === "pg_settings");
    if (nameToken === undefined) return reject("pg_settings can only be read in a FROM clause (… FROM pg_settings [alias])");
    edits.push({ start: reference.location, end: nameToken.end, text: `${FILTERED_PG_SETTINGS}${reference.aliased ? "" : " AS pg_settings"}` });
  }
  let sql = applyEdits(text, start, edits).trim();
  // The newlines keep a trailing `--` comment from swallowing the closing parenthesis.
  if (options.wrap !== null) sql = `SELECT * FROM (\n${sql}\n) q LIMIT ${options.wrap}`;
  // What is sent must itself be one statement (a pg_settings written as `TABLE pg_settings` would not be).
  if (!parsesAsOneStatement(sql)) return reject("the query as it would be sent does not parse; pg_settings can only be read in a FROM clause (… FROM pg_settings [alias])");
  return { allowed: true, reason: null, sql, masksLiterals: findings.readsQueryText };
}

interface Edit {
  /** Byte offsets in the whole query. */
  start: number;
  end: number;
  text: string;
}

function applyEdits(text: Buffer, offset: number, edits: readonly Edit[]): string {
  let result = text;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) {
    result = Buffer.concat([result.subarray(0, edit.start - offset), Buffer.from(edit.text, "utf8"), result.subarray(edit.end - offset)]);
  }
  return result.toString("utf8");
}

/** An identifier token as the parser names it: unquoted ones fold to lower case. */
function unquote(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replace(/""/g, '"') : text.toLowerCase();
}

function parsesAsOneStatement(sql: string): boolean {
  try {
    return ((parseSync(sql) as { stmts?: unknown[] }).stmts ?? []).length === 1;
  } catch {
    return false;
  }
}

/**
 * With `standard_conforming_strings = off` on the server, a backslash in '...' escapes the next
 * character, so an odd run of backslashes before a quote makes the server end the string
 * somewhere else than this parser does: text we read as a string could run as SQL there. Other
 * backslashes (`'\s+'`, `'HTTP (\d+)'`) only change what a string means, never where it ends.
 */
function findAmbiguousString(tokens: ScanToken[]): string | null {
  const risky = tokens.find((token) => token.tokenName === "SCONST" && /^[^eE$]/.test(token.text) && /(?<!\\)(?:\\\\)*\\'/.test(token.text));
  if (risky === undefined) return null;
  return `a backslash before a quote in a '...' string is read differently under standard_conforming_strings = off; use E'...' or $$...$$ (at ${risky.text.slice(0, 20)})`;
}

function firstKeyword(tokens: ScanToken[]): string {
  const first = tokens.find((token) => token.tokenName !== "SQL_COMMENT" && token.tokenName !== "C_COMMENT");
  return first === undefined ? "?" : first.text.toUpperCase();
}

/** A parse-tree node is `{TypeName: body}`; returns the type name and the body. */
function readNode(node: unknown): [string, unknown] {
  if (node === null || typeof node !== "object") return ["(none)", undefined];
  const entry = Object.entries(node)[0];
  return entry === undefined ? ["(none)", undefined] : entry;
}

function describeParseError(error: unknown, query: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!hasSqlDetails(error) || error.sqlDetails === undefined) return `the SQL parser rejected the query: ${message}`;
  // The parser counts code points (not UTF-16 units) from 0.
  const before = Array.from(query).slice(0, error.sqlDetails.cursorPosition).join("");
  const lines = before.split("\n");
  const column = (lines.at(-1)?.length ?? 0) + 1;
  return `the SQL parser rejected the query: ${message} (line ${lines.length}, column ${column})`;
}

function reject(reason: string): SqlVerdict {
  return { allowed: false, reason };
}

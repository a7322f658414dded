import { hasSqlDetails, loadModule, parseSync, scanSync, type ScanToken } from "libpg-query";
import { findUnsafeNode } from "./find-unsafe-node.ts";

export type SqlVerdict = { allowed: true; reason: null } | { allowed: false; reason: string };

/** Longer input is rejected before parsing: diagnostic reads are short, and it bounds parse time. */
export const MAX_SQL_LENGTH = 10_000;

const ALLOWED: SqlVerdict = { allowed: true, reason: null };
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
 * Decides whether `query` is exactly one read-only statement: SELECT (also TABLE and VALUES,
 * which are SELECTs to the parser), WITH of read-only parts, SHOW, or EXPLAIN without ANALYZE of
 * a SELECT, calling no function with side effects. Uses the real PostgreSQL parser, so keywords
 * inside strings, comments and quoted identifiers are never mistaken for statements.
 */
export async function checkSql(query: string): Promise<SqlVerdict> {
  await ensureParserLoaded();
  return checkLoadedSql(query);
}

function checkLoadedSql(query: string): SqlVerdict {
  if (query.length > MAX_SQL_LENGTH) {
    return reject(`query is ${query.length.toLocaleString("en-US")} characters; the limit is ${MAX_SQL_LENGTH.toLocaleString("en-US")}`);
  }
  // The parser reads a C string: everything after a NUL would be invisible to it.
  if (query.includes("\0")) return reject("query contains a NUL character");
  if (query.trim() === "") return reject("empty query: no SQL statement");

  let statements: unknown[];
  let tokens: ScanToken[];
  try {
    statements = (parseSync(query) as { stmts?: unknown[] }).stmts ?? [];
    tokens = scanSync(query).tokens;
  } catch (error) {
    return reject(describeParseError(error, query));
  }
  if (statements.length === 0) return reject("empty query: no SQL statement (only comments or semicolons)");
  if (statements.length > 1) return reject(`${statements.length} statements; only one is allowed`);

  const ambiguous = findAmbiguousString(tokens);
  if (ambiguous !== null) return reject(ambiguous);

  const node = (statements[0] as { stmt?: unknown }).stmt;
  const [type, body] = readNode(node);
  if (type === "SelectStmt") return verdictOf(findUnsafeNode(node));
  if (type === "VariableShowStmt") return ALLOWED;
  if (type === "ExplainStmt") return checkExplain(body);
  const keyword = KEYWORD_BY_NODE[type] ?? firstKeyword(tokens);
  return reject(`only SELECT, WITH, SHOW or EXPLAIN are allowed (got ${type} / ${keyword})`);
}

function checkExplain(body: unknown): SqlVerdict {
  const { options = [], query } = body as { options?: unknown[]; query?: unknown };
  for (const option of options) {
    const name = (readNode(option)[1] as { defname?: unknown } | undefined)?.defname;
    // Any ANALYZE, even `ANALYZE false`: one spelling rule is easier to trust than value parsing.
    if (name === "analyze" || name === "analyse") return reject("EXPLAIN ANALYZE executes the query");
  }
  const [type] = readNode(query);
  if (type !== "SelectStmt") return reject(`EXPLAIN is only allowed of a SELECT (got ${type})`);
  return verdictOf(findUnsafeNode(query));
}

/**
 * With `standard_conforming_strings = off` on the server, a backslash in '...' escapes the quote,
 * so the server would end the string somewhere else than this parser does: text we read as a
 * string could run as SQL there. E'...' and $$...$$ mean the same thing under both settings.
 */
function findAmbiguousString(tokens: ScanToken[]): string | null {
  const risky = tokens.find((token) => token.tokenName === "SCONST" && /^[^eE$]/.test(token.text) && token.text.includes("\\"));
  if (risky === undefined) return null;
  return `a backslash in a '...' string is read differently under standard_conforming_strings = off; use E'...' or $$...$$ (at ${risky.text.slice(0, 20)})`;
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

function verdictOf(reason: string | null): SqlVerdict {
  return reason === null ? ALLOWED : reject(reason);
}

function reject(reason: string): SqlVerdict {
  return { allowed: false, reason };
}

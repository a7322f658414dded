import { findForbiddenFunction } from "./forbidden-functions.ts";

const DATA_MODIFYING: Readonly<Record<string, string>> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
};

const LOCK_STRENGTHS: Readonly<Record<string, string>> = {
  LCS_FORUPDATE: "FOR UPDATE",
  LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
  LCS_FORSHARE: "FOR SHARE",
  LCS_FORKEYSHARE: "FOR KEY SHARE",
};

/**
 * Walks a libpg-query parse tree generically (every object and array, whatever clause it sits
 * in) and returns the first unsafe construct as a rejection reason, or null. Walking everything
 * instead of listing clause positions means a new place a function can hide (ROWS FROM,
 * TABLESAMPLE, LATERAL, a window frame...) is covered without knowing about it.
 */
export function findUnsafeNode(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const item of node) {
      const reason = findUnsafeNode(item);
      if (reason !== null) return reason;
    }
    return null;
  }
  if (node === null || typeof node !== "object") return null;
  for (const [key, value] of Object.entries(node)) {
    const reason = inspectKey(key, value) ?? findUnsafeNode(value);
    if (reason !== null) return reason;
  }
  return null;
}

function inspectKey(key: string, value: unknown): string | null {
  if (key === "FuncCall") return inspectFuncCall(value);
  if (key === "ColumnRef") return inspectAttributeNotation(readStrings(value, "fields").slice(1));
  if (key === "A_Indirection") return inspectAttributeNotation(readStrings(value, "indirection"));
  // The field is only present when the query has an INTO clause.
  if (key === "intoClause") return "SELECT INTO creates a table";
  if (key === "LockingClause") {
    const strength = readString(value, "strength");
    return `${(strength !== null && LOCK_STRENGTHS[strength]) || "FOR UPDATE/SHARE"} takes row locks`;
  }
  const modifying = DATA_MODIFYING[key];
  if (modifying !== undefined) return `data-modifying CTE (${modifying}) is not allowed`;
  if (key.endsWith("Stmt") && key !== "SelectStmt") return `nested ${key} is not allowed`;
  return null;
}

function inspectFuncCall(value: unknown): string | null {
  const parts = readFuncName(value);
  const last = parts?.at(-1);
  if (parts === null || last === undefined) return "a function call whose name cannot be read is not allowed";
  const why = findForbiddenFunction(last);
  if (why === null) return null;
  return `function ${parts.map((part) => part.toLowerCase()).join(".")} is not allowed (${why})`;
}

/**
 * Postgres reads `w.f` and `(w).f` as `f(w)` when no column f exists and f takes w's row type,
 * so a forbidden name in field position is rejected too (no real column is named like them).
 */
function inspectAttributeNotation(fields: string[]): string | null {
  for (const field of fields) {
    const why = findForbiddenFunction(field);
    if (why !== null) return `attribute notation .${field.toLowerCase()} can call function ${field.toLowerCase()}, which is not allowed (${why})`;
  }
  return null;
}

/** The `sval`s of the `{String: {sval}}` items of a list field; other items are skipped. */
function readStrings(value: unknown, key: string): string[] {
  const list = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const sval = item !== null && typeof item === "object" && "String" in item ? readString(item.String, "sval") : null;
    return sval === null ? [] : [sval];
  });
}

/** `funcname` is a list of `{String: {sval}}` nodes: `["pg_catalog", "pg_sleep"]`. */
function readFuncName(value: unknown): string[] | null {
  if (value === null || typeof value !== "object" || !("funcname" in value) || !Array.isArray(value.funcname)) return null;
  const parts: string[] = [];
  for (const item of value.funcname as unknown[]) {
    const sval = item !== null && typeof item === "object" && "String" in item ? readString(item.String, "sval") : null;
    if (sval === null) return null;
    parts.push(sval);
  }
  return parts;
}

function readString(value: unknown, key: string): string | null {
  if (value === null || typeof value !== "object" || !(key in value)) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" ? field : null;
}

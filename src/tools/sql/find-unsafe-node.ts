import { BUILTIN_SETTINGS, isBuiltinFunction, isKnownField, whyFunctionIsNotCallable, whyOperatorIsNotAllowed, whyTypeIsNotAllowed } from "./allow-list.ts";
import { whyCallIsUnbounded } from "./bounded-calls.ts";
import { QUERY_TEXT_FUNCTIONS, QUERY_TEXT_RELATIONS, SECRET_RELATIONS, whySettingIsSecret } from "./sensitive.ts";

type Node = Record<string, unknown>;

/** Where pg_settings is read, so it can be replaced by its filtered form. */
export interface SettingsReference {
  /** Byte offset of the relation name (its schema, when qualified). */
  location: number;
  aliased: boolean;
}

export interface TreeFindings {
  /** The first unsafe construct, or null. */
  reason: string | null;
  /** The query reads other sessions' SQL text (pg_stat_activity, pg_stat_statements). */
  readsQueryText: boolean;
  settings: SettingsReference[];
  /** Byte offsets of calls written without a schema, to be sent as `pg_catalog.name(…)`. */
  unqualifiedCalls: { location: number; name: string }[];
}

const DATA_MODIFYING: Readonly<Record<string, string>> = { InsertStmt: "INSERT", UpdateStmt: "UPDATE", DeleteStmt: "DELETE", MergeStmt: "MERGE" };
const LOCK_STRENGTHS: Readonly<Record<string, string>> = {
  LCS_FORUPDATE: "FOR UPDATE",
  LCS_FORNOKEYUPDATE: "FOR NO KEY UPDATE",
  LCS_FORSHARE: "FOR SHARE",
  LCS_FORKEYSHARE: "FOR KEY SHARE",
};
/** A_Expr kinds whose `name` is a keyword, not an operator looked up by name. */
const KEYWORD_EXPRS = new Set(["AEXPR_BETWEEN", "AEXPR_NOT_BETWEEN", "AEXPR_BETWEEN_SYM", "AEXPR_NOT_BETWEEN_SYM"]);
const SAMPLE_METHODS = new Set(["bernoulli", "system"]);

/** Which names `q.f` may use: q bound to a table (any column could be missing) or to a derived relation with known outputs. */
interface Scope {
  tables: Set<string>;
  derived: Map<string, Set<string>>;
}

/**
 * Walks a libpg-query parse tree generically (every object and array, whatever clause it sits
 * in) and reports the first construct outside the allow-lists. Walking everything instead of
 * listing clause positions means a new place a function can hide is covered without knowing it.
 */
export function inspectTree(root: unknown): TreeFindings {
  const findings: TreeFindings = { reason: null, readsQueryText: false, settings: [], unqualifiedCalls: [] };
  const scope = collectScope(root);
  const visit = (node: unknown): string | null => {
    if (Array.isArray(node)) {
      for (const item of node) {
        const reason = visit(item);
        if (reason !== null) return reason;
      }
      return null;
    }
    if (node === null || typeof node !== "object") return null;
    for (const [key, value] of Object.entries(node)) {
      const reason = inspectKey(key, value as Node, scope, findings) ?? visit(value);
      if (reason !== null) return reason;
    }
    return null;
  };
  findings.reason = visit(root);
  return findings;
}

function inspectKey(key: string, value: Node, scope: Scope, findings: TreeFindings): string | null {
  switch (key) {
    case "FuncCall":
      return inspectFuncCall(value, findings);
    case "ColumnRef":
      return inspectColumnRef(value, scope);
    case "A_Indirection":
      return inspectIndirection(value, scope);
    case "RangeVar":
      return inspectRelation(value, findings);
    case "TypeName":
    case "typeName":
      return value.pct_type ? "%TYPE is not allowed" : whyTypeIsNotAllowed(strings(value.names));
    case "A_Expr":
      return (KEYWORD_EXPRS.has(String(value.kind)) ? null : whyOperatorIsNotAllowed(strings(value.name))) ?? inspectRowOperands(value, scope);
    case "SubLink":
      return Array.isArray(value.operName) ? whyOperatorIsNotAllowed(strings(value.operName)) : null;
    case "SortBy":
      return Array.isArray(value.useOp) ? whyOperatorIsNotAllowed(strings(value.useOp)) : null;
    case "RangeTableSample": {
      const method = strings(value.method).join(".");
      return SAMPLE_METHODS.has(method) ? null : `TABLESAMPLE ${method} is not allowed (only BERNOULLI and SYSTEM)`;
    }
    case "withClause":
      return value.recursive ? "WITH RECURSIVE is not allowed: its size is not bounded (use generate_series with literal bounds)" : null;
    // The field is only present when the query has an INTO clause.
    case "intoClause":
      return "SELECT INTO creates a table";
    case "LockingClause": {
      const strength = typeof value.strength === "string" ? LOCK_STRENGTHS[value.strength] : undefined;
      return `${strength ?? "FOR UPDATE/SHARE"} takes row locks`;
    }
    default: {
      const modifying = DATA_MODIFYING[key];
      if (modifying !== undefined) return `data-modifying CTE (${modifying}) is not allowed`;
      if (key.endsWith("Stmt") && key !== "SelectStmt") return `nested ${key} is not allowed`;
      return null;
    }
  }
}

function inspectFuncCall(value: Node, findings: TreeFindings): string | null {
  const parts = strings(value.funcname);
  const name = parts.at(-1);
  if (name === undefined || parts.length !== (value.funcname as unknown[]).length) return "a function call whose name cannot be read is not allowed";
  const shown = parts.join(".");
  const why = whyFunctionIsNotCallable(parts);
  if (why !== null) return `function ${shown} is not allowed: ${why}`;
  const args = Array.isArray(value.args) ? value.args : [];
  if (QUERY_TEXT_FUNCTIONS.includes(name)) findings.readsQueryText = true;
  if (parts.length === 1 && isBuiltinFunction(name) && typeof value.location === "number") findings.unqualifiedCalls.push({ location: value.location, name });
  if (name === "current_setting") return inspectSettingRead(args[0]);
  const unbounded = whyCallIsUnbounded(name, args);
  return unbounded === null ? null : `${shown}: ${unbounded}`;
}

function inspectSettingRead(arg: unknown): string | null {
  const sval = ((((arg as Node | undefined)?.A_Const as Node | undefined)?.sval) as Node | undefined)?.sval;
  if (typeof sval !== "string") return "current_setting needs a literal setting name";
  const why = whySettingIsSecret(sval, BUILTIN_SETTINGS);
  return why === null ? null : `setting ${sval} may not be read: it ${why}`;
}

/** Postgres reads `q.f` as `f(q)` when q has no column f: f must be a known column or a callable function. */
function inspectColumnRef(value: Node, scope: Scope): string | null {
  const fields = Array.isArray(value.fields) ? (value.fields as Node[]) : [];
  const last = fields.at(-1);
  if (fields.length < 2 || last === undefined || "A_Star" in last) return null;
  const names = strings(fields);
  const field = names.at(-1);
  const qualifier = names.at(-2);
  if (field === undefined || names.length !== fields.length) return "a column reference that cannot be read is not allowed";
  if (isKnownField(field)) return null;
  if (fields.length === 2 && qualifier !== undefined && !scope.tables.has(qualifier) && scope.derived.get(qualifier)?.has(field)) return null;
  return describeUnknownField(names.join("."), field, qualifier ?? "?");
}

function inspectIndirection(value: Node, scope: Scope): string | null {
  const arg = (value.arg as Node | undefined)?.ColumnRef as Node | undefined;
  const argFields = strings(arg?.fields);
  const qualifier = argFields.length === 1 ? argFields[0] : undefined;
  const fields = Array.isArray(value.indirection) ? (value.indirection as Node[]).filter((item) => "String" in item) : [];
  for (const [index, item] of fields.entries()) {
    const field = strings([item])[0] ?? "";
    if (isKnownField(field)) continue;
    if (index === 0 && qualifier !== undefined && !scope.tables.has(qualifier) && scope.derived.get(qualifier)?.has(field)) continue;
    return describeUnknownField(`(…).${field}`, field, qualifier ?? "…");
  }
  return null;
}

/**
 * A table's row has that table's own type, for which a user may define `=` or `<`: an operator on
 * a whole row could run a user's function, so whole rows are not compared (their columns can be).
 */
function inspectRowOperands(value: Node, scope: Scope): string | null {
  for (const operand of [value.lexpr, value.rexpr]) {
    const fields = (((operand as Node | undefined)?.ColumnRef as Node | undefined)?.fields ?? []) as Node[];
    const names = strings(fields);
    const wholeRow = (fields.length === 1 && names.length === 1) || (fields.length === 2 && names.length === 1 && "A_Star" in (fields[1] ?? {}));
    if (wholeRow && scope.tables.has(names[0]!)) return `an operator on the whole row of ${names[0]} can call a user-defined operator for its row type; compare its columns`;
  }
  return null;
}

function describeUnknownField(shown: string, field: string, qualifier: string): string {
  return (
    `${shown}: ${field} is not a known column, and attribute notation calls a function ${field}(${qualifier}) when ${qualifier} has no such column ` +
    "(not a built-in read-only function); name the column unqualified or through a subquery that selects it"
  );
}

function inspectRelation(value: Node, findings: TreeFindings): string | null {
  const relname = typeof value.relname === "string" ? value.relname : "";
  const schema = typeof value.schemaname === "string" ? value.schemaname : null;
  const secret = Object.hasOwn(SECRET_RELATIONS, relname) ? SECRET_RELATIONS[relname] : undefined;
  if (secret !== undefined) return `relation ${relname} may not be read: it ${secret}`;
  if (QUERY_TEXT_RELATIONS.includes(relname)) findings.readsQueryText = true;
  if (relname === "pg_settings" && (schema === null || schema === "pg_catalog") && typeof value.location === "number") {
    findings.settings.push({ location: value.location, aliased: value.alias !== undefined });
  }
  return null;
}

/**
 * Binds every alias of the query: to a table (RangeVar) or to the output names of a subquery, CTE
 * or function. A relation name means a CTE only where that CTE is visible (its WITH encloses it,
 * and within one WITH only the CTEs listed before); anywhere else it is the table of that name.
 */
function collectScope(root: unknown): Scope {
  const scope: Scope = { tables: new Set(), derived: new Map() };
  const bind = (name: string, outputs: Iterable<string>) => {
    const set = scope.derived.get(name) ?? new Set<string>();
    for (const output of outputs) set.add(output);
    scope.derived.set(name, set);
  };
  type Ctes = ReadonlyMap<string, ReadonlySet<string>>;
  const visit = (node: unknown, ctes: Ctes): void => {
    if (Array.isArray(node)) return node.forEach((item) => visit(item, ctes));
    if (node === null || typeof node !== "object") return;
    const object = node as Node;
    const withClause = object.withClause as Node | undefined;
    if (withClause !== undefined && Array.isArray(withClause.ctes)) {
      // Each CTE sees the ones before it; the statement's body sees them all.
      const visible = new Map(ctes);
      for (const item of withClause.ctes as Node[]) {
        const cte = item.CommonTableExpr as Node | undefined;
        if (cte === undefined || typeof cte.ctename !== "string") continue;
        visit(cte.ctequery, visible);
        visible.set(cte.ctename, new Set([...outputsOf(cte.ctequery), ...strings(cte.aliascolnames)]));
      }
      for (const [key, value] of Object.entries(object)) if (key !== "withClause") visitKey(key, value, visible);
      return;
    }
    for (const [key, value] of Object.entries(object)) visitKey(key, value, ctes);
  };
  const visitKey = (key: string, value: unknown, ctes: Ctes): void => {
    const body = value as Node;
    if (key === "RangeVar") {
      const name = aliasOf(body)?.name ?? String(body.relname);
      const cte = body.schemaname === undefined ? ctes.get(String(body.relname)) : undefined;
      if (cte === undefined) scope.tables.add(name);
      else bind(name, cte);
    } else if (key === "RangeSubselect") {
      const alias = aliasOf(body);
      if (alias !== null) bind(alias.name, [...outputsOf(body.subquery), ...alias.columns]);
    } else if (key === "RangeFunction") {
      const alias = aliasOf(body);
      if (alias !== null) bind(alias.name, [alias.name, ...alias.columns, ...columnDefNames(body.coldeflist)]);
    } else if (key === "JoinExpr") {
      const alias = aliasOf(body);
      if (alias !== null) scope.tables.add(alias.name);
    }
    visit(value, ctes);
  };
  visit(root, new Map());
  return scope;
}

function aliasOf(node: Node): { name: string; columns: string[] } | null {
  const alias = node.alias as Node | undefined;
  if (alias === undefined || typeof alias.aliasname !== "string") return null;
  return { name: alias.aliasname, columns: strings(alias.colnames) };
}

function columnDefNames(list: unknown): string[] {
  return Array.isArray(list) ? list.flatMap((item: Node) => (typeof (item.ColumnDef as Node | undefined)?.colname === "string" ? [String((item.ColumnDef as Node).colname)] : [])) : [];
}

/** The column names a SELECT produces, as Postgres names them (explicit alias, else from the expression). */
function outputsOf(query: unknown): string[] {
  const select = (query as Node | undefined)?.SelectStmt as Node | undefined;
  if (select === undefined) return [];
  if (select.op !== undefined && select.op !== "SETOP_NONE") return outputsOf(select.larg === undefined ? undefined : { SelectStmt: select.larg });
  if (Array.isArray(select.valuesLists)) {
    const width = Math.max(0, ...select.valuesLists.map((row: Node) => ((row.List as Node | undefined)?.items as unknown[] | undefined)?.length ?? 0));
    return Array.from({ length: width }, (_, i) => `column${i + 1}`);
  }
  const targets = Array.isArray(select.targetList) ? (select.targetList as Node[]) : [];
  return targets.map((target) => {
    const res = target.ResTarget as Node | undefined;
    return typeof res?.name === "string" ? res.name : implicitName(res?.val);
  });
}

function implicitName(node: unknown): string {
  const value = node as Node | undefined;
  if (value?.ColumnRef) return strings((value.ColumnRef as Node).fields).at(-1) ?? "?column?";
  if (value?.FuncCall) return strings((value.FuncCall as Node).funcname).at(-1) ?? "?column?";
  if (value?.A_Indirection) return strings((value.A_Indirection as Node).indirection).at(-1) ?? "?column?";
  if (value?.TypeCast) {
    const inner = implicitName((value.TypeCast as Node).arg);
    return inner !== "?column?" ? inner : (strings(((value.TypeCast as Node).typeName as Node | undefined)?.names).at(-1) ?? "?column?");
  }
  return "?column?";
}

/** The `sval`s of the `{String: {sval}}` items of a list; other items are skipped. */
function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const sval = item !== null && typeof item === "object" && "String" in item ? ((item as Node).String as Node | undefined)?.sval : undefined;
    return typeof sval === "string" ? [sval] : [];
  });
}

import { OLDER_VOLATILE, PG_CATALOG } from "./pg-catalog.generated.ts";
import { EXCLUDED_FUNCTIONS, EXTENSION_DIAGNOSTICS, VOLATILE_DIAGNOSTICS } from "./reviewed-functions.ts";
import { EXTRA_COLUMNS } from "./known-columns.ts";

/** The PostgreSQL version the built-in lists were generated from (see scripts/generate-pg-catalog.ts). */
export const CATALOG_SERVER_VERSION = PG_CATALOG.serverVersion;
/** Every major version the lists account for: the oldest first. */
export const COVERED_SERVER_VERSIONS = [...Object.keys(OLDER_VOLATILE), PG_CATALOG.serverVersion];

/** Volatile on some covered version: a function is only as safe as its worst version. */
const VOLATILE_SOMEWHERE = new Set(Object.values(OLDER_VOLATILE).flat());

const VOLATILE = new Set(VOLATILE_DIAGNOSTICS);
const EXTENSIONS = new Set(EXTENSION_DIAGNOSTICS);
const OPERATORS = new Set(PG_CATALOG.operators);
const TYPES = new Set(PG_CATALOG.types);
export const BUILTIN_SETTINGS: ReadonlySet<string> = new Set(PG_CATALOG.settings.map((name) => name.toLowerCase()));
const KNOWN_COLUMNS = new Set([...PG_CATALOG.columns, ...EXTRA_COLUMNS]);

/**
 * Why a function (its name parts as the parser read them) may not be called, or null.
 * Callable: built-in pg_catalog functions, unqualified or `pg_catalog.`-qualified, that are stable
 * or immutable in every overload and not excluded, or are reviewed volatile diagnostics.
 */
export function whyFunctionIsNotCallable(parts: readonly string[]): string | null {
  const name = parts.at(-1) ?? "";
  const schema = parts.length > 1 ? parts.slice(0, -1).join(".") : null;
  if (schema === null && EXTENSIONS.has(name)) return null;
  if (parts.length > 2 || (schema !== null && schema !== "pg_catalog")) return "not a built-in read-only function (only pg_catalog functions may be called)";
  const volatility = Object.hasOwn(PG_CATALOG.functions, name) ? PG_CATALOG.functions[name] : undefined;
  if (volatility === undefined) return "not a built-in read-only function";
  const excluded = Object.hasOwn(EXCLUDED_FUNCTIONS, name) ? EXCLUDED_FUNCTIONS[name] : undefined;
  if (excluded !== undefined) return `not a built-in read-only function: it ${excluded}`;
  if ((volatility.includes("v") || VOLATILE_SOMEWHERE.has(name)) && !VOLATILE.has(name)) return "not a built-in read-only function (volatile, and not a reviewed read-only diagnostic)";
  return null;
}

/** True for a pg_catalog function (an extension diagnostic is not one: it lives in the extension's schema). */
export function isBuiltinFunction(name: string): boolean {
  return Object.hasOwn(PG_CATALOG.functions, name);
}

/** True for a name `alias.name` may end in without possibly calling an unknown function. */
export function isKnownField(name: string): boolean {
  return KNOWN_COLUMNS.has(name) || whyFunctionIsNotCallable([name]) === null;
}

/** Why an operator (name parts, `OPERATOR(schema.op)` included) is not allowed, or null. */
export function whyOperatorIsNotAllowed(parts: readonly string[]): string | null {
  const name = parts.at(-1) ?? "";
  if (parts.length > 1 && (parts.length > 2 || parts[0] !== "pg_catalog")) return `OPERATOR(${parts.join(".")}) is not allowed: only OPERATOR(pg_catalog.…)`;
  return OPERATORS.has(name) ? null : `operator ${name} is not a built-in operator`;
}

/** Why a type name (cast target, column definition…) is not allowed, or null. */
export function whyTypeIsNotAllowed(parts: readonly string[]): string | null {
  const name = parts.at(-1) ?? "";
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== "pg_catalog")) return `type ${parts.join(".")} is not a built-in type`;
  return TYPES.has(name) ? null : `type ${name} is not a built-in type (user-defined types, domains and casts can run functions)`;
}

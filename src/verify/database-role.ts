import type { ClusterContext, CommandRunner } from "../conductor/types.ts";
import { parseOutput } from "../tools/format-output.ts";

/**
 * What the agent's database role may do and which limits its sessions get, read through
 * SQL_CONDUCTOR as the agent sees it. One SELECT of built-in functions only (the SQL guard accepts
 * it), valid on PostgreSQL 13 and later (pg_read_all_data is looked up, not named).
 */
export const ROLE_CHECK_QUERY = `SELECT current_user AS role,
  current_setting('default_transaction_read_only') AS default_transaction_read_only,
  current_setting('statement_timeout') AS statement_timeout,
  current_setting('lock_timeout') AS lock_timeout,
  current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction_session_timeout,
  current_setting('temp_file_limit') AS temp_file_limit,
  current_setting('search_path') AS search_path,
  pg_is_in_recovery() AS in_recovery,
  r.rolsuper AS superuser, r.rolcreaterole AS createrole, r.rolcreatedb AS createdb, r.rolbypassrls AS bypassrls, r.rolreplication AS replication,
  EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'pg_read_all_data' AND pg_has_role(current_user, g.oid, 'USAGE')) AS reads_all_data,
  EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = 'pg_write_all_data' AND pg_has_role(current_user, g.oid, 'USAGE')) AS writes_all_data,
  pg_has_role(current_user, 'pg_monitor', 'USAGE') AS monitor,
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE') OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))) AS writable_tables
FROM pg_roles r WHERE r.rolname = current_user`;

/** The limits the README recommends, as `ALTER ROLE … SET` values. */
export const RECOMMENDED_SETTINGS = {
  default_transaction_read_only: "on",
  statement_timeout: "30s",
  lock_timeout: "5s",
  idle_in_transaction_session_timeout: "60s",
  temp_file_limit: "1GB",
} as const;

/** "Unset" as the server reports it: 0 for the timeouts, -1 for temp_file_limit. */
const UNSET: Record<keyof typeof RECOMMENDED_SETTINGS, (value: string) => boolean> = {
  default_transaction_read_only: (value) => value !== "on",
  statement_timeout: (value) => value === "0",
  lock_timeout: (value) => value === "0",
  idle_in_transaction_session_timeout: (value) => value === "0",
  temp_file_limit: (value) => value === "-1",
};

export interface RoleAssessment {
  role: string;
  /** One line each: what is wrong and the exact statement to run (as a role that may alter it). */
  warnings: string[];
  /** What is right, briefly. */
  summary: string;
}

/** Reads the role-check row (whatever shape SQL_CONDUCTOR returned) and says what to fix. */
export function assessDatabaseRole(output: unknown): RoleAssessment {
  const row = firstRow(output);
  if (row === null) throw new Error("the role check returned no row");
  const role = String(row.role ?? "");
  if (role === "") throw new Error("the role check returned no role name");
  const name = quoteIdent(role);
  const flag = (key: string) => row[key] === true || row[key] === "t" || row[key] === "true";
  const warnings: string[] = [];
  if (flag("superuser")) warnings.push(`role ${role} is a superuser, which no guard can contain: use a dedicated role (README, safety model), or run ALTER ROLE ${name} NOSUPERUSER;`);
  const powers = (["createrole", "createdb", "bypassrls", "replication"] as const).filter(flag);
  if (powers.length > 0) warnings.push(`role ${role} has ${powers.join(", ")}: ALTER ROLE ${name} ${powers.map((p) => `NO${p.toUpperCase()}`).join(" ")};`);
  if (flag("writes_all_data")) warnings.push(`role ${role} can write every table through pg_write_all_data: REVOKE pg_write_all_data FROM ${name};`);
  if (flag("reads_all_data")) warnings.push(`role ${role} reads every table through pg_read_all_data: REVOKE pg_read_all_data FROM ${name}; then GRANT SELECT on the Conductor tables only`);
  const writable = Number(row.writable_tables ?? 0);
  if (writable > 0 && !flag("superuser")) {
    warnings.push(`role ${role} can write ${writable} table${writable === 1 ? "" : "s"}: REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public FROM ${name}; (and in each other schema it can write)`);
  }
  for (const [setting, recommended] of Object.entries(RECOMMENDED_SETTINGS) as [keyof typeof RECOMMENDED_SETTINGS, string][]) {
    const value = String(row[setting] ?? "");
    if (UNSET[setting](value)) warnings.push(`${setting} is ${value || "unset"}: ALTER ROLE ${name} SET ${setting} = '${recommended}';`);
  }
  // Calls are sent pg_catalog-qualified, but operators resolve through search_path: pg_catalog must come first.
  const path = String(row.search_path ?? "").split(",").map((part) => part.trim().replace(/^"|"$/g, ""));
  const catalogAt = path.indexOf("pg_catalog");
  if (catalogAt > 0) warnings.push(`search_path puts ${path.slice(0, catalogAt).join(", ")} before pg_catalog, so a user's operator can shadow a built-in: ALTER ROLE ${name} SET search_path = pg_catalog, "$user", public;`);
  if (!flag("monitor")) warnings.push(`role ${role} is not in pg_monitor, so other sessions' activity is hidden: GRANT pg_monitor TO ${name};`);
  const where = flag("in_recovery") ? "on a hot standby" : "on the primary";
  const summary = warnings.length === 0 ? `database role ${role}: read-only, timeouts set, ${where}` : `database role ${role} ${where}: ${warnings.length} to fix`;
  return { role, warnings, summary };
}

/** Runs the role check through SQL_CONDUCTOR in `context`'s cluster. */
export async function checkDatabaseRole(runner: CommandRunner, context: ClusterContext, timeoutMs: number): Promise<RoleAssessment> {
  const outcome = await runner.run(context, "SQL_CONDUCTOR", { query: ROLE_CHECK_QUERY, transactional: false, expectedRowCount: null }, { timeoutMs });
  if (outcome.status !== "COMPLETED") throw new Error(`SQL_CONDUCTOR ended with status ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}`);
  return assessDatabaseRole(parseOutput(outcome.output));
}

/** The first row of a result: an array of objects, (nested) wrappers holding one, or columns + rows. */
function firstRow(output: unknown): Record<string, unknown> | null {
  if (Array.isArray(output)) return isRecord(output[0]) ? output[0] : null;
  if (!isRecord(output)) return null;
  const { columns, rows } = output;
  if (Array.isArray(columns) && Array.isArray(rows) && Array.isArray(rows[0])) {
    const names = columns.map((c: unknown) => (isRecord(c) ? String(c.name) : String(c)));
    return Object.fromEntries(names.map((column, i) => [column, (rows[0] as unknown[])[i]]));
  }
  for (const key of ["rows", "result", "results", "data", "records", "resultSet"]) {
    const inner = output[key];
    if (Array.isArray(inner) || isRecord(inner)) return firstRow(inner);
  }
  return null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

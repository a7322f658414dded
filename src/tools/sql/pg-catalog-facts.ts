/**
 * The facts the SQL guard's allow-lists are built from, read from a real PostgreSQL server:
 * built-in (pg_catalog) functions with their volatilities, operator names, type names, casts,
 * setting names and the column names of the system catalogs and views.
 */
export interface PgCatalogFacts {
  serverVersion: string;
  serverVersionNum: number;
  /** Function name → the volatilities of its overloads ("i", "s", "v"; sorted, deduplicated). */
  functions: Record<string, string>;
  operators: string[];
  types: string[];
  /** `source->target` of every cast between built-in types. */
  casts: string[];
  /** Built-in setting names (custom and extension settings contain a dot and are not listed). */
  settings: string[];
  /** Column names of pg_catalog and information_schema relations, and output names of pg_catalog functions. */
  columns: string[];
}

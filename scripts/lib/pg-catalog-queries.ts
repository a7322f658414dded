import type pg from "pg";
import type { PgCatalogFacts } from "../../src/tools/sql/pg-catalog-facts.ts";

export type { PgCatalogFacts };

const QUERIES = {
  functions: `SELECT p.proname AS name, string_agg(DISTINCT p.provolatile::text, '' ORDER BY p.provolatile::text) AS v
    FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace GROUP BY p.proname`,
  operators: `SELECT DISTINCT oprname AS name FROM pg_catalog.pg_operator WHERE oprnamespace = 'pg_catalog'::regnamespace`,
  types: `SELECT DISTINCT typname AS name FROM pg_catalog.pg_type WHERE typnamespace = 'pg_catalog'::regnamespace`,
  casts: `SELECT DISTINCT s.typname || '->' || t.typname AS name FROM pg_catalog.pg_cast c
    JOIN pg_catalog.pg_type s ON s.oid = c.castsource JOIN pg_catalog.pg_type t ON t.oid = c.casttarget
    WHERE s.typnamespace = 'pg_catalog'::regnamespace AND t.typnamespace = 'pg_catalog'::regnamespace`,
  settings: `SELECT name FROM pg_catalog.pg_settings WHERE strpos(name, '.') = 0`,
  columns: `SELECT a.attname AS name FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
    WHERE c.relnamespace IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) AND a.attnum > 0 AND NOT a.attisdropped
    UNION SELECT unnest(p.proargnames) FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proargmodes IS NOT NULL`,
} as const;

/** Reads the facts from a fresh server (no extensions installed). */
export async function readPgCatalogFacts(client: pg.Client): Promise<PgCatalogFacts> {
  const names = async (sql: string) => (await client.query<{ name: string }>(sql)).rows.map((row) => row.name).sort(byCodeUnit);
  const version = await client.query<{ v: string; n: string }>("SELECT current_setting('server_version') AS v, current_setting('server_version_num') AS n");
  const functions = await client.query<{ name: string; v: string }>(QUERIES.functions);
  return {
    serverVersion: version.rows[0]!.v.split(" ")[0]!,
    serverVersionNum: Number(version.rows[0]!.n),
    functions: Object.fromEntries(functions.rows.map((row) => [row.name, row.v]).sort(([a], [b]) => byCodeUnit(a!, b!))),
    operators: await names(QUERIES.operators),
    types: await names(QUERIES.types),
    casts: await names(QUERIES.casts),
    settings: await names(QUERIES.settings),
    columns: await names(QUERIES.columns),
  };
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

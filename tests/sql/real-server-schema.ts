import type pg from "pg";
import { EXTENSION_DIAGNOSTICS } from "../../src/tools/sql/reviewed-functions.ts";

/**
 * A Conductor-like schema, plus everything a query could use to write through a function: a
 * writing PL/pgSQL function, a SECURITY DEFINER one, one that runs SQL text, one taking a row
 * (attribute notation), a writing operator, cast, domain and aggregate — each writes to audit_log
 * (a row and a sequence step), so running any of them shows in the fingerprint — and a user
 * overload of `lower`. The operator's function claims to be IMMUTABLE, so plain EXPLAIN runs it
 * while planning. Also the extensions managed services offer (pg_stat_statements, pg_trgm,
 * pg_surgery, pageinspect, amcheck, tablefunc, dblink, pgstattuple, pg_prewarm, tsm_system_time),
 * so their functions exist for real; the server needs `shared_preload_libraries = pg_stat_statements`.
 */
export const EXTENSIONS = ["pg_stat_statements", "pg_trgm", "pg_surgery", "pageinspect", "amcheck", "tablefunc", "dblink", "pgstattuple", "pg_prewarm", "tsm_system_time"];

export const SCHEMA_SQL = `
CREATE SEQUENCE audit_id_seq;
CREATE TABLE workflow_def (name text PRIMARY KEY, version int NOT NULL, json_data jsonb NOT NULL);
CREATE TABLE meta_workflow_def (name text NOT NULL, version int NOT NULL, json_data text, PRIMARY KEY (name, version));
CREATE TABLE workflow (
  workflow_id text PRIMARY KEY, workflow_name text NOT NULL, status text NOT NULL, correlation_id text,
  json_data jsonb NOT NULL, created_on timestamptz NOT NULL, modified_on timestamptz NOT NULL);
CREATE INDEX workflow_json_idx ON workflow USING gin (json_data);
CREATE TABLE workflow_index (workflow_id text PRIMARY KEY, workflow_type text NOT NULL, status text NOT NULL);
CREATE TABLE task (
  task_id text PRIMARY KEY, workflow_id text NOT NULL REFERENCES workflow ON DELETE CASCADE, task_type text NOT NULL,
  status text NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE queue_message (
  queue_name text NOT NULL, message_id text NOT NULL, deliver_on timestamptz NOT NULL,
  popped boolean NOT NULL DEFAULT false, payload text, PRIMARY KEY (queue_name, message_id));
CREATE TABLE event_audit (
  id bigint PRIMARY KEY DEFAULT nextval('audit_id_seq'), start timestamptz, comment text,
  deleted boolean NOT NULL DEFAULT false, updated_at timestamptz, "delete" text);
CREATE TABLE t (a int, x int);
CREATE TABLE s (a int);
CREATE SEQUENCE audit_log_seq;
CREATE TABLE audit_log (id bigint DEFAULT nextval('audit_log_seq'), what text NOT NULL);

INSERT INTO workflow_def VALUES
  ('order_flow', 3, '{"tasks": ["charge", "ship"]}'), ('refund_flow', 1, '{"tasks": ["refund"]}');
INSERT INTO meta_workflow_def VALUES ('order_flow', 1, '{}'), ('order_flow', 2, '{}'), ('refund_flow', 1, '{}');
INSERT INTO workflow
  SELECT 'wf-' || i, CASE WHEN i % 3 = 0 THEN 'refund_flow' ELSE 'order_flow' END,
         (ARRAY['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT'])[1 + i % 4], 'corr-' || i,
         jsonb_build_object('status', 'RUNNING', 'tasks', jsonb_build_array(i, i + 1)),
         timestamptz '2026-01-01 00:00+00' + i * interval '7 minutes',
         timestamptz '2026-01-01 01:00+00' + i * interval '11 minutes'
  FROM generate_series(1, 40) AS i;
INSERT INTO workflow_index SELECT workflow_id, workflow_name, status FROM workflow;
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

CREATE FUNCTION note(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit_log (what) VALUES (what); END $$;
CREATE FUNCTION cleanup() RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM workflow WHERE workflow_id = (SELECT min(workflow_id) FROM workflow);
  PERFORM note('cleanup');
  PERFORM pg_advisory_lock(42);
  PERFORM pg_notify('ch', 'cleanup');
  RETURN 1;
END $$;
CREATE FUNCTION definer_cleanup() RETURNS int LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN DELETE FROM task WHERE task_id = (SELECT min(task_id) FROM task); PERFORM note('definer'); RETURN 1; END $$;
CREATE FUNCTION run_sql(q text) RETURNS int LANGUAGE plpgsql AS $$ BEGIN EXECUTE q; RETURN 1; END $$;
CREATE FUNCTION purge(w workflow) RETURNS int LANGUAGE plpgsql AS $$
BEGIN DELETE FROM workflow WHERE workflow_id = w.workflow_id; PERFORM note('purge'); RETURN 1; END $$;
CREATE FUNCTION audited_plus(a int, b int) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM note('operator'); RETURN a + b; END $$;
CREATE OPERATOR |+| (LEFTARG = int, RIGHTARG = int, FUNCTION = audited_plus);
CREATE TYPE ticket AS (n int);
CREATE FUNCTION make_ticket(n int) RETURNS ticket LANGUAGE plpgsql AS $$ BEGIN PERFORM note('cast'); RETURN ROW(n)::ticket; END $$;
CREATE CAST (int AS ticket) WITH FUNCTION make_ticket(int);
CREATE FUNCTION audit_check(v int) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM note('domain'); RETURN true; END $$;
CREATE DOMAIN audited_int AS int CHECK (audit_check(VALUE));
CREATE FUNCTION audit_step(acc int, v int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN PERFORM note('aggregate'); RETURN coalesce(acc, 0) + v; END $$;
CREATE AGGREGATE audit_sum(int) (SFUNC = audit_step, STYPE = int);
-- A writing = for the task row type: chosen over the built-in record = for whole task rows.
CREATE FUNCTION task_eq(a task, b task) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM note('row operator'); RETURN true; END $$;
CREATE OPERATOR = (LEFTARG = task, RIGHTARG = task, FUNCTION = task_eq);
-- Same name as a built-in, but a better match for a row argument than pg_catalog.lower(text).
CREATE FUNCTION lower(w workflow) RETURNS text LANGUAGE plpgsql AS $$ BEGIN PERFORM note('overload'); RETURN w.workflow_id; END $$;
`;

/** Channels the schema's functions and the case table notify on; a listener watches them. */
export const WATCHED_CHANNELS = ["ch", "alerts", "a", "x"];

const USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'";

/**
 * Everything a query could change that we can observe from the session that ran it: each
 * table's rows (count and content hash), sequence positions, the next transaction id, the
 * relation, column and function lists, the session's settings, advisory locks (any session),
 * large objects, prepared statements, cursors, LISTEN channels and user-function call counts
 * (track_functions = all; the session's pending counts are flushed first).
 */
export async function fingerprint(client: pg.Client): Promise<Record<string, unknown>> {
  const rows = async (sql: string) => (await client.query(sql)).rows;
  const relations = await rows(
    `SELECT n.nspname, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} ORDER BY 1, 2`,
  );
  const result: Record<string, unknown> = { relations };
  for (const { nspname, relname, relkind } of relations as { nspname: string; relname: string; relkind: string }[]) {
    const name = `${quoteIdent(nspname)}.${quoteIdent(relname)}`;
    if (relkind === "r") {
      result[`rows ${name}`] = await rows(`SELECT count(*)::int AS n, md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) AS hash FROM ${name} r`);
    } else if (relkind === "S") {
      result[`sequence ${name}`] = await rows(`SELECT last_value::text, is_called FROM ${name}`);
    }
  }
  result.nextXid = await rows("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xid");
  result.columns = await rows(
    `SELECT table_schema, table_name, column_name, data_type, column_default FROM information_schema.columns
     WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2, 3`,
  );
  result.functions = await rows(`SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS} ORDER BY 1`);
  result.settings = await rows("SELECT md5(string_agg(name || '=' || coalesce(setting, ''), ',' ORDER BY name)) AS hash FROM pg_settings");
  result.advisoryLocks = await rows("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'");
  result.largeObjects = await rows("SELECT count(*)::int AS n FROM pg_largeobject_metadata");
  result.prepared = await rows("SELECT name FROM pg_prepared_statements ORDER BY 1");
  result.cursors = await rows("SELECT name FROM pg_cursors ORDER BY 1");
  result.channels = await rows("SELECT pg_listening_channels() AS channel ORDER BY 1");
  // PostgreSQL 15+ flushes a session's pending counts on request; older servers send them within 0.5 s.
  const [{ flush }] = (await rows("SELECT to_regproc('pg_stat_force_next_flush') IS NOT NULL AS flush")) as [{ flush: boolean }];
  if (flush) await client.query("SELECT pg_stat_force_next_flush()");
  else await client.query("SELECT pg_sleep(0.7)");
  await client.query("SELECT pg_stat_clear_snapshot()");
  // The reviewed extension diagnostics (pg_stat_statements) are the calls the guard lets through on purpose.
  const reviewed = EXTENSION_DIAGNOSTICS.map((name) => `'${name}'`).join(", ");
  result.functionCalls = await rows(`SELECT funcname, calls::int FROM pg_stat_user_functions WHERE funcname NOT IN (${reviewed}) ORDER BY 1`);
  return result;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

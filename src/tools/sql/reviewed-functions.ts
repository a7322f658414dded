/**
 * The reviewed parts of the function allow-list. The generated catalog says which built-in
 * (pg_catalog) functions exist and how volatile they are; volatility alone is wrong both ways, so:
 * stable/immutable built-ins are callable except EXCLUDED_FUNCTIONS, volatile ones only when in
 * VOLATILE_DIAGNOSTICS. Add a name only after reading what it does on every supported version.
 */

/** Stable or immutable built-ins that still must not run: what they do, not how the planner sees them. */
export const EXCLUDED_FUNCTIONS: Readonly<Record<string, string>> = {
  txid_current: "assigns a transaction id",
  pg_current_xact_id: "assigns a transaction id",
  table_to_xml: "reads a whole table",
  table_to_xmlschema: "reads a whole table",
  table_to_xml_and_xmlschema: "reads a whole table",
  schema_to_xml: "reads every table of a schema",
  schema_to_xmlschema: "reads every table of a schema",
  schema_to_xml_and_xmlschema: "reads every table of a schema",
  database_to_xml: "reads every table of the database",
  database_to_xmlschema: "reads every table of the database",
  database_to_xml_and_xmlschema: "reads every table of the database",
  ts_rewrite: "runs SQL text",
  pg_show_all_settings: "lists settings that hold secrets (read pg_settings, which is filtered)",
  pg_input_is_valid: "runs the input function and checks of a type named in text (user-defined domains too)",
  pg_input_error_info: "runs the input function and checks of a type named in text (user-defined domains too)",
  pg_get_backend_memory_contexts: "dumps the session's memory contexts, not a diagnostic the triage needs",
};

/** Volatile built-ins that only read: sizes, replication and WAL positions, locks, clocks. */
export const VOLATILE_DIAGNOSTICS: readonly string[] = [
  "clock_timestamp",
  "timeofday",
  "random",
  "pg_blocking_pids",
  "pg_safe_snapshot_blocking_pids",
  "pg_total_relation_size",
  "pg_relation_size",
  "pg_table_size",
  "pg_indexes_size",
  "pg_database_size",
  "pg_tablespace_size",
  "pg_is_in_recovery",
  "pg_last_xact_replay_timestamp",
  "pg_current_wal_lsn",
  "pg_current_wal_insert_lsn",
  "pg_current_wal_flush_lsn",
  "pg_last_wal_receive_lsn",
  "pg_last_wal_replay_lsn",
  "pg_is_wal_replay_paused",
  "pg_get_wal_replay_pause_state",
  "pg_ls_waldir",
  "pg_ls_archive_statusdir",
  "pg_lock_status",
  "pg_control_checkpoint",
  "pg_control_system",
  "pg_control_recovery",
  "pg_control_init",
  "pg_jit_available",
  "pg_notification_queue_usage",
  "pg_partition_tree",
  "pg_partition_ancestors",
  "pg_xact_status",
  "txid_status",
  "pg_last_committed_xact",
  "pg_xact_commit_timestamp",
  "pg_get_wait_events",
  "pg_get_shmem_allocations",
  "pg_stat_get_io",
  "pg_stat_get_recovery_prefetch",
  "pg_stat_have_stats",
  "current_query",
  // `x AT TIME ZONE 'UTC'`: one overload was volatile up to PostgreSQL 14 (it reads the current date), never a writer.
  "timezone",
];

/**
 * Extension functions (not in pg_catalog) that are read-only diagnostics. Everything else outside
 * pg_catalog — cron.schedule, pg_background_*, aws_s3.*, dblink, heap_force_kill — is not callable.
 */
export const EXTENSION_DIAGNOSTICS: readonly string[] = ["pg_stat_statements"];

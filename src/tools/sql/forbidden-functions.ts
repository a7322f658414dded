/**
 * Functions a diagnostic SELECT must never call, grouped by why. Matched on the unqualified name,
 * lower-cased (so `pg_catalog.pg_sleep` and `"PG_SLEEP"` match too): an exact name or a prefix.
 * Erring towards rejecting: a read the model needs can always be written without these.
 */
export interface ForbiddenFamily {
  /** Short reason shown in the rejection: `function pg_sleep is not allowed (sleeps)`. */
  why: string;
  names?: readonly string[];
  prefixes?: readonly string[];
}

export const FORBIDDEN_FUNCTION_FAMILIES: readonly ForbiddenFamily[] = [
  { why: "sleeps", prefixes: ["pg_sleep"] },
  {
    why: "signals or stops other sessions",
    names: ["pg_terminate_backend", "pg_cancel_backend", "pg_signal_backend", "pg_log_backend_memory_contexts"],
  },
  { why: "changes settings", names: ["set_config", "pg_reload_conf"] },
  { why: "advances or sets a sequence", names: ["nextval", "setval"] },
  { why: "assigns a transaction id", names: ["txid_current", "pg_current_xact_id"] },
  { why: "takes advisory locks", prefixes: ["pg_advisory", "pg_try_advisory"] },
  { why: "sends a notification", names: ["pg_notify"] },
  {
    why: "reads or writes server files",
    names: ["pg_stat_file", "pg_logdir_ls", "pg_current_logfile", "xslt_process"],
    prefixes: ["pg_read_", "pg_ls_", "pg_file_"],
  },
  {
    why: "reads or writes large objects / server files",
    names: ["loread", "lowrite"],
    prefixes: ["lo_"],
  },
  {
    why: "executes SQL text",
    names: ["ts_stat", "ts_rewrite", "connectby", "xpath_table"],
    prefixes: ["query_to_xml", "cursor_to_xml", "table_to_xml", "schema_to_xml", "database_to_xml", "crosstab"],
  },
  { why: "connects to another database", prefixes: ["dblink", "postgres_fdw_"] },
  {
    why: "administers the server (WAL, logs, backup, replication, recovery)",
    names: ["pg_rotate_logfile", "pg_rotate_logfile_old", "pg_promote", "pg_start_backup", "pg_stop_backup", "pg_log_standby_snapshot"],
    prefixes: [
      "pg_switch_",
      "pg_create_",
      "pg_drop_",
      "pg_copy_",
      "pg_logical_",
      "pg_replication_",
      "pg_backup_",
      "pg_wal_replay_",
      "pg_sync_replication_",
    ],
  },
  {
    why: "resets statistics",
    prefixes: ["pg_stat_reset", "pg_stat_statements_reset"],
  },
  {
    why: "modifies catalogs, statistics, indexes or caches",
    names: [
      "pg_import_system_collations",
      "gin_clean_pending_list",
      "brin_summarize_new_values",
      "brin_summarize_range",
      "brin_desummarize_range",
      "pg_truncate_visibility_map",
      "pg_prewarm",
      "pg_nextoid",
      "pg_extension_config_dump",
    ],
    prefixes: ["pg_restore_", "pg_clear_", "pg_buffercache_evict", "autoprewarm_", "binary_upgrade_"],
  },
];

/** Why a function (unqualified name, any case) is forbidden, or null when it may be called. */
export function findForbiddenFunction(name: string): string | null {
  const lower = name.toLowerCase();
  for (const family of FORBIDDEN_FUNCTION_FAMILIES) {
    if (family.names?.includes(lower)) return family.why;
    if (family.prefixes?.some((prefix) => lower.startsWith(prefix))) return family.why;
  }
  return null;
}

/**
 * Column names `alias.column` may end in besides the system catalogs' (generated): Postgres reads
 * `w.f` as `f(w)` when w has no column f, so an unknown last field could be a function call.
 */
/**
 * Column names of Conductor's PostgreSQL tables (conductor-oss postgres persistence and Orkes
 * additions), which `alias.column` may name besides the system catalogs' columns.
 */
const CONDUCTOR_COLUMNS = [
  "workflow_id", "workflow_name", "workflow_type", "workflow_version", "workflow_def", "correlation_id", "json_data",
  "created_on", "modified_on", "created_by", "updated_by", "create_time", "update_time", "start_time", "end_time",
  "status", "task_id", "task_type", "task_def_name", "task_ref_name", "reference_task_name", "task_count",
  "queue_name", "message_id", "priority", "popped", "offset_time_seconds", "deliver_on", "payload",
  "name", "version", "description", "owner_app", "date_str", "event", "event_handler_name", "active", "execution_id",
  "domain", "last_poll_time", "worker_id", "input", "output", "reason_for_incompletion", "parent_workflow_id",
  "scheduled_time", "updated_on", "updated_at", "id", "key", "value", "tags", "index_name", "doc_id", "seq", "type",
  "task_key", "task_name", "task_status", "in_progress_status", "latest_version", "event_name", "retry_count", "poll_count",
  "callback_after_seconds", "owner_email", "input_data", "output_data", "workflow_status", "created_at",
];

/** pg_stat_statements' columns (PostgreSQL 13-18): the extension is not in the generated catalog. */
const PG_STAT_STATEMENTS_COLUMNS = [
  "userid", "dbid", "toplevel", "queryid", "query", "plans", "total_plan_time", "min_plan_time", "max_plan_time", "mean_plan_time",
  "stddev_plan_time", "calls", "total_exec_time", "min_exec_time", "max_exec_time", "mean_exec_time", "stddev_exec_time", "rows",
  "shared_blks_hit", "shared_blks_read", "shared_blks_dirtied", "shared_blks_written", "local_blks_hit", "local_blks_read",
  "local_blks_dirtied", "local_blks_written", "temp_blks_read", "temp_blks_written", "blk_read_time", "blk_write_time",
  "shared_blk_read_time", "shared_blk_write_time", "local_blk_read_time", "local_blk_write_time", "temp_blk_read_time",
  "temp_blk_write_time", "wal_records", "wal_fpi", "wal_bytes", "wal_buffers_full", "jit_functions", "jit_generation_time",
  "jit_inlining_count", "jit_inlining_time", "jit_optimization_count", "jit_optimization_time", "jit_emission_count",
  "jit_emission_time", "jit_deform_count", "jit_deform_time", "parallel_workers_to_launch", "parallel_workers_launched",
  "stats_since", "minmax_stats_since", "dealloc", "stats_reset",
];

export const EXTRA_COLUMNS: readonly string[] = [...CONDUCTOR_COLUMNS, ...PG_STAT_STATEMENTS_COLUMNS];

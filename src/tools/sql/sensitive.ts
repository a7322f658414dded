/**
 * Relations and settings that hold secrets (password hashes, connection strings, commands, the
 * server's config files) — refused wherever they are named, whatever the role may read.
 */
export const SECRET_RELATIONS: Readonly<Record<string, string>> = {
  pg_authid: "holds password hashes",
  pg_shadow: "holds password hashes",
  pg_user_mapping: "holds foreign-server passwords",
  pg_user_mappings: "holds foreign-server passwords",
  user_mappings: "holds foreign-server passwords",
  user_mapping_options: "holds foreign-server passwords",
  pg_subscription: "holds replication connection strings",
  pg_file_settings: "reads the server's configuration files",
  pg_hba_file_rules: "reads the server's configuration files",
  pg_ident_file_mappings: "reads the server's configuration files",
  pg_db_role_setting: "holds per-role settings, which may include secrets",
  pg_largeobject: "holds large-object contents",
  pg_statistic: "holds samples of column values",
  pg_statistic_ext_data: "holds samples of column values",
};

/** Extension settings that may be read; any other custom setting (`app.jwt_secret`…) may hold anything. */
const READABLE_SETTING_PREFIXES = ["pg_stat_statements", "auto_explain"];

/** Why a setting must not be read, or null. `builtin` is the generated list of built-in setting names. */
export function whySettingIsSecret(name: string, builtin: ReadonlySet<string>): string | null {
  const lower = name.toLowerCase();
  if (lower === "primary_conninfo") return "holds a replication connection string";
  if (lower.endsWith("_command")) return "holds a shell command, which often carries credentials";
  const dot = lower.indexOf(".");
  if (dot >= 0) return READABLE_SETTING_PREFIXES.includes(lower.slice(0, dot)) ? null : "is a custom setting, which may hold anything";
  return builtin.has(lower) ? null : "is not a built-in setting";
}

/**
 * What pg_settings is replaced with: the same rows minus the secret ones (the same rule as
 * `whySettingIsSecret`, unknown built-ins aside). Every name is pg_catalog-qualified.
 */
export const FILTERED_PG_SETTINGS =
  "(SELECT * FROM pg_catalog.pg_settings WHERE name OPERATOR(pg_catalog.<>) 'primary_conninfo' " +
  "AND pg_catalog.right(name, 8) OPERATOR(pg_catalog.<>) '_command' " +
  "AND (pg_catalog.strpos(name, '.') OPERATOR(pg_catalog.=) 0 " +
  `OR pg_catalog.split_part(name, '.', 1) OPERATOR(pg_catalog.=) ANY (ARRAY[${READABLE_SETTING_PREFIXES.map((p) => `'${p}'`).join(", ")}])))`;

/** Relations whose rows carry other sessions' SQL text: string literals in result cells are masked. */
export const QUERY_TEXT_RELATIONS = ["pg_stat_activity", "pg_stat_statements"];
export const QUERY_TEXT_FUNCTIONS = ["pg_stat_get_activity", "pg_stat_statements"];

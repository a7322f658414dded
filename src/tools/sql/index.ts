export { checkSql, MAX_SQL_LENGTH, type CheckSqlOptions, type SqlVerdict } from "./check-sql.ts";
export { CATALOG_SERVER_VERSION, COVERED_SERVER_VERSIONS } from "./allow-list.ts";
export { limitSqlRows, type LimitedRows, type LimitRowsOptions } from "./limit-rows.ts";

export { checkSql, MAX_SQL_LENGTH, type SqlVerdict } from "./check-sql.ts";
export { FORBIDDEN_FUNCTION_FAMILIES, findForbiddenFunction, type ForbiddenFamily } from "./forbidden-functions.ts";
export { limitSqlRows, type LimitedRows, type LimitRowsOptions } from "./limit-rows.ts";

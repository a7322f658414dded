export { createTools } from "./create-tools.ts";
export { createToolInvoker, type ToolInvokerOptions } from "./invoke-tool.ts";
export { cutText, parseOutput, renderOutput, isEmptyOutput, type KeepEnd } from "./format-output.ts";
export { DEFAULT_LOG_LINES } from "./pull-pod-logs.ts";
export { MAX_SQL_ROWS } from "./run-sql-select.ts";
export * from "./types.ts";

/** `verify`: one live check per integration, printed as a table. */
export { renderCheckTable, SERVICES, type CheckResult, type CheckStatus, type Service } from "./check-result.ts";
export { runChecks, type RunChecksOptions } from "./run-checks.ts";
export { findMissingScopes } from "./verify-slack.ts";

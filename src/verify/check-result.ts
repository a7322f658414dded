/** The integrations `verify` checks, in the order it prints them. */
export const SERVICES = ["slack", "conductor", "anthropic", "smtp"] as const;
export type Service = (typeof SERVICES)[number];

/** WARN: it works, but something should be fixed (the detail says what and how). */
export type CheckStatus = "PASS" | "WARN" | "FAIL" | "SKIP";

export interface CheckResult {
  service: Service;
  status: CheckStatus;
  detail: string;
}

/** `SERVICE  STATUS  DETAIL`, columns padded to the widest cell. */
export function renderCheckTable(results: readonly CheckResult[]): string {
  const rows = [["SERVICE", "STATUS", "DETAIL"], ...results.map((r) => [r.service, r.status, r.detail])];
  const width = (column: number) => Math.max(...rows.map((row) => (row[column] ?? "").length));
  const [serviceWidth, statusWidth] = [width(0), width(1)];
  return rows.map(([service = "", status = "", detail = ""]) => `${service.padEnd(serviceWidth)}  ${status.padEnd(statusWidth)}  ${detail}`.trimEnd()).join("\n") + "\n";
}

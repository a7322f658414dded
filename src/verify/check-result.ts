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

/** `SERVICE  STATUS  DETAIL`, columns padded to the widest cell; a detail's further lines (warnings) go under DETAIL. */
export function renderCheckTable(results: readonly CheckResult[]): string {
  const rows = [["SERVICE", "STATUS", "DETAIL"], ...results.map((r) => [r.service, r.status, r.detail])];
  const width = (column: number) => Math.max(...rows.map((row) => (row[column] ?? "").length));
  const [serviceWidth, statusWidth] = [width(0), width(1)];
  const indent = " ".repeat(serviceWidth + statusWidth + 4);
  return (
    rows
      .map(([service = "", status = "", detail = ""]) => {
        const [first = "", ...more] = detail.split("\n");
        return [`${service.padEnd(serviceWidth)}  ${status.padEnd(statusWidth)}  ${first}`.trimEnd(), ...more.map((line) => `${indent}${line}`)].join("\n");
      })
      .join("\n") + "\n"
  );
}

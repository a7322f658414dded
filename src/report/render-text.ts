import type { Alert } from "../alerts/types.ts";
import { redactSecrets } from "../lib/redact.ts";
import { stripControlCharacters } from "../slack/neutralize.ts";
import { formatStatsParts } from "./format-stats.ts";
import type { Report } from "./schema.ts";

const CAUSE_LABEL: Record<Report["appOrInfra"], string> = {
  app: "application",
  infra: "infrastructure",
  unknown: "not determined",
};

/** The report for a terminal (the CLI `triage` command): plain text, secrets redacted, no escape sequences, no final newline. */
export function renderReportText(report: Report, alert: Alert | null): string {
  const lines = [`[${report.severity}] ${clean(report.issue)}`];
  if (alert) {
    const owner = [alert.organization, alert.environment].filter((part): part is string => !!part).join(", ");
    const cluster = alert.cluster ? clean(alert.cluster) : "unknown cluster";
    lines.push(`Cluster:    ${cluster}${owner ? ` (${clean(owner)})` : ""}`);
    lines.push(`Execution:  ${clean(alert.executionUrl)}`);
  }
  lines.push(`Confidence: ${report.confidence}`, `Cause in:   ${CAUSE_LABEL[report.appOrInfra] ?? report.appOrInfra}`, "");
  lines.push("Findings:");
  for (const finding of report.findings) {
    lines.push(hang(`- [${clean(finding.tool)}] ${clean(finding.text)}`, "  ", "    "));
  }
  lines.push("", "Likely root cause:", hang(clean(report.likelyRootCause), "  ", "  "), "");
  if (report.ruledOut && report.ruledOut.length > 0) lines.push("Ruled out:", ...report.ruledOut.map((line) => hang(`- ${clean(line)}`, "  ", "    ")), "");
  lines.push("Suggested next step (for a human; the bot never acts):", hang(clean(report.nextStep), "  ", "  "), "");
  lines.push(formatStatsParts(report.stats).join(" · "));
  if (report.stats.fallbackReason) {
    const who = report.stats.engine === "rules" ? "Rules engine stood in" : "Degraded";
    lines.push(`${who}: ${clean(report.stats.fallbackReason)}`);
  }
  return lines.join("\n");
}

function clean(text: string): string {
  return redactSecrets(stripControlCharacters(text)).trim();
}

/** Indents the first line by `first` and the rest by `rest`, so `- ` bullets hang. */
function hang(text: string, first: string, rest: string): string {
  return text
    .split("\n")
    .map((line, index) => `${index === 0 ? first : rest}${line}`)
    .join("\n");
}

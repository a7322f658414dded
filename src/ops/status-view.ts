import type { AlertRecord, State } from "../state/schema.ts";

/**
 * What `oncall-agent status` shows: the first thing an operator reads when someone asks "why
 * didn't the bot answer?". Pure over a state snapshot.
 */
export interface StatusView {
  channels: { channel: string; watermark: string; lastPollAt: string }[];
  inFlight: { alert: string; executionId: string; status: string; attempts: number; crashes: number; nextAttemptAt: string | null; lastError: string | null }[];
  recentReplies: { alert: string; executionId: string; kind: string; repliedAt: string; durationMs: number | null; replyTs: string | null }[];
  failures: { alert: string; executionId: string; attempts: number; reason: string | null; updatedAt: string }[];
  pendingNotifications: { alert: string; channel: string; status: string; attempts: number; reason: string | null }[];
  totals: { alerts: number; replied: number; failed: number; inFlight: number };
}

const UNFINISHED = new Set(["claimed", "triaging", "posting"]);

export function summarizeStatus(state: State, options: { recent: number }): StatusView {
  const records = Object.entries(state.alerts);
  const byTime = (a: string | null, b: string | null) => (b ?? "").localeCompare(a ?? "");
  const replied = records.filter(([, r]) => r.status === "replied");
  const failed = records.filter(([, r]) => r.status === "failed");
  const inFlight = records.filter(([, r]) => UNFINISHED.has(r.status));
  return {
    channels: Object.entries(state.channels)
      .map(([channel, c]) => ({ channel, watermark: c.watermark, lastPollAt: c.updatedAt }))
      .sort((a, b) => a.channel.localeCompare(b.channel)),
    inFlight: inFlight
      .sort(([, a], [, b]) => a.claimedAt.localeCompare(b.claimedAt))
      .map(([alert, r]) => ({ alert, executionId: r.executionId, status: r.status, attempts: r.attempts, crashes: r.crashes, nextAttemptAt: r.nextAttemptAt, lastError: r.lastError })),
    recentReplies: replied
      .sort(([, a], [, b]) => byTime(a.repliedAt, b.repliedAt))
      .slice(0, options.recent)
      .map(([alert, r]) => ({ alert, executionId: r.executionId, kind: r.replyKind ?? "unknown", repliedAt: r.repliedAt ?? r.updatedAt, durationMs: replyDuration(r), replyTs: r.replyTs })),
    failures: failed
      .sort(([, a], [, b]) => byTime(a.updatedAt, b.updatedAt))
      .slice(0, options.recent)
      .map(([alert, r]) => ({ alert, executionId: r.executionId, attempts: r.attempts, reason: r.lastError, updatedAt: r.updatedAt })),
    pendingNotifications: records.flatMap(([alert, r]) =>
      Object.entries(r.notifications ?? {})
        .filter(([, n]) => n !== undefined && n.status !== "sent")
        .map(([channel, n]) => ({ alert, channel, status: n!.status, attempts: n!.attempts, reason: n!.reason })),
    ),
    totals: { alerts: records.length, replied: replied.length, failed: failed.length, inFlight: inFlight.length },
  };
}

/** From the claim to the reply: what the on-call waited. */
function replyDuration(record: AlertRecord): number | null {
  if (!record.repliedAt) return null;
  const ms = Date.parse(record.repliedAt) - Date.parse(record.claimedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

export function renderStatus(view: StatusView): string {
  const lines: string[] = [];
  const table = (title: string, header: string[], rows: string[][]) => {
    lines.push(`${title}${rows.length === 0 ? ": none" : ""}`);
    if (rows.length === 0) return;
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const format = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ")}`;
    lines.push(format(header), ...rows.map(format));
  };
  const t = view.totals;
  lines.push(`${t.alerts} alerts on record: ${t.replied} replied, ${t.failed} failed, ${t.inFlight} in flight`, "");
  table("Channels", ["CHANNEL", "WATERMARK", "LAST POLL"], view.channels.map((c) => [c.channel, c.watermark, c.lastPollAt]));
  lines.push("");
  table(
    "In flight",
    ["ALERT", "EXECUTION", "STATUS", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR"],
    view.inFlight.map((a) => [a.alert, a.executionId, a.status, `${a.attempts}${a.crashes ? ` (+${a.crashes} crash)` : ""}`, a.nextAttemptAt ?? "now", a.lastError ?? ""]),
  );
  lines.push("");
  table(
    "Recent replies",
    ["ALERT", "KIND", "REPLIED", "TOOK", "EXECUTION"],
    view.recentReplies.map((r) => [r.alert, r.kind, r.repliedAt, r.durationMs === null ? "?" : `${(r.durationMs / 1000).toFixed(1)} s`, r.executionId]),
  );
  lines.push("");
  table("Failures", ["ALERT", "ATTEMPTS", "WHEN", "REASON"], view.failures.map((f) => [f.alert, String(f.attempts), f.updatedAt, f.reason ?? ""]));
  lines.push("");
  table(
    "Pending notifications",
    ["ALERT", "CHANNEL", "STATUS", "ATTEMPTS", "REASON"],
    view.pendingNotifications.map((n) => [n.alert, n.channel, n.status, String(n.attempts), n.reason ?? ""]),
  );
  return `${lines.join("\n")}\n`;
}

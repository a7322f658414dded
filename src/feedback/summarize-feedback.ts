import type { FeedbackFile, ReplyRecord, Verdict } from "./schema.ts";

export interface Tally {
  judged: number;
  right: number;
  partly: number;
  wrong: number;
  /** (right + ½ partly) / judged; null when nothing was judged. */
  accuracy: number | null;
}

export interface WrongAnswer {
  threadLink: string | null;
  channel: string;
  alertTs: string;
  postedAt: string;
  issueTypes: string[];
  engine: string;
  confidence: string;
  botRootCause: string | null;
  humanRootCause: string | null;
  users: string[];
}

export interface FeedbackSummary {
  since: string;
  answered: number;
  judged: number;
  overall: Tally;
  byIssueType: Record<string, Tally>;
  byEngine: Record<string, Tally>;
  /** How often each stated confidence was right. */
  calibration: Record<"high" | "medium" | "low", Tally>;
  wrong: WrongAnswer[];
}

/** Accuracy, calibration and the wrong answers over answered reports posted since `sinceMs` (pure). */
export function summarizeFeedback(data: FeedbackFile, sinceMs: number): FeedbackSummary {
  const answered = Object.values(data.replies).filter((r) => r.engine !== null && Date.parse(r.postedAt) >= sinceMs);
  const judged = answered.filter((r): r is ReplyRecord & { judgement: { verdict: Verdict } } => !!r.judgement?.verdict);
  const group = (keys: (r: ReplyRecord) => string[]) => {
    const groups: Record<string, Verdict[]> = {};
    for (const r of judged) for (const k of keys(r)) (groups[k] ??= []).push(r.judgement.verdict);
    return Object.fromEntries(Object.entries(groups).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, tally(v)]));
  };
  const byConfidence = (level: string) => tally(judged.filter((r) => r.confidence === level).map((r) => r.judgement.verdict));
  return {
    since: new Date(sinceMs).toISOString(),
    answered: answered.length,
    judged: judged.length,
    overall: tally(judged.map((r) => r.judgement.verdict)),
    byIssueType: group((r) => (r.issueTypes.length > 0 ? r.issueTypes : ["UNKNOWN"])),
    // The rules engine standing in for a failed model is counted apart from the rules engine chosen.
    byEngine: group((r) => [r.kind === "fallback" ? `${r.engine ?? "unknown"} (fallback)` : (r.engine ?? "unknown")]),
    calibration: { high: byConfidence("high"), medium: byConfidence("medium"), low: byConfidence("low") },
    wrong: judged
      .filter((r) => r.judgement.verdict === "wrong")
      .sort((a, b) => b.postedAt.localeCompare(a.postedAt))
      .map((r) => ({
        threadLink: r.threadLink,
        channel: r.channel,
        alertTs: r.alertTs,
        postedAt: r.postedAt,
        issueTypes: r.issueTypes,
        engine: r.engine ?? "unknown",
        confidence: r.confidence ?? "unknown",
        botRootCause: r.rootCause,
        humanRootCause: r.judgement.rootCause ?? null,
        users: r.judgement.users ?? [],
      })),
  };
}

function tally(verdicts: readonly Verdict[]): Tally {
  const count = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const right = count("right");
  const partly = count("partly");
  const wrong = count("wrong");
  const judged = verdicts.length;
  return { judged, right, partly, wrong, accuracy: judged === 0 ? null : (right + partly / 2) / judged };
}

/** The terminal report of `oncall-agent feedback`. */
export function renderFeedbackText(summary: FeedbackSummary): string {
  const pct = (t: Tally) => (t.accuracy === null ? "—" : `${Math.round(t.accuracy * 100)}%`);
  const row = (name: string, t: Tally) =>
    `  ${name.padEnd(34)} ${String(t.judged).padStart(6)} ${String(t.right).padStart(6)} ${String(t.partly).padStart(6)} ${String(t.wrong).padStart(6)} ${pct(t).padStart(9)}`;
  const header = `  ${"".padEnd(34)} ${"judged".padStart(6)} ${"right".padStart(6)} ${"partly".padStart(6)} ${"wrong".padStart(6)} ${"accuracy".padStart(9)}`;
  const lines = [
    `Answers since ${summary.since}: ${summary.answered}, judged ${summary.judged}; accuracy ${pct(summary.overall)} (right + half of partly, over judged)`,
    "",
    "By issue type",
    header,
    ...Object.entries(summary.byIssueType).map(([k, t]) => row(k, t)),
    "",
    "By engine",
    header,
    ...Object.entries(summary.byEngine).map(([k, t]) => row(k, t)),
    "",
    "Calibration (how often each stated confidence was right)",
    header,
    ...(["high", "medium", "low"] as const).map((level) => row(level, summary.calibration[level])),
    "",
    `Wrong answers (${summary.wrong.length})`,
    ...summary.wrong.flatMap((w) => [
      `  ${w.postedAt.slice(0, 16)}  ${w.issueTypes.join(", ") || "UNKNOWN"}  ${w.engine}/${w.confidence}  ${w.threadLink ?? `${w.channel}:${w.alertTs}`}`,
      `    bot said: ${oneLine(w.botRootCause ?? "—")}`,
      ...(w.humanRootCause ? [`    root cause (${w.users.join(", ")}): ${oneLine(w.humanRootCause)}`] : []),
    ]),
  ];
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

import { formatDuration } from "../lib/duration.ts";
import type { Engine, TriageStats } from "./schema.ts";

const ENGINE_LABELS: Record<Engine, string> = { claude: "Claude", rules: "rules engine" };

/** The run's figures as short phrases, e.g. `["Claude", "7 tool calls", "4 turns", ...]`; zero turns and token counts are left out. */
export function formatStatsParts(stats: TriageStats): string[] {
  const parts = [ENGINE_LABELS[stats.engine] ?? String(stats.engine), plural(stats.toolCalls, "tool call")];
  // Model turns mean nothing for a run the model took no part in.
  if (stats.turns > 0) parts.push(plural(stats.turns, "turn"));
  if (stats.inputTokens > 0 || stats.outputTokens > 0) {
    const cached = stats.cacheReadTokens > 0 ? `, ${formatCount(stats.cacheReadTokens)} cached` : "";
    parts.push(`${formatCount(stats.inputTokens)} in / ${formatCount(stats.outputTokens)} out tokens${cached}`);
  }
  if (stats.costUsd > 0) parts.push(formatCost(stats.costUsd));
  // Findings the verifier dropped (their excerpt or numbers not in the cited output) are counted, never shown.
  if (stats.findingsDropped > 0) parts.push(`${stats.findingsDropped} unverified finding${stats.findingsDropped === 1 ? "" : "s"} dropped`);
  parts.push(formatDuration(Math.max(0, stats.durationMs)));
  return parts;
}

/** `950`, `12.3k`, `1.2M`. */
export function formatCount(count: number): string {
  if (!Number.isFinite(count)) return "?";
  if (Math.abs(count) < 1000) return String(Math.round(count));
  if (Math.abs(count) < 1_000_000) return `${trimZero((count / 1000).toFixed(1))}k`;
  return `${trimZero((count / 1_000_000).toFixed(1))}M`;
}

/** `$0.042`, `$1.25`. */
export function formatCost(usd: number): string {
  return `$${usd.toFixed(usd < 1 ? 3 : 2)}`;
}

/** How long ago, for people: `just now`, `12 min ago`, `2 h 5 min ago`, `3 d ago`. */
export function formatAge(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h ago` : `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function trimZero(text: string): string {
  return text.endsWith(".0") ? text.slice(0, -2) : text;
}

import { matchKnownIssues, SHIPPED_KNOWN_ISSUES, type KnownIssuesFile } from "../../../known-issues/index.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/**
 * Known issues (src/known-issues, data): a match cites the line or image that shows it. A vetted
 * entry is direct evidence of its cause; an entry shipped only as an example of the format is
 * context, never the answer.
 */
export function createKnownIssuesAnalyzer(table: KnownIssuesFile): Analyzer {
  return {
  name: "known issues",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const match of matchKnownIssues(evidence, table)) {
      const key = `known-issue:${match.id}`;
      const excerpt = (match.evidence[0]?.excerpt ?? match.text).replace(/\s+/g, " ").slice(0, 140);
      analysis.findings.push({ text: `"${excerpt}"`, note: `known issue: ${match.title} (${match.link})`, tool: match.tool, weight: match.example ? 0.3 : 0.9, key });
      if (match.example) continue;
      analysis.candidates.push({ key, cause: `Known issue — ${match.title}: ${match.advice}`, fact: `known issue: ${match.title}`, weight: 0.9, appOrInfra: "unknown", nextStep: `${match.advice} (${match.link})`, tool: match.tool });
    }
    return analysis;
  },
  };
}

export const analyzeKnownIssues: Analyzer = createKnownIssuesAnalyzer(SHIPPED_KNOWN_ISSUES);

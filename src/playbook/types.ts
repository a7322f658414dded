import type { IssueType } from "../alerts/types.ts";
import type { ToolName } from "../tools/types.ts";

export type PlaybookCategory = "saturation" | "component" | "network" | "self-describing" | "unknown";

/**
 * Stands for the pod named in the alert issue or, when none is named, the most suspicious pod
 * found so far (unhealthy or restarting, preferring pods that match the entry's `podHints`).
 */
export const POD_PLACEHOLDER = "{pod}";

export interface PlaybookStep {
  tool: ToolName;
  /** Tool input besides `executionId`; a string value `{pod}` is resolved before the call. */
  args?: Record<string, string | number>;
  why: string;
}

export interface PlaybookEntry {
  type: IssueType;
  title: string;
  category: PlaybookCategory;
  /** What the alert means, in one sentence. */
  symptom: string;
  /** Substrings of pod names to look at first when the alert names no pod (in order of preference). */
  podHints: string[];
  tools: PlaybookStep[];
  /** What a report should cite. */
  evidence: string[];
  /** Typical causes, most common first. */
  rootCauses: string[];
  /** Actions for a human; the bot never acts. */
  nextSteps: string[];
}

import type { IssueType, Severity } from "../../src/alerts/types.ts";
import { buildEvidence } from "../../src/rules/evidence.ts";
import type { Evidence, IssueEvidence } from "../../src/rules/types.ts";
import type { ToolStatus } from "../../src/tools/types.ts";

export interface FakeCall {
  tool: string;
  input?: Record<string, unknown>;
  data?: unknown;
  /** Defaults to the data when it is text. */
  output?: string;
  status?: ToolStatus;
}

export function issue(type: IssueType, text: string, severity: Severity | null = "CRITICAL", pod: string | null = null): IssueEvidence {
  return { type, severity, text, pod, source: "alert" };
}

/** Evidence as the engine would build it from these calls. */
export function evidenceOf(calls: FakeCall[], issues: IssueEvidence[] = []): Evidence {
  return buildEvidence(
    issues,
    calls.map((c) => ({
      name: c.tool,
      input: { executionId: "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002", ...c.input },
      result: {
        status: c.status ?? "ok",
        output: c.output ?? (typeof c.data === "string" ? c.data : JSON.stringify(c.data ?? "")),
        data: c.data,
        durationMs: 1,
      },
    })),
  );
}

import { describe, expect, it } from "vitest";
import type { ToolResult } from "../../src/tools/types.ts";
import { assessEvidence } from "../../src/triage/assess-evidence.ts";

const call = (result: Partial<ToolResult>, cached = false) => ({ result: { status: "error" as const, output: "x", durationMs: 1, ...result }, cached });
const transport = (command: string) => call({ command, failure: "transport", output: `${command} could not be started: POST /workflow failed: HTTP 503` });

describe("assessEvidence", () => {
  it("every command failed in transit: says so, quoting the first failure", () => {
    expect(assessEvidence([call({ status: "ok" }), transport("GET_PODS_DATA"), transport("PULL_LOGS")])).toBe(
      "GET_PODS_DATA could not be started: POST /workflow failed: HTTP 503 — every diagnostic command failed (2 of 2) because Conductor could not be reached or did not answer",
    );
  });

  it("transit failures and calls the deadline cut, nothing answered: still unavailable", () => {
    expect(assessEvidence([transport("GET_PODS_DATA"), call({ command: "PULL_LOGS", failure: "cancelled" })])).toMatch(/\(1 of 2\)/);
  });

  it.each([
    ["one command answered", [transport("GET_PODS_DATA"), call({ command: "PULL_LOGS", status: "ok" })]],
    ["a command failed in the cluster (its answer is evidence)", [transport("GET_PODS_DATA"), call({ command: "PULL_LOGS", output: "ended FAILED" })]],
    ["only the deadline cut commands", [call({ command: "PULL_LOGS", failure: "cancelled" })]],
    ["no command was run", [call({ status: "ok" })]],
    ["only a cached repeat of a failure", [call({ command: "PULL_LOGS", failure: "transport" }, true)]],
  ])("%s: the evidence stands", (_name, calls) => {
    expect(assessEvidence(calls)).toBeNull();
  });
});

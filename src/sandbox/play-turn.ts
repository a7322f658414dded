import { randomBytes } from "node:crypto";
import type { Scenario } from "./scenario-schema.ts";

/** The parts of a Messages API request the scripted model reads. */
export interface MessagesRequest {
  model?: string;
  max_tokens?: number;
  system?: unknown;
  tools?: unknown[];
  tool_choice?: { type?: string; name?: string };
  messages?: { role?: string; content?: unknown }[];
}

export interface PlayOptions {
  fillExecutionId: boolean;
  /** Consulted only for the turn that submits the report. */
  takeMalformed(): "no_submit_report" | "invalid_report" | undefined;
}

export type Played =
  | { ok: true; scenarioId: string; turn: number; message: Record<string, unknown> }
  | { ok: false; error: string };

const SUBMIT_REPORT = "submit_report";

/**
 * Answers one request from the scenario's script. The turn is the number of assistant messages
 * already sent; a forced `submit_report` tool_choice, or running past the script, jumps to the
 * last turn (so a repair request gets the valid report).
 */
export function playTurn(body: MessagesRequest, scenarios: readonly Scenario[], options: PlayOptions): Played {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages[0]?.role !== "user") {
    return { ok: false, error: "messages: must be a non-empty list starting with a user message" };
  }
  if (typeof body.model !== "string" || typeof body.max_tokens !== "number" || body.max_tokens < 1) {
    return { ok: false, error: "model and max_tokens are required" };
  }
  const firstText = textOf(messages[0].content).toLowerCase();
  const scenario = scenarios.find((s) => firstText.includes(s.execution.workflowId.toLowerCase()));
  if (!scenario) return { ok: false, error: "sandbox: the first user message names no scenario's execution id" };

  const assistantTurns = messages.filter((m) => m.role === "assistant").length;
  const last = scenario.script.length - 1;
  const forced = body.tool_choice?.type === "tool" && body.tool_choice.name === SUBMIT_REPORT;
  const turn = forced ? last : Math.min(assistantTurns, last);
  const step = scenario.script[turn];
  if (!step) return { ok: false, error: `sandbox: scenario ${scenario.id} has no turn ${turn}` };

  const executionId = scenario.execution.workflowId;
  const malformed = turn === last ? options.takeMalformed() : undefined;
  const content: Record<string, unknown>[] = [];
  const text = malformed === "no_submit_report" ? "The evidence points at the cluster itself; I will stop here." : step.text;
  if (text) content.push({ type: "text", text });
  if (malformed !== "no_submit_report") {
    for (const call of step.calls) {
      const isReport = call.name === SUBMIT_REPORT;
      let input = call.input;
      if (isReport && malformed === "invalid_report") input = { ...input, severity: "SEVERE", findings: [] };
      if (!isReport && options.fillExecutionId && input.executionId === undefined) input = { executionId, ...input };
      content.push({ type: "tool_use", id: `toolu_${randomBytes(12).toString("hex")}`, name: call.name, input });
    }
  }
  const usesTools = content.some((b) => b.type === "tool_use");
  return {
    ok: true,
    scenarioId: scenario.id,
    turn,
    message: {
      content,
      stop_reason: usesTools ? "tool_use" : "end_turn",
      stop_sequence: null,
      usage: estimateUsage(body, assistantTurns === 0, content),
    },
  };
}

/** Rough token counts (4 characters a token) that behave like the real API's for caching. */
export function estimateUsage(body: MessagesRequest, isFirstTurn: boolean, content: unknown) {
  const tokens = (value: unknown) => Math.ceil(JSON.stringify(value ?? "").length / 4);
  const messages = body.messages ?? [];
  const prefix = tokens(body.system) + tokens(body.tools ?? []);
  const total = prefix + tokens(messages);
  const output_tokens = tokens(content) + 12;
  if (!JSON.stringify(body).includes('"cache_control"')) {
    return { input_tokens: total, output_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  }
  if (isFirstTurn) {
    return { input_tokens: Math.max(1, total - prefix), output_tokens, cache_creation_input_tokens: prefix, cache_read_input_tokens: 0 };
  }
  const read = prefix + tokens(messages.slice(0, -1));
  const created = tokens(messages.slice(-1));
  return { input_tokens: Math.max(1, total - read - created), output_tokens, cache_creation_input_tokens: created, cache_read_input_tokens: read };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: { type?: string; text?: unknown }) => (b?.type === "text" && typeof b.text === "string" ? b.text : "")).join("\n");
}

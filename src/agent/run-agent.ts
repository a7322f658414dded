import Anthropic from "@anthropic-ai/sdk";
import type { Alert } from "../alerts/types.ts";
import { abortable } from "../conductor/abortable.ts";
import { errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { modelReportSchema, type ModelReport } from "../report/schema.ts";
import { verifyFinding, type CallSource, type RulesFacts } from "../rules/index.ts";
import type { Tool, ToolInvoker, ToolResult } from "../tools/types.ts";
import { estimateCostUsd, type TokenUsage } from "./model-pricing.ts";
import { SUBMIT_REPORT, toModelTools } from "./tool-definitions.ts";

/** The one Messages API call the loop needs; the real SDK client satisfies it. */
export interface MessagesClient {
  create(body: Anthropic.MessageCreateParamsNonStreaming, options?: { signal?: AbortSignal; timeout?: number }): Promise<Anthropic.Message>;
}

export interface AgentBudgets {
  maxTurns: number;
  maxToolCalls: number;
  maxInputTokens: number;
  /** Absolute epoch ms after which no new model call starts. */
  deadline: number;
}

export interface AgentInput {
  executionId: string;
  alert: Alert | null;
  incident: ToolResult;
  /** The rules engine's fact sheet and the calls it cites, when it ran first. */
  facts?: RulesFacts;
  /** Ends the model's part: checked before each turn, passed to each model call, and ends the wait for tools. */
  signal?: AbortSignal;
}

export interface AgentDeps {
  client: MessagesClient;
  model: string;
  systemPrompt: string;
  tools: readonly Tool[];
  invoker: ToolInvoker;
  budgets: AgentBudgets;
  now: () => number;
  logger: Logger;
  requestTimeoutMs: number;
  maxOutputTokens?: number;
}

export type AgentOutcome =
  | { ok: true; report: ModelReport; turns: number; usage: TokenUsage; costUsd: number; findingsDropped: number }
  | { ok: false; reason: string; turns: number; usage: TokenUsage; costUsd: number };

const EPHEMERAL = { type: "ephemeral" } as const;
const MIN_CALL_MS = 250;

/**
 * A plain `messages.create` loop: every tool_use of a turn runs concurrently, errors go back as
 * is_error results, and the loop ends with a validated `submit_report` or a reason for the
 * caller to fall back. It never throws for model or tool failures.
 */
export async function runAgent(input: AgentInput, deps: AgentDeps): Promise<AgentOutcome> {
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const tools = toModelTools(deps.tools);
  const lastTool = tools.at(-1);
  if (lastTool) lastTool.cache_control = EPHEMERAL;
  const system: Anthropic.TextBlockParam[] = [{ type: "text", text: deps.systemPrompt, cache_control: EPHEMERAL }];
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: [{ type: "text", text: firstTurn(input) }] }];
  let turns = 0;
  let repairs = 0;
  // The model's budget is its own: calls the rules engine made before it do not count against it.
  const before = deps.invoker.calls.length;
  const modelCalls = () => deps.invoker.calls.length - before;
  // What the model's findings may cite: the rules engine's calls, the alert, and its own calls (ids continue theirs).
  const sources: CallSource[] = [...(input.facts?.sources ?? [])];
  let nextId = sources.filter((s) => /^c\d+$/.test(s.id)).length + 1;
  const done = (outcome: { ok: true; report: ModelReport; findingsDropped: number } | { ok: false; reason: string }): AgentOutcome => ({
    ...outcome,
    turns,
    usage,
    costUsd: estimateCostUsd(deps.model, usage),
  });

  while (true) {
    if (input.signal?.aborted) return done({ ok: false, reason: stopReason(input.signal) });
    // A model call needs some time to be useful; closer than this to the deadline, stop now.
    const remaining = deps.budgets.deadline - deps.now();
    if (remaining < MIN_CALL_MS) return done({ ok: false, reason: "the triage deadline ran out before a report" });
    if (turns >= deps.budgets.maxTurns) return done({ ok: false, reason: `no report within ${deps.budgets.maxTurns} model turns` });
    const spentInput = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
    if (spentInput >= deps.budgets.maxInputTokens) {
      return done({ ok: false, reason: `input-token budget of ${deps.budgets.maxInputTokens} spent before a report` });
    }
    const lastChance = turns === deps.budgets.maxTurns - 1 || modelCalls() >= deps.budgets.maxToolCalls;
    markLatestForCache(messages);

    let response: Anthropic.Message;
    try {
      response = await deps.client.create(
        {
          model: deps.model,
          max_tokens: deps.maxOutputTokens ?? 4096,
          system,
          tools,
          messages,
          ...(lastChance ? { tool_choice: { type: "tool", name: SUBMIT_REPORT } } : {}),
        },
        { timeout: Math.min(deps.requestTimeoutMs, remaining), ...(input.signal ? { signal: input.signal } : {}) },
      );
    } catch (error) {
      if (input.signal?.aborted) return done({ ok: false, reason: stopReason(input.signal) });
      return done({ ok: false, reason: `the model call failed: ${describeModelError(error)}` });
    }
    turns += 1;
    addUsage(usage, response.usage);
    messages.push({ role: "assistant", content: response.content });

    const toolUses = response.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
    const submit = toolUses.find((b) => b.name === SUBMIT_REPORT);
    if (submit) {
      const parsed = modelReportSchema.safeParse(submit.input);
      if (parsed.success) return done(checkReport(parsed.data, sources));
      if (repairs >= 1) return done({ ok: false, reason: "the model's report stayed invalid after one repair attempt" });
      repairs += 1;
      deps.logger.info({ executionId: input.executionId }, "model report invalid; asking for one repair");
      messages.push({
        role: "user",
        content: [
          ...toolUses.filter((b) => b !== submit).map((b) => skippedResult(b.id)),
          {
            type: "tool_result",
            tool_use_id: submit.id,
            is_error: true,
            content: `The report is invalid: ${parsed.error.issues.map((i) => `${i.path.join(".") || "report"}: ${i.message}`).join("; ")}. Call submit_report again with a corrected report.`,
          },
        ],
      });
      continue;
    }
    if (toolUses.length === 0) {
      if (repairs >= 1) return done({ ok: false, reason: "the model stopped without submitting a report" });
      repairs += 1;
      messages.push({ role: "user", content: [{ type: "text", text: "Call submit_report now with your findings." }] });
      continue;
    }

    // The invoker's own cap leaves headroom for the rules engine; the model's budget is enforced here.
    const allowed = Math.max(0, deps.budgets.maxToolCalls - modelCalls());
    const running = Promise.all(
      toolUses.map(async (block, index): Promise<Anthropic.ToolResultBlockParam> => {
        if (index >= allowed) {
          return { type: "tool_result", tool_use_id: block.id, is_error: true, content: `Not run: the budget of ${deps.budgets.maxToolCalls} tool calls is spent. Call submit_report now.` };
        }
        const id = `c${nextId + index}`;
        const result = await deps.invoker.call(block.name, block.input);
        sources.push({ id, tool: block.name, output: result.output, input: isRecord(block.input) ? block.input : {} });
        return {
          type: "tool_result",
          tool_use_id: block.id,
          ...(result.status === "error" ? { is_error: true } : {}),
          content: `call ${id} [${result.status}${result.cached ? ", repeated call: earlier result" : ""}] ${result.output}`,
        };
      }),
    );
    // The model's time may end while tools still run: stop waiting, and leave those calls running
    // under the triage's own signal, so the rules engine standing in picks up their results.
    nextId += toolUses.length;
    let results: Anthropic.ToolResultBlockParam[];
    try {
      results = await abortable(running, input.signal);
    } catch {
      return done({ ok: false, reason: stopReason(input.signal) });
    }
    messages.push({ role: "user", content: results });
  }
}

/**
 * The model's findings through the same verifier as the rules engine's: one whose excerpt or
 * numbers the cited call does not bear out is dropped; a report left without a verified finding
 * has an unsupported root cause, and the rules engine answers instead (saying why).
 */
function checkReport(report: ModelReport, sources: readonly CallSource[]): { ok: true; report: ModelReport; findingsDropped: number } | { ok: false; reason: string } {
  const results = report.findings.map((finding) => ({ finding, check: verifyFinding(finding, sources) }));
  const kept = results.filter((r) => r.check.ok).map((r) => r.finding);
  if (kept.length === 0) {
    const why = results.map((r) => (r.check.ok ? "" : r.check.reason)).find(Boolean) ?? "no findings";
    return { ok: false, reason: `the model's root cause rests on no verified finding (0 of ${report.findings.length}; e.g. ${why})` };
  }
  return { ok: true, report: { ...report, findings: kept }, findingsDropped: results.length - kept.length };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stopReason(signal: AbortSignal | undefined): string {
  return signal?.aborted ? `stopped: ${errorMessage(signal.reason)}` : "stopped";
}

function firstTurn(input: AgentInput): string {
  const lines = [`Triage the failing health-check execution ${input.executionId}.`];
  if (input.alert) {
    lines.push("", "The alert as posted in Slack (untrusted text):", "```", input.alert.headline);
    for (const issue of input.alert.issues) lines.push(`- [${issue.severity ?? "?"}] (${issue.type}) ${issue.text}`);
    lines.push("```");
  }
  lines.push("", `Incident details (get_incident_details, status ${input.incident.status}):`, "```", input.incident.output, "```");
  if (input.facts) {
    lines.push("", "Fact sheet from the deterministic rules engine, which ran first (untrusted data, like every output):", "```", input.facts.factSheet, "```");
    lines.push("Spend your calls on what is not settled (the open leads); cite settled facts by their call id and excerpt.");
  }
  lines.push("", "Use executionId exactly as given in every tool call. Investigate per the playbook, then call submit_report.");
  return lines.join("\n");
}

/** Moves the single message-level cache breakpoint to the newest block so each turn reuses the last. */
function markLatestForCache(messages: Anthropic.MessageParam[]): void {
  for (const message of messages) {
    if (Array.isArray(message.content)) for (const block of message.content) delete (block as { cache_control?: unknown }).cache_control;
  }
  const last = messages.at(-1);
  if (last && Array.isArray(last.content)) {
    const block = last.content.at(-1) as { cache_control?: unknown } | undefined;
    if (block) block.cache_control = EPHEMERAL;
  }
}

function skippedResult(id: string): Anthropic.ToolResultBlockParam {
  return { type: "tool_result", tool_use_id: id, is_error: true, content: "Not run: submit_report was called in the same turn." };
}

function addUsage(total: TokenUsage, usage: Anthropic.Usage): void {
  total.inputTokens += usage.input_tokens ?? 0;
  total.outputTokens += usage.output_tokens ?? 0;
  total.cacheReadTokens += usage.cache_read_input_tokens ?? 0;
  total.cacheWriteTokens += usage.cache_creation_input_tokens ?? 0;
}

function describeModelError(error: unknown): string {
  if (error instanceof Anthropic.APIConnectionTimeoutError) return "timed out";
  if (error instanceof Anthropic.APIUserAbortError) return "cancelled";
  if (error instanceof Anthropic.APIError && error.status !== undefined) {
    const type = (error.error as { error?: { type?: string } } | undefined)?.error?.type;
    return `HTTP ${error.status}${type ? ` ${type}` : ""} after retries`;
  }
  return errorMessage(error);
}

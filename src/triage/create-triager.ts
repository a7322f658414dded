import type { OncallConfig } from "../config/index.ts";
import type { Logger } from "../lib/logger.ts";
import { emptyStats, type Report } from "../report/schema.ts";
import { runRulesEngine } from "../rules/index.ts";
import { createToolInvoker } from "../tools/index.ts";
import type { Tool } from "../tools/types.ts";
import { runAgent, type MessagesClient } from "../agent/run-agent.ts";
import { buildSystemPrompt } from "../agent/system-prompt.ts";
import type { TriageRequest, Triager } from "./types.ts";

export interface TriagerDeps {
  tools: readonly Tool[];
  now: () => number;
  logger: Logger;
  /** Present only for the claude engine. */
  model?: { client: MessagesClient; name: string; requestTimeoutMs: number };
  /** Configured secret values, scrubbed from every tool result. */
  secrets?: readonly string[];
}

export type TriagerOptions = Pick<OncallConfig, "engine" | "maxTurns" | "maxToolCalls" | "maxInputTokens" | "triageDeadlineMs">;

/**
 * The model is never required for an answer: with the claude engine, the rules engine stands in
 * whenever the loop ends without a valid report, reusing the tool results already gathered.
 */
export function createTriager(options: TriagerOptions, deps: TriagerDeps): Triager {
  const systemPrompt = deps.model ? buildSystemPrompt() : "";
  return {
    async triage(request: TriageRequest): Promise<Report> {
      const started = deps.now();
      // Rules may need a few calls after the model spent its budget: allow it some headroom.
      const invoker = createToolInvoker(deps.tools, { executionId: request.executionId, ...(request.signal ? { signal: request.signal } : {}) }, {
        maxCalls: options.maxToolCalls + 10,
        ...(deps.secrets ? { secrets: deps.secrets } : {}),
      });
      const rules = async (fallbackReason: string | null) => {
        const report = await runRulesEngine({ executionId: request.executionId, alert: request.alert, fallbackReason, ...(request.signal ? { signal: request.signal } : {}) }, invoker, { now: deps.now });
        return { ...report, stats: { ...report.stats, durationMs: deps.now() - started } };
      };
      if (options.engine === "rules" || !deps.model) return rules(null);

      const incident = await invoker.call("get_incident_details", { executionId: request.executionId });
      const outcome = await runAgent(
        { executionId: request.executionId, alert: request.alert, incident, ...(request.signal ? { signal: request.signal } : {}) },
        {
          client: deps.model.client,
          model: deps.model.name,
          systemPrompt,
          tools: deps.tools,
          invoker,
          budgets: {
            maxTurns: options.maxTurns,
            maxToolCalls: options.maxToolCalls,
            maxInputTokens: options.maxInputTokens,
            deadline: started + options.triageDeadlineMs,
          },
          now: deps.now,
          logger: deps.logger,
          requestTimeoutMs: deps.model.requestTimeoutMs,
        },
      );
      const modelStats = {
        turns: outcome.turns,
        inputTokens: outcome.usage.inputTokens,
        outputTokens: outcome.usage.outputTokens,
        cacheReadTokens: outcome.usage.cacheReadTokens,
        cacheWriteTokens: outcome.usage.cacheWriteTokens,
        costUsd: outcome.costUsd,
      };
      if (!outcome.ok) {
        deps.logger.warn({ executionId: request.executionId, reason: outcome.reason }, "model did not deliver a report; the rules engine stands in");
        const report = await rules(outcome.reason);
        return { ...report, stats: { ...report.stats, ...modelStats } };
      }
      return {
        ...outcome.report,
        stats: {
          ...emptyStats("claude"),
          ...modelStats,
          toolCalls: invoker.calls.length,
          durationMs: deps.now() - started,
          commands: invoker.calls.flatMap((c) => (c.result.command && !c.cached ? [c.result.command] : [])),
        },
      };
    },
  };
}

import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { OncallConfig } from "../config/index.ts";
import { ConductorError } from "../conductor/errors.ts";
import type { ReadExecution } from "../conductor/execution-reader.ts";
import { formatDuration } from "../lib/duration.ts";
import { errorMessage, OncallError, type TriageErrorCode } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { emptyStats, type Report } from "../report/schema.ts";
import { runRulesEngine, runRulesTriage } from "../rules/index.ts";
import { createToolInvoker } from "../tools/index.ts";
import type { Tool } from "../tools/types.ts";
import { runAgent, type MessagesClient } from "../agent/run-agent.ts";
import { buildSystemPrompt } from "../agent/system-prompt.ts";
import { assessEvidence } from "./assess-evidence.ts";
import type { TriageRequest, Triager } from "./types.ts";

export interface TriagerDeps {
  tools: readonly Tool[];
  /** Reads the failing execution first, so a missing or unreachable one is an error, not a report. */
  readExecution: ReadExecution;
  now: () => number;
  logger: Logger;
  /** Present only for the claude engine. */
  model?: { client: MessagesClient; name: string; requestTimeoutMs: number };
  /** Configured secret values, scrubbed from every tool result. */
  secrets?: readonly string[];
}

export type TriagerOptions = Pick<OncallConfig, "engine" | "maxTurns" | "maxToolCalls" | "maxInputTokens" | "triageDeadlineMs">;

/** The last quarter of the deadline belongs to the rules engine, should it have to stand in for the model. */
const RULES_RESERVE = 0.25;

/**
 * The model is never required for an answer: with the claude engine, the rules engine stands in
 * whenever the loop ends without a valid report, reusing the tool results already gathered.
 * One signal per triage — the deadline or the shutdown, whichever comes first — reaches every
 * tool call and command poll; the model gets one that ends earlier, leaving the rules engine its
 * reserve. Throws (see Triager) rather than report from cancelled calls or a Conductor outage.
 */
export function createTriager(options: TriagerOptions, deps: TriagerDeps): Triager {
  const systemPrompt = deps.model ? buildSystemPrompt() : "";
  const deadlineMs = options.triageDeadlineMs;
  return {
    async triage(request: TriageRequest): Promise<Report> {
      const started = deps.now();
      const shutdown = request.signal;
      const { executionId } = request;
      const deadline = timerSignal(deadlineMs, `the triage deadline of ${formatDuration(deadlineMs)} ran out`);
      const signal = shutdown ? AbortSignal.any([shutdown, deadline.signal]) : deadline.signal;
      // Every concurrent call of this triage waits on it (polls, retries, shared reads).
      setMaxListeners(64, signal);
      const fail = (code: TriageErrorCode, message: string, cause?: unknown) => new OncallError(code, message, { cause });
      const cancelled = () => fail("triage_cancelled", `the triage of ${executionId} was cancelled by shutdown before it finished; nothing from it is used`, shutdown?.reason);
      const modelShare = deadlineMs * (1 - RULES_RESERVE);
      const modelTimer = timerSignal(modelShare, `the model's share (${formatDuration(modelShare)}) of the triage deadline ran out`);
      try {
        try {
          await deps.readExecution(executionId, signal);
        } catch (error) {
          if (shutdown?.aborted) throw cancelled();
          throw unreadable(executionId, error, signal);
        }
        const invoker = createToolInvoker(deps.tools, { executionId, signal, runKey: request.runKey ?? `${executionId}/${randomUUID()}` }, {
          // Rules may need a few calls after the model spent its budget: allow it some headroom.
          maxCalls: options.maxToolCalls + 10,
          ...(deps.secrets ? { secrets: deps.secrets } : {}),
        });
        const rules = async (fallbackReason: string | null) => {
          const report = await runRulesEngine({ executionId, alert: request.alert, fallbackReason, signal }, invoker, { now: deps.now });
          return { ...report, stats: { ...report.stats, durationMs: deps.now() - started } };
        };
        const settle = (report: Report): Report => {
          if (shutdown?.aborted) throw cancelled();
          const problem = assessEvidence(invoker.calls);
          if (problem) throw fail("evidence_unavailable", `${problem} — no report for execution ${executionId}`);
          return report;
        };
        if (options.engine === "rules" || !deps.model) return settle(await rules(null));

        // The rules engine goes first: the model starts from its verified facts and open leads.
        const first = await runRulesTriage({ executionId, alert: request.alert, fallbackReason: null, signal }, invoker, { now: deps.now });
        const incident = await invoker.call("get_incident_details", { executionId });
        const outcome = await runAgent(
          { executionId, alert: request.alert, incident, facts: first.facts, signal: AbortSignal.any([signal, modelTimer.signal]) },
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
              deadline: started + modelShare,
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
          if (shutdown?.aborted) throw cancelled();
          deps.logger.warn({ executionId, reason: outcome.reason }, "model did not deliver a report; the rules engine stands in");
          const report = await rules(outcome.reason);
          return settle({ ...report, stats: { ...report.stats, ...modelStats } });
        }
        return settle({
          ...outcome.report,
          stats: {
            ...emptyStats("claude"),
            ...modelStats,
            findingsDropped: outcome.findingsDropped,
            toolCalls: invoker.calls.length,
            durationMs: deps.now() - started,
            commands: invoker.calls.flatMap((c) => (c.result.command && !c.cached ? [c.result.command] : [])),
          },
        });
      } finally {
        deadline.clear();
        modelTimer.clear();
      }
    },
  };
}

/** The execution could not be read: in transit (retry later) or for good (missing, malformed, no cluster). */
function unreadable(executionId: string, error: unknown, signal: AbortSignal): OncallError {
  if (signal.aborted) {
    return new OncallError("evidence_unavailable", `the failing execution ${executionId} could not be read in time: ${errorMessage(signal.reason)}`, { cause: error });
  }
  if (error instanceof ConductorError && (error.isTransient || error.code === "conductor_auth" || error.code === "conductor_aborted")) {
    return new OncallError("evidence_unavailable", `the failing execution could not be read: ${error.message}`, { cause: error });
  }
  return new OncallError("execution_unreadable", `execution ${executionId} cannot be triaged: ${errorMessage(error)}`, { cause: error });
}

/** An AbortSignal that fires after `ms` with `message` as its reason; `clear` drops the timer. */
function timerSignal(ms: number, message: string): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(message)), Math.max(0, ms));
  timer.unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

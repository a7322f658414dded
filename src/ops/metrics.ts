import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * The bot's Prometheus metrics, on a registry of its own. Labels are closed sets (engine, outcome,
 * kind, command, status, service, error code, channel id) — never message text or secrets.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "oncall_" });
  const registers = [registry];
  const seconds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
  return {
    registry,
    alertsSeen: new Counter({ name: "oncall_alerts_seen_total", help: "Alerts found in the channels", registers }),
    pollCycles: new Counter({ name: "oncall_poll_cycles_total", help: "Poll cycles by result", labelNames: ["result"], registers }),
    lastPoll: new Gauge({ name: "oncall_last_poll_timestamp_seconds", help: "When the last poll cycle finished (unix seconds)", registers }),
    triages: new Counter({ name: "oncall_triages_total", help: "Triages by engine and outcome", labelNames: ["engine", "outcome"], registers }),
    triageDuration: new Histogram({ name: "oncall_triage_duration_seconds", help: "Wall clock of one triage", labelNames: ["engine"], buckets: seconds, registers }),
    firstReaction: new Histogram({
      name: "oncall_time_to_first_reaction_seconds",
      help: "From the alert's post to the bot's first reaction on it",
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    replies: new Counter({ name: "oncall_replies_total", help: "Thread replies posted, by kind", labelNames: ["kind"], registers }),
    toolCalls: new Counter({ name: "oncall_tool_calls_total", help: "Agent-handler commands by command and status", labelNames: ["command", "status"], registers }),
    toolDuration: new Histogram({ name: "oncall_tool_call_duration_seconds", help: "Duration of one command", labelNames: ["command"], buckets: seconds, registers }),
    modelTokens: new Counter({ name: "oncall_model_tokens_total", help: "Model tokens by kind", labelNames: ["kind"], registers }),
    modelCost: new Counter({ name: "oncall_model_cost_usd_total", help: "Estimated model cost in US dollars", registers }),
    errors: new Counter({ name: "oncall_errors_total", help: "Errors of the services the bot calls, by service and code", labelNames: ["service", "code"], registers }),
    stateOps: new Histogram({
      name: "oncall_state_operation_duration_seconds",
      help: "State store operations",
      labelNames: ["operation"],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
      registers,
    }),
    notifications: new Counter({ name: "oncall_notifications_total", help: "Notifications by channel and outcome", labelNames: ["channel", "outcome"], registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

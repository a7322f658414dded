import type { Alert } from "../../src/alerts/types.ts";
import { emptyStats, type Report } from "../../src/report/schema.ts";

/** A Redis CRITICAL alert as the parser produces it (domain.md §1). */
export function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    executionId: "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
    executionUrl: "https://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
    severity: "CRITICAL",
    organization: "Acme",
    environment: "prod",
    cluster: "acme-eu-1",
    issues: [
      {
        severity: "CRITICAL",
        type: "REDIS_CRITICAL_USAGE",
        text: "The Redis instance is at 71%, above the CRITICAL threshold of 65%",
      },
    ],
    signature: "acme-eu-1|REDIS_CRITICAL_USAGE",
    headline: "[CRITICAL] The health-checking has FAILED for the Acme's prod acme-eu-1 cluster",
    ...overrides,
  };
}

/** What Claude typically submits for that alert, with realistic run figures. */
export function makeReport(overrides: Partial<Report> = {}): Report {
  return {
    issue: "Redis at 71% on acme-eu-1: decider queue backlog from a stuck payment workflow",
    severity: "CRITICAL",
    findings: [
      { tool: "get_cluster_data", text: "48,213 RUNNING workflows; 46,900 of them are payment_reconcile v3" },
      { tool: "get_pod_logs", text: "conductor-server-7d9f8c-x2k4q: 1,204 'Task poll timed out' in the last 15 min" },
      { tool: "get_redis_info", text: "used_memory 2.84 GB of 4 GB; keyspace dominated by _decider queue (3.1M entries)" },
    ],
    likelyRootCause:
      "The payment_reconcile workers stopped polling at 09:42 UTC, so workflows pile up in the decider queue and Redis memory grows.",
    confidence: "high",
    nextStep: "Check the payment-worker deployment (it has 0 ready replicas) and restart it; then watch the decider queue drain.",
    appOrInfra: "app",
    stats: {
      ...emptyStats("claude"),
      toolCalls: 7,
      turns: 4,
      inputTokens: 18_400,
      outputTokens: 1_250,
      cacheReadTokens: 12_000,
      costUsd: 0.0423,
      durationMs: 38_200,
      commands: ["get_cluster_data", "get_pod_logs", "get_redis_info"],
    },
    ...overrides,
  };
}

/**
 * Everything in rendered Slack text that Slack would turn into a notification or a link we did not
 * build: `<!…>`, `<@…>`, `<#…>` markup, bare `@here`/`@channel`/`@everyone`, and any `<` that does
 * not open one of our own https links.
 */
export function findLiveMarkup(text: string): string[] {
  const patterns = [/<[!@#][^>]*>?/g, /(?<![\w\u200B])@(?:here|channel|everyone)\b/gi, /<(?!https?:\/\/)[^>]*>?/g];
  return patterns.flatMap((pattern) => text.match(pattern) ?? []);
}

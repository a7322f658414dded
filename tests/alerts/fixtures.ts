import type { IssueType, Severity, SlackMessageLike } from "../../src/alerts/types.ts";

/** Slack messages as the alert channel sees them, with what the parser must read from each. */

export interface ExpectedIssue {
  severity: Severity | null;
  type: IssueType;
  /** A part of the issue text that must be there. */
  textIncludes: string;
  pod?: string;
}

export interface ExpectedAlert {
  executionId: string;
  severity: Severity;
  organization: string | null;
  environment: string | null;
  cluster: string | null;
  issues: ExpectedIssue[];
  headlineIncludes?: string;
  noteIncludes?: string;
}

export type AlertCase =
  | { name: string; message: SlackMessageLike | string; alert: ExpectedAlert }
  | { name: string; message: SlackMessageLike | string; reason: RegExp };

const HOST = "https://cp.orkes.example";
const ID = {
  a: "8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
  b: "4f3e2d1c-9a8b-47c6-b5d4-e3f2a1b0c9d8",
  c: "c0ffee00-1234-4abc-8def-0123456789ab",
  d: "0d6e9a52-7b3f-4c1e-9f80-5a2b7c4d1e36",
};

const header = (sev: string, org: string, env: string, cluster: string, tail = "with the following issue:") =>
  `*\`[${sev}]\`* The health-checking has FAILED for the _${org}'s_ ${env} *\`${cluster}\`* cluster ${tail}`;

export const ALERT_CASES: AlertCase[] = [
  {
    name: "siren, one Redis issue, bare URL",
    message: {
      type: "message",
      ts: "1763971200.000100",
      bot_id: "B07ALERTS",
      text: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%\n${HOST}/execution/${ID.a}`,
    },
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [{ severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", textIncludes: "Redis instance is at 71%" }],
      headlineIncludes: "[CRITICAL] The health-checking has FAILED for the Acme's prod acme-eu-1 cluster",
    },
  },
  {
    name: "shortcode siren, <url> link, Redis HIGH threshold",
    message: {
      subtype: "bot_message",
      bot_id: "B07ALERTS",
      text: `:rotating_light: ${header("WARNING", "Globex Corporation", "staging", "globex-us-2")}\n*WARNING:* The Redis instance is at 52%, above the HIGH threshold of 50%\n<${HOST}/execution/${ID.b}>`,
    },
    alert: {
      executionId: ID.b,
      severity: "WARNING",
      organization: "Globex Corporation",
      environment: "staging",
      cluster: "globex-us-2",
      issues: [{ severity: "WARNING", type: "REDIS_HIGH_USAGE", textIncludes: "HIGH threshold of 50%" }],
    },
  },
  {
    name: ":warning: MAJOR, <url|label>, heap issue on a pod",
    message: `:warning: ${header("MAJOR", "Initech", "prod", "initech-prod-1")}\n*MAJOR:* The Heap usage is at 88% - conductor-server-7d9f8b6c5-x2kqp\n<${HOST}/execution/${ID.c}|View execution>`,
    alert: {
      executionId: ID.c,
      severity: "MAJOR",
      organization: "Initech",
      environment: "prod",
      cluster: "initech-prod-1",
      issues: [{ severity: "MAJOR", type: "CONDUCTOR_HIGH_HEAP_USAGE", textIncludes: "Heap usage is at 88%", pod: "conductor-server-7d9f8b6c5-x2kqp" }],
    },
  },
  {
    name: "no emoji, lower-case severity, CPU",
    message: `*\`[critical]\`* The health-checking has FAILED for the _Hooli's_ prod *\`hooli-ap-1\`* cluster with the following issue:\n*critical:* The CPU usage is at 97% - conductor-server-5c8d7f9b4-m4nz6\n${HOST}/execution/${ID.d}`,
    alert: {
      executionId: ID.d,
      severity: "CRITICAL",
      organization: "Hooli",
      environment: "prod",
      cluster: "hooli-ap-1",
      issues: [{ severity: "CRITICAL", type: "CONDUCTOR_HIGH_CPU_USAGE", textIncludes: "CPU usage is at 97%", pod: "conductor-server-5c8d7f9b4-m4nz6" }],
    },
  },
  {
    name: "two issues, pod suffix on the second",
    message: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1", "with the following 2 issues:")}\n*CRITICAL:* The Redis instance is at 83%, above the CRITICAL threshold of 65%\n*MAJOR:* Pod conductor-server-7d9f8b6c5-x2kqp is not Running - conductor-server-7d9f8b6c5-x2kqp\n${HOST}/execution/${ID.a}`,
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [
        { severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", textIncludes: "83%" },
        { severity: "MAJOR", type: "POD_NOT_RUNNING", textIncludes: "is not Running", pod: "conductor-server-7d9f8b6c5-x2kqp" },
      ],
    },
  },
  {
    name: "three issues: error logs, warn logs, restarted pod",
    message: `:warning: ${header("MAJOR", "Stark Industries", "prod", "stark-us-east-1", "with the following 3 issues:")}\n*MAJOR:* Error Logs Count is 1532, above the threshold of 1000\n*MINOR:* Warn Logs Count is 8120, above the threshold of 5000\n*MAJOR:* Pod has been restarted 4 times in the last hour - workers-6b4f9c7d8-q9wzt\n${HOST}/execution/${ID.b}`,
    alert: {
      executionId: ID.b,
      severity: "MAJOR",
      organization: "Stark Industries",
      environment: "prod",
      cluster: "stark-us-east-1",
      issues: [
        { severity: "MAJOR", type: "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", textIncludes: "1532" },
        { severity: "MINOR", type: "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD", textIncludes: "8120" },
        { severity: "MAJOR", type: "POD_RESTARTED", textIncludes: "restarted 4 times", pod: "workers-6b4f9c7d8-q9wzt" },
      ],
    },
  },
  {
    name: "HTML-escaped text and an escaped query string",
    message: `🚨 *\`[MAJOR]\`* The health-checking has FAILED for the _Johnson &amp; Johnson's_ prod *\`jnj-eu-3\`* cluster with the following issue:\n*MAJOR:* Response from &lt;api&gt; is taking too long to respond (4.2s &gt; 2s)\n${HOST}/execution/${ID.c}?tab=tasks&amp;taskRef=issues`,
    alert: {
      executionId: ID.c,
      severity: "MAJOR",
      organization: "Johnson & Johnson",
      environment: "prod",
      cluster: "jnj-eu-3",
      issues: [{ severity: "MAJOR", type: "RESPONSE_TIME", textIncludes: "Response from <api> is taking too long to respond (4.2s > 2s)" }],
    },
  },
  {
    name: "upper-case UUID, query string and trailing punctuation",
    message: `🚨 ${header("CRITICAL", "Wayne Enterprises", "prod", "wayne-gotham-1")}\n*CRITICAL:* Conductor has failed the health check\nSee ${HOST}/execution/${ID.d.toUpperCase()}?tab=diagram).`,
    alert: {
      executionId: ID.d,
      severity: "CRITICAL",
      organization: "Wayne Enterprises",
      environment: "prod",
      cluster: "wayne-gotham-1",
      issues: [{ severity: "CRITICAL", type: "CONDUCTOR_HEALTHY", textIncludes: "Conductor has failed" }],
    },
  },
  {
    name: "workers failed",
    message: `🚨 ${header("CRITICAL", "Soylent", "prod", "soylent-eu-2")}\n*CRITICAL:* Workers have failed: 0 of 3 ready\n${HOST}/execution/${ID.a}`,
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Soylent",
      environment: "prod",
      cluster: "soylent-eu-2",
      issues: [{ severity: "CRITICAL", type: "WORKERS_HEALTHY", textIncludes: "Workers have failed" }],
    },
  },
  {
    name: "prometheus down",
    message: `:warning: ${header("MAJOR", "Umbrella", "staging", "umbrella-stage")}\n*MAJOR:* Prometheus is down - prometheus-server-0\n${HOST}/execution/${ID.b}`,
    alert: {
      executionId: ID.b,
      severity: "MAJOR",
      organization: "Umbrella",
      environment: "staging",
      cluster: "umbrella-stage",
      issues: [{ severity: "MAJOR", type: "PROMETHEUS_NOT_RUNNING", textIncludes: "Prometheus is down", pod: "prometheus-server-0" }],
    },
  },
  {
    name: "DNS resolution failed",
    message: `🚨 ${header("CRITICAL", "Cyberdyne", "prod", "cyberdyne-us-west-2")}\n*CRITICAL:* DNS resolution has failed for cyberdyne.orkesconductor.io\n${HOST}/execution/${ID.c}`,
    alert: {
      executionId: ID.c,
      severity: "CRITICAL",
      organization: "Cyberdyne",
      environment: "prod",
      cluster: "cyberdyne-us-west-2",
      issues: [{ severity: "CRITICAL", type: "DNS_HEALTHY", textIncludes: "DNS resolution has failed" }],
    },
  },
  {
    name: "DNS failure naming the cluster at the end: not a pod",
    message: `🚨 ${header("CRITICAL", "Cyberdyne", "prod", "cyberdyne-eu-1")}\n*CRITICAL:* DNS resolution has failed - cyberdyne-eu-1\n${HOST}/execution/${ID.a}`,
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Cyberdyne",
      environment: "prod",
      cluster: "cyberdyne-eu-1",
      issues: [{ severity: "CRITICAL", type: "DNS_HEALTHY", textIncludes: "DNS resolution has failed - cyberdyne-eu-1" }],
    },
  },
  {
    name: "domain not resolved",
    message: `🚨 ${header("CRITICAL", "Tyrell", "prod", "tyrell-eu-1")}\n*CRITICAL:* The domain tyrell.orkesconductor.io has not been resolved\n${HOST}/execution/${ID.d}`,
    alert: {
      executionId: ID.d,
      severity: "CRITICAL",
      organization: "Tyrell",
      environment: "prod",
      cluster: "tyrell-eu-1",
      issues: [{ severity: "CRITICAL", type: "DOMAIN_RESOLUTION", textIncludes: "has not been resolved" }],
    },
  },
  {
    name: "domain down, auto-linked domain in the issue text",
    message: `🚨 ${header("CRITICAL", "Initech", "prod", "initech-prod-1")}\n*CRITICAL:* The domain <https://initech.orkesconductor.io|initech.orkesconductor.io> is down\n${HOST}/execution/${ID.a}`,
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Initech",
      environment: "prod",
      cluster: "initech-prod-1",
      issues: [{ severity: "CRITICAL", type: "DOMAIN_REACHABILITY", textIncludes: "The domain initech.orkesconductor.io is down" }],
    },
  },
  {
    name: "stale API key",
    message: `:warning: ${header("MINOR", "Massive Dynamic", "dev", "massive-dev")}\n*MINOR:* The agent is using a stale API key (last rotated 97 days ago)\n${HOST}/execution/${ID.b}`,
    alert: {
      executionId: ID.b,
      severity: "MINOR",
      organization: "Massive Dynamic",
      environment: "dev",
      cluster: "massive-dev",
      issues: [{ severity: "MINOR", type: "AUTH_STALE", textIncludes: "stale API key" }],
    },
  },
  {
    name: "certificate expiring",
    message: `:warning: ${header("WARNING", "Oscorp", "prod", "oscorp-eu-1")}\n*WARNING:* The certificate expires in less than 14 days for oscorp.orkesconductor.io\n${HOST}/execution/${ID.c}`,
    alert: {
      executionId: ID.c,
      severity: "WARNING",
      organization: "Oscorp",
      environment: "prod",
      cluster: "oscorp-eu-1",
      issues: [{ severity: "WARNING", type: "DOMAIN_CERTIFICATE_WILL_EXPIRE", textIncludes: "certificate expires in less than 14 days" }],
    },
  },
  {
    name: "health check timed out, no severity in the text",
    message: `:x: The health-checking for the cluster *Vandelay Industries (Enterprise) - vandelay-us-1* has failed\nFailure Status: \`TIMED_OUT\`\nReason: Workflow timed out after 300 seconds waiting for task get_cluster_metrics\n${HOST}/execution/${ID.d}`,
    alert: {
      executionId: ID.d,
      severity: "CRITICAL",
      organization: "Vandelay Industries",
      environment: null,
      cluster: "vandelay-us-1",
      issues: [{ severity: "CRITICAL", type: "UNKNOWN", textIncludes: "health check itself timed out (Failure Status TIMED_OUT): Workflow timed out after 300 seconds" }],
      headlineIncludes: "The health-checking for the cluster Vandelay Industries (Enterprise) - vandelay-us-1 has failed",
    },
  },
  {
    name: "health check timed out, severity marker and a link",
    message: `:x: *\`[MAJOR]\`* The health-checking for the cluster *Pied Piper (Basic) - piedpiper-stage* has failed\nFailure Status: \`TIMED_OUT\`\nReason: Task prepare_agent_handler was not polled within 120s\n<${HOST}/execution/${ID.a}|${HOST}/execution/${ID.a}>`,
    alert: {
      executionId: ID.a,
      severity: "MAJOR",
      organization: "Pied Piper",
      environment: null,
      cluster: "piedpiper-stage",
      issues: [{ severity: "MAJOR", type: "UNKNOWN", textIncludes: "Task prepare_agent_handler was not polled within 120s" }],
    },
  },
  {
    name: "aggregator digest: headline text, alert quoted in a section block, context count",
    message: {
      type: "message",
      subtype: "bot_message",
      bot_id: "B07DIGEST",
      ts: "1763971260.000200",
      text: "Repeated alert for acme-eu-1 (3 occurrences)",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Repeated alert for acme-eu-1" } },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: `&gt; :rotating_light: ${header("CRITICAL", "Acme", "prod", "acme-eu-1", "with the following 2 issues:")}\n&gt; *CRITICAL:* The Redis instance is at 77%, above the CRITICAL threshold of 65%\n&gt; *MAJOR:* Error Logs Count is 2048, above the threshold of 1000\n&gt; <${HOST}/execution/${ID.b}>`,
          },
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "Seen *3* times since 09:12 UTC · last at 10:42:05 UTC" }] },
      ],
    },
    alert: {
      executionId: ID.b,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [
        { severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", textIncludes: "77%" },
        { severity: "MAJOR", type: "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD", textIncludes: "2048" },
      ],
      headlineIncludes: "health-checking has FAILED for the Acme's prod acme-eu-1",
    },
  },
  {
    name: "rich_text blocks only, link element, emoji element",
    message: {
      ts: "1763971300.000300",
      bot_id: "B07ALERTS",
      text: "",
      blocks: [
        {
          type: "rich_text",
          elements: [
            {
              type: "rich_text_section",
              elements: [
                { type: "emoji", name: "rotating_light" },
                { type: "text", text: " " },
                { type: "text", text: "[CRITICAL]", style: { bold: true, code: true } },
                { type: "text", text: " The health-checking has FAILED for the " },
                { type: "text", text: "Nakatomi's", style: { italic: true } },
                { type: "text", text: " prod " },
                { type: "text", text: "nakatomi-jp-1", style: { bold: true, code: true } },
                { type: "text", text: " cluster with the following issue:\n" },
                { type: "text", text: "CRITICAL:", style: { bold: true } },
                { type: "text", text: " The Redis instance is at 68%, above the CRITICAL threshold of 65%\n" },
                { type: "link", url: `${HOST}/execution/${ID.c}` },
              ],
            },
          ],
        },
      ],
    },
    alert: {
      executionId: ID.c,
      severity: "CRITICAL",
      organization: "Nakatomi",
      environment: "prod",
      cluster: "nakatomi-jp-1",
      issues: [{ severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", textIncludes: "68%" }],
    },
  },
  {
    name: "alert inside a legacy attachment (text, fallback, pretext)",
    message: {
      subtype: "bot_message",
      bot_id: "B07LEGACY",
      text: "",
      attachments: [
        {
          pretext: "Health check alert",
          color: "#d00000",
          text: `:warning: ${header("MAJOR", "Gringotts", "prod", "gringotts-uk-1")}\n*MAJOR:* Pod is not Running - redis-master-0\n<${HOST}/execution/${ID.d}|Open execution>`,
          fallback: `[MAJOR] Gringotts prod gringotts-uk-1: Pod is not Running - redis-master-0 ${HOST}/execution/${ID.d}`,
        },
      ],
    },
    alert: {
      executionId: ID.d,
      severity: "MAJOR",
      organization: "Gringotts",
      environment: "prod",
      cluster: "gringotts-uk-1",
      issues: [{ severity: "MAJOR", type: "POD_NOT_RUNNING", textIncludes: "Pod is not Running", pod: "redis-master-0" }],
    },
  },
  {
    name: "no bracketed severity: taken from the *SEV:* issue line",
    message: `:rotating_light: The health-checking has FAILED for the _Acme's_ prod *\`acme-us-1\`* cluster with the following issue:\n*CRITICAL:* The Heap usage is at 95%\n${HOST}/execution/${ID.a}`,
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-us-1",
      issues: [{ severity: "CRITICAL", type: "CONDUCTOR_HIGH_HEAP_USAGE", textIncludes: "Heap usage is at 95%" }],
    },
  },
  {
    name: "issue lines only, no header: most severe line wins",
    message: `*MINOR:* Warn Logs Count is 6100\n*MAJOR:* The CPU usage is at 91%\n${HOST}/execution/${ID.b}`,
    alert: {
      executionId: ID.b,
      severity: "MAJOR",
      organization: null,
      environment: null,
      cluster: null,
      issues: [
        { severity: "MINOR", type: "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD", textIncludes: "6100" },
        { severity: "MAJOR", type: "CONDUCTOR_HIGH_CPU_USAGE", textIncludes: "91%" },
      ],
      noteIncludes: "no health-check header",
    },
  },
  {
    name: "two different execution URLs: the first is used, with a note",
    message: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* Conductor has failed\n${HOST}/execution/${ID.c}\nPrevious run: ${HOST}/execution/${ID.d}`,
    alert: {
      executionId: ID.c,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [{ severity: "CRITICAL", type: "CONDUCTOR_HEALTHY", textIncludes: "Conductor has failed" }],
      noteIncludes: "2 different executions",
    },
  },
  {
    name: "thread parent (thread_ts equals ts) is still an alert",
    message: {
      ts: "1763971400.000400",
      thread_ts: "1763971400.000400",
      bot_id: "B07ALERTS",
      text: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* Workers have failed\n${HOST}/execution/${ID.a}`,
    },
    alert: {
      executionId: ID.a,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [{ severity: "CRITICAL", type: "WORKERS_HEALTHY", textIncludes: "Workers have failed" }],
    },
  },
  {
    name: "no environment word; possessive of a plural name",
    message: `🚨 *\`[CRITICAL]\`* The health-checking has FAILED for the _Bluth Brothers'_ *\`bluth-us-1\`* cluster with the following issue:\n*CRITICAL:* The domain bluth.orkesconductor.io is down\n${HOST}/execution/${ID.b}`,
    alert: {
      executionId: ID.b,
      severity: "CRITICAL",
      organization: "Bluth Brothers",
      environment: null,
      cluster: "bluth-us-1",
      issues: [{ severity: "CRITICAL", type: "DOMAIN_REACHABILITY", textIncludes: "is down" }],
    },
  },
  {
    name: "issue on the header line, bulleted second issue",
    message: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1", "with the following 2 issues: *CRITICAL:* The Redis instance is at 90%")}\n• *MAJOR:* Pod has been restarted 2 times - conductor-server-7d9f8b6c5-h7rlw\n${HOST}/execution/${ID.c}`,
    alert: {
      executionId: ID.c,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [
        { severity: "CRITICAL", type: "REDIS_CRITICAL_USAGE", textIncludes: "Redis instance is at 90%" },
        { severity: "MAJOR", type: "POD_RESTARTED", textIncludes: "restarted 2 times", pod: "conductor-server-7d9f8b6c5-h7rlw" },
      ],
    },
  },
  {
    name: "same alert in text and in a section block: issues once",
    message: {
      bot_id: "B07ALERTS",
      text: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* The CPU usage is at 99%\n${HOST}/execution/${ID.d}`,
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* The CPU usage is at 99%\n<${HOST}/execution/${ID.d}>` },
        },
      ],
    },
    alert: {
      executionId: ID.d,
      severity: "CRITICAL",
      organization: "Acme",
      environment: "prod",
      cluster: "acme-eu-1",
      issues: [{ severity: "CRITICAL", type: "CONDUCTOR_HIGH_CPU_USAGE", textIncludes: "99%" }],
    },
  },
  // Not alerts.
  { name: "human chatter", message: { user: "U02HUMAN", ts: "1763971500.000500", text: "anyone looking at acme-eu-1? redis looks hot again" }, reason: /no \/execution\/<uuid> URL/ },
  { name: "channel join", message: { subtype: "channel_join", user: "U02HUMAN", text: "<@U02HUMAN> has joined the channel" }, reason: /^channel_join message$/ },
  { name: "topic change", message: { subtype: "channel_topic", user: "U02HUMAN", text: "set the channel topic: alerts" }, reason: /channel_topic/ },
  {
    name: "thread reply carrying a full alert text",
    message: {
      ts: "1763971600.000700",
      thread_ts: "1763971400.000400",
      bot_id: "B07ONCALL",
      text: `🚨 ${header("CRITICAL", "Acme", "prod", "acme-eu-1")}\n*CRITICAL:* Workers have failed\n${HOST}/execution/${ID.a}`,
    },
    reason: /thread reply/,
  },
  { name: "a URL that is not an execution", message: `Runbook: ${HOST}/workflowDef/health_check and https://status.orkes.io`, reason: /no \/execution\/<uuid> URL/ },
  { name: "an /execution/ URL whose id is not a UUID", message: `🚨 *\`[CRITICAL]\`* see ${HOST}/execution/health_check-latest`, reason: /not a UUID/ },
  {
    name: "a human pasting an execution URL",
    message: { user: "U02HUMAN", text: `can someone check <${HOST}/execution/${ID.a}>? looks stuck` },
    reason: /no health-check alert text/,
  },
  { name: "empty message (file share without text)", message: { subtype: "file_share", user: "U02HUMAN", text: "" }, reason: /no text/ },
];

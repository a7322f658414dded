import { z } from "zod";

/**
 * The only agent-handler commands the bot can dispatch (domain.md §5). This table is the
 * allow-list: dispatch takes a key of it, so a command not listed here cannot be named in code,
 * and the dispatcher checks the key again at run time. Mutating commands (DELETE_POD,
 * ROLLOUT_RESTART_DEPLOYMENT, RUN_KUBECTL, DOWNLOAD_HEAP_DUMP, ...) are deliberately absent;
 * tests/conductor/allow-list.test.ts fails if one is ever added.
 */
const podName = z.string().regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "must be a Kubernetes pod name");

export const READ_ONLY_COMMANDS = {
  GET_CLUSTER_METRICS: { workflow: "get_cluster_metrics", parameters: z.object({}).strict() },
  GET_INFRASTRUCTURE_METRICS: { workflow: "get_infrastructure_metrics", parameters: z.object({}).strict() },
  GET_PODS_DATA: { workflow: "get_pods_data", parameters: z.object({}).strict() },
  GET_DEPLOYMENTS_INFO: { workflow: "get_deployments_info", parameters: z.object({}).strict() },
  GET_POD_EVENTS: { workflow: "get_pod_events", parameters: z.object({ podName }).strict() },
  GET_TOP_OUTPUT_FROM_POD: { workflow: "get_top_output_from_pod", parameters: z.object({ podName: podName.optional() }).strict() },
  PULL_LOGS: {
    workflow: "pull_logs",
    parameters: z
      .object({
        podName,
        lines: z.number().int().min(1).max(1000),
        fetchOption: z.literal("TAIL"),
        grep: z.string().min(1).max(200).optional(),
      })
      .strict(),
  },
  GET_INGRESS_INFO: { workflow: "get_ingress_info", parameters: z.object({}).strict() },
  DOWNLOAD_THREAD_DUMP: { workflow: "download_thread_dump", parameters: z.object({ podName }).strict() },
  SQL_CONDUCTOR: {
    workflow: "sql_conductor",
    parameters: z
      .object({ query: z.string().min(1), transactional: z.literal(false), expectedRowCount: z.null() })
      .strict(),
  },
} as const;

export type ReadOnlyCommand = keyof typeof READ_ONLY_COMMANDS;
export type CommandParameters<C extends ReadOnlyCommand> = z.input<(typeof READ_ONLY_COMMANDS)[C]["parameters"]>;

/**
 * The version in the synchronous-execution path (`/workflow/execute/{name}/{version}`), which
 * must name one; start requests leave it out (latest). A live difference is a one-line change.
 */
export const COMMAND_WORKFLOW_VERSION = 1;

export type ReadOnlyWorkflow = (typeof READ_ONLY_COMMANDS)[ReadOnlyCommand]["workflow"];

const READ_ONLY_WORKFLOWS: ReadonlySet<string> = new Set(Object.values(READ_ONLY_COMMANDS).map((spec) => spec.workflow));

/** The client's last line of defence: nothing but an allow-listed command workflow is ever started. */
export function isReadOnlyWorkflow(name: string): name is ReadOnlyWorkflow {
  return READ_ONLY_WORKFLOWS.has(name);
}

export function isReadOnlyCommand(name: string): name is ReadOnlyCommand {
  return Object.hasOwn(READ_ONLY_COMMANDS, name);
}

/** Control-plane tasks that must run in NO_DOMAIN, not in the cluster agent's domain (domain.md §5). */
export const CONTROL_PLANE_TASKS = [
  "prepare_agent_handler",
  "save_agent_handler_results",
  "health_check_issues",
  "cluster_metrics_ingestion",
  "save_conductor_metrics",
  "find_latest_conductor_metrics_records",
  "certificates_expiration_summary",
  "fetch_deployment_info",
  "save_eks_version",
  "HTTP",
] as const;

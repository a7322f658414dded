import type { Task, Workflow } from "./schemas.ts";

export interface HealthCheckIssue {
  severity: string;
  description: string;
  /** The issue type when the worker names it (e.g. REDIS_CRITICAL_USAGE). */
  type?: string;
}

export interface HealthCheckExecution {
  workflowId: string;
  workflowName: string;
  status: string;
  input: Record<string, unknown>;
  reasonForIncompletion: string | null;
  issues: HealthCheckIssue[];
  clusterData: Record<string, unknown> | null;
  /** Tasks that failed or timed out, with their reasons (explains a timed-out health check). */
  failedTasks?: { referenceTaskName: string; status: string; reason: string | null }[];
}

const ISSUES_TASK = "issues";
const CLUSTER_DATA_TASK = "parse_conductor_cluster_data_ref";
const TEXT_KEYS = ["description", "message", "text"] as const;
const TYPE_KEYS = ["type", "issueType", "name"] as const;
const FAILED_TASK_STATUSES = new Set(["FAILED", "FAILED_WITH_TERMINAL_ERROR", "TIMED_OUT", "CANCELED"]);
/** How deep to look for the issue list inside the task output. */
const MAX_DEPTH = 4;

/** What the failing health-check execution says: its issues, cluster data and status. */
export function readHealthCheck(workflow: Workflow): HealthCheckExecution {
  const issuesTask = findTask(workflow.tasks, ISSUES_TASK);
  const clusterTask = findTask(workflow.tasks, CLUSTER_DATA_TASK);
  return {
    workflowId: workflow.workflowId,
    workflowName: workflow.workflowName ?? workflow.workflowType ?? "",
    status: workflow.status,
    input: workflow.input,
    reasonForIncompletion: workflow.reasonForIncompletion ?? null,
    issues: issuesTask?.outputData ? findIssues(issuesTask.outputData) : [],
    clusterData: clusterTask?.outputData ?? null,
    failedTasks: workflow.tasks
      .filter((task) => FAILED_TASK_STATUSES.has(task.status ?? ""))
      .map((task) => ({
        referenceTaskName: task.referenceTaskName ?? task.taskType ?? "?",
        status: task.status ?? "?",
        reason: task.reasonForIncompletion ?? null,
      })),
  };
}

/** The last completed run of a task (tasks are retried), else its last run. */
function findTask(tasks: Task[], referenceTaskName: string): Task | undefined {
  const runs = tasks.filter((task) => task.referenceTaskName === referenceTaskName);
  return runs.findLast((task) => task.status === "COMPLETED") ?? runs.at(-1);
}

/** The first list of issue-like objects anywhere in `value` (breadth first), tolerating JSON text. */
function findIssues(value: unknown): HealthCheckIssue[] {
  const queue: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const current = typeof next.value === "string" ? parseJson(next.value) : next.value;
    if (Array.isArray(current)) {
      const issues = current.flatMap(toIssue);
      if (issues.length > 0) return issues;
    }
    if (next.depth >= MAX_DEPTH || current === null || typeof current !== "object") continue;
    for (const child of Object.values(current)) queue.push({ value: child, depth: next.depth + 1 });
  }
  return [];
}

function toIssue(item: unknown): HealthCheckIssue[] {
  if (item === null || typeof item !== "object") return [];
  const record = item as Record<string, unknown>;
  const severity = record.severity;
  const description = TEXT_KEYS.map((key) => record[key]).find((v): v is string => typeof v === "string" && v.trim() !== "");
  if (typeof severity !== "string" || description === undefined) return [];
  const type = TYPE_KEYS.map((key) => record[key]).find((v): v is string => typeof v === "string" && v !== "");
  return [{ severity: severity.trim().toUpperCase(), description: description.trim(), ...(type ? { type } : {}) }];
}

function parseJson(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith("[") && !trimmed.startsWith("{")) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}

// Placeholder: the Conductor client work fills this in (reading the failing execution).
export interface HealthCheckIssue {
  severity: string;
  description: string;
}

export interface HealthCheckExecution {
  workflowId: string;
  workflowName: string;
  status: string;
  input: Record<string, unknown>;
  reasonForIncompletion: string | null;
  issues: HealthCheckIssue[];
  clusterData: Record<string, unknown> | null;
}

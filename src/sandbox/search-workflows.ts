/** Workflow search over the sandbox's executions and commands, answered in Conductor's summary shape (input as a JSON string). */
export type WorkflowView = { workflowId: string; workflowType: string; status: string; correlationId?: unknown; input: unknown; startTime: number };

/** `query=workflowType IN (a,b)` and `freeText` (`*` or a substring of the id or input). */
export function searchWorkflows(url: URL, executions: (WorkflowView | undefined)[], commands: WorkflowView[]) {
  const types = /workflowType\s+IN\s*\(([^)]*)\)/i.exec(url.searchParams.get("query") ?? "")?.[1]?.split(",").map((t) => t.trim());
  const freeText = url.searchParams.get("freeText") ?? "*";
  const matching = [...executions, ...commands]
    .filter((v): v is WorkflowView => v !== undefined)
    .filter((v) => !types || types.includes(v.workflowType))
    .filter((v) => freeText === "*" || freeText === "" || JSON.stringify([v.workflowId, v.input, v.correlationId]).toLowerCase().includes(freeText.toLowerCase()))
    .sort((a, b) => b.startTime - a.startTime);
  const startAt = Number(url.searchParams.get("start") ?? 0);
  const size = Number(url.searchParams.get("size") ?? 100);
  const results = matching.slice(startAt, startAt + size).map((v) => ({ ...v, input: JSON.stringify(v.input) }));
  return { totalHits: matching.length, results };
}

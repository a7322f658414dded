import { CONTROL_PLANE_TASKS, READ_ONLY_COMMANDS, type ReadOnlyCommand } from "../conductor/commands.ts";
import type { Scenario } from "./scenario-schema.ts";

export type ViolationKind = "forbidden_workflow" | "bad_request" | "routing" | "bad_input";

export interface Violation {
  kind: ViolationKind;
  message: string;
}

export type StartCheck =
  /** 400: never started. */
  | { accepted: false; violation: Violation }
  /** Started; `blocked` means no agent will ever poll it (it stays RUNNING); `inputViolations` make it FAIL. */
  | {
      accepted: true;
      command: ReadOnlyCommand;
      parameters: Record<string, unknown>;
      scenario: Scenario | null;
      blocked: Violation | null;
      inputViolations: Violation[];
    };

const COMMAND_BY_WORKFLOW = new Map<string, ReadOnlyCommand>(
  Object.entries(READ_ONLY_COMMANDS).map(([command, spec]) => [spec.workflow, command as ReadOnlyCommand]),
);

/**
 * Checks a StartWorkflowRequest the way the real system would fail it: an unknown or mutating
 * workflow is refused; wrong routing leaves the command unpolled; a wrong input makes it fail.
 */
export function checkStartRequest(body: unknown, scenarios: readonly Scenario[]): StartCheck {
  if (typeof body !== "object" || body === null) return refuse("bad_request", "the body must be a StartWorkflowRequest JSON object");
  const request = body as Record<string, unknown>;
  const name = String(request.name ?? "");
  const command = COMMAND_BY_WORKFLOW.get(name);
  if (!command) return refuse("forbidden_workflow", `workflow "${name}" is not a read-only agent-handler command`);
  const input = asRecord(request.input);
  const handlerRequest = asRecord(input.agentHandlerRequest);
  const parameters = asRecord(handlerRequest.parameters);

  const correlationId = typeof request.correlationId === "string" ? request.correlationId : "";
  const scenario = scenarios.find((s) => s.routing.taskDomain === correlationId) ?? null;
  const blocked = checkRouting(correlationId, asRecord(request.taskToDomain), scenario);

  const inputViolations: Violation[] = [];
  const bad = (message: string) => inputViolations.push({ kind: "bad_input", message });
  if (handlerRequest.command !== command) bad(`agentHandlerRequest.command must be ${command}, got ${String(handlerRequest.command)}`);
  const parsed = READ_ONLY_COMMANDS[command].parameters.safeParse(parameters);
  if (!parsed.success) bad(`invalid parameters for ${command}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  if (scenario) {
    const { organizationId, clusterName } = scenario.routing;
    if (input.organizationId !== organizationId) bad(`input.organizationId must be ${organizationId}`);
    if (handlerRequest.clusterName !== clusterName) bad(`agentHandlerRequest.clusterName must be ${clusterName}`);
  }
  return { accepted: true, command, parameters, scenario, blocked, inputViolations };
}

function checkRouting(correlationId: string, taskToDomain: Record<string, unknown>, scenario: Scenario | null): Violation | null {
  const routing = (message: string): Violation => ({ kind: "routing", message });
  if (!scenario) return routing(`correlationId "${correlationId}" is not "<orgId>#-#<clusterName>" of any sandbox cluster`);
  if (taskToDomain["*"] !== correlationId) return routing(`taskToDomain["*"] must be "${correlationId}"`);
  const missing = CONTROL_PLANE_TASKS.filter((task) => taskToDomain[task] !== "NO_DOMAIN");
  if (missing.length > 0) return routing(`taskToDomain must map ${missing.join(", ")} to NO_DOMAIN`);
  return null;
}

function refuse(kind: ViolationKind, message: string): StartCheck {
  return { accepted: false, violation: { kind, message } };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

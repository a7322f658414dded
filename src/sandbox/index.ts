export { startSandbox, SANDBOX_CREDENTIALS, type Sandbox, type SandboxOptions } from "./start-sandbox.ts";
export { loadScenarios } from "./load-scenarios.ts";
export { readRouting, scenarioFileSchema, type Scenario, type ScenarioRouting, type ScriptTurn } from "./scenario-schema.ts";
export { startSlackServer, type SlackServer, type SlackCall } from "./slack-server.ts";
export { startConductorServer, type ConductorServer, type ConductorServerOptions, type ConductorFault, type StartedCommand } from "./conductor-server.ts";
export { startAnthropicServer, type AnthropicServer, type AnthropicFault, type ModelRequest } from "./anthropic-server.ts";
export { answerCommand, filterLogs } from "./answer-command.ts";
export type { Faults, HttpFault } from "./faults.ts";
export type { Violation } from "./check-start-request.ts";

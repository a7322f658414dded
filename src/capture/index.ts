export { captureExecution, type CaptureDeps, type CaptureOptions, type CaptureResult } from "./capture-execution.ts";
export { parseMessageRef, synthesizeAlertMessage } from "./alert-source.ts";
export { buildCapturedScenario, TRUTH_TODO, type CaptureInput, type CapturedScenario } from "./build-scenario.ts";
export { recordCommands, type RecordedCall } from "./record-commands.ts";
export { createCaptureRedactor, formatRedactionCounts, type CaptureRedactor } from "./redact-capture.ts";
export { comparableReports } from "./compare-replay.ts";

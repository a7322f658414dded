export { parseAlert } from "./parse-alert.ts";
export { classifyIssue } from "./issue-types.ts";
export { describeIncident, incidentSignature, normaliseIssueText, type IncidentParts } from "./signature.ts";
export { readSlackMessage } from "./slack-message.ts";
export * from "./types.ts";

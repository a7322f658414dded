export * from "./schema.ts";
export { formatAge, formatCost, formatCount, formatStatsParts } from "./format-stats.ts";
export { renderFailureNote, renderKnownIncidentReply, renderReportReply } from "./render-slack.ts";
export { renderReportText } from "./render-text.ts";
export {
  FALLBACK_TEXT_LIMIT,
  isSafeLinkUrl,
  SLACK_LIMITS,
  slackLink,
  splitForSlack,
  type SlackBlock,
  type SlackReply,
} from "./slack-blocks.ts";

export { applyVerdict, createVerdictCollector, pickThreads, type CollectPolicy, type CollectSummary } from "./collect-verdicts.ts";
export { feedbackFileFor, openFeedbackStore, readFeedbackFile, type FeedbackStore } from "./feedback-store.ts";
export { readVerdict, VERDICT_REACTIONS, type ThreadMessage, type ThreadVerdict } from "./read-verdict.ts";
export { HISTORY_RETENTION_MS, recordReply, type AnsweredAlert } from "./record-reply.ts";
export { classifyRecurrence, renderRecurrenceLine, toRecurrenceNote, type IncidentKey, type Recurrence, type RecurrenceNote } from "./recurrence.ts";
export { emptyFeedback, FEEDBACK_VERSION, replyKey, VERDICTS, type FeedbackFile, type Judgement, type ReplyRecord, type Verdict } from "./schema.ts";
export { renderFeedbackText, summarizeFeedback, type FeedbackSummary, type Tally, type WrongAnswer } from "./summarize-feedback.ts";
export { createBotFeedback, type BotFeedback } from "./bot-feedback.ts";

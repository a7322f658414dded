/** The bot's memory across restarts: the alert lifecycle and decisions as pure functions over State, the store interface of operations, and the locked file store (snapshot + journal). */
export { compareSlackTs, isSlackTs } from "./compare-slack-ts.ts";
export {
  cancelAttempt,
  claim,
  deferAttempt,
  failAttempt,
  hasStep,
  isSuspect,
  markFailed,
  markReplied,
  pendingAlerts,
  postFailed,
  preparePost,
  recordStep,
  recoverInterrupted,
  retryDelayMs,
  startAttempt,
  unfinishedReactions,
  type ClaimRef,
  type StepKind,
} from "./alert-lifecycle.ts";
export {
  DEFAULT_MAX_CRASHES,
  advanceWatermark,
  decideMessage,
  emptyState,
  findDebounceWindow,
  openDebounceWindows,
  recordDiagnosis,
  recordNotification,
  type AlertRef,
  type Decision,
  type DecideOptions,
  type MessageId,
} from "./decisions.ts";
export { parseStateText } from "./load-state.ts";
export { applyOp, applyOps, type StateHandle, type StateOp } from "./operations.ts";
export { defaultPruneLimits, prune, type PruneLimits } from "./prune.ts";
export {
  ALERT_STATUSES,
  NOTIFICATION_CHANNELS,
  REPLY_KINDS,
  STATE_VERSION,
  alertKey,
  type AlertRecord,
  type AlertStatus,
  type ChannelRecord,
  type DebounceRecord,
  type NotificationChannel,
  type NotificationRecord,
  type PendingReply,
  type ReplyKind,
  type SignatureRecord,
  type State,
  type ThreadRef,
} from "./schema.ts";
export { openStateStore, type StateStore, type StateStoreDeps, type StateStoreOptions } from "./state-store.ts";

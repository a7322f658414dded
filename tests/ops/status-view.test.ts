import { describe, expect, it } from "vitest";
import { renderStatus, summarizeStatus } from "../../src/ops/status-view.ts";
import { alertRecordSchema, stateSchema, type State } from "../../src/state/schema.ts";

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 9, minute)).toISOString();

function record(ts: string, fields: Record<string, unknown>) {
  return alertRecordSchema.parse({
    channel: "C0ALERTS1",
    ts,
    executionId: `exec-${ts}`,
    signature: `sig-${ts}`,
    status: "claimed",
    attempts: 0,
    replyTs: null,
    replyKind: null,
    claimedAt: at(0),
    repliedAt: null,
    updatedAt: at(0),
    lastError: null,
    ...fields,
  });
}

const state: State = stateSchema.parse({
  version: 2,
  channels: { C0ALERTS1: { watermark: "1764579600.000300", updatedAt: at(9) } },
  alerts: {
    "C0ALERTS1:1764579600.000100": record("1764579600.000100", { status: "replied", replyKind: "full", replyTs: "1764579660.000100", claimedAt: at(1), repliedAt: at(2), updatedAt: at(2) }),
    "C0ALERTS1:1764579600.000200": record("1764579600.000200", {
      status: "failed",
      attempts: 3,
      lastError: "Conductor answered 503 for 12 minutes",
      updatedAt: at(8),
      notifications: { email: { status: "failed", attempts: 3, reason: "SMTP refused the login", updatedAt: at(8) } },
    }),
    "C0ALERTS1:1764579600.000300": record("1764579600.000300", { status: "claimed", attempts: 1, crashes: 1, nextAttemptAt: at(12), lastError: "evidence unavailable" }),
  },
  executions: {},
  signatures: {},
});

describe("status", () => {
  it("shows channels, what is in flight, recent replies with their duration, failures and pending notifications", () => {
    const view = summarizeStatus(state, { recent: 10 });
    expect(view.totals).toEqual({ alerts: 3, replied: 1, failed: 1, inFlight: 1 });
    expect(view.channels).toEqual([{ channel: "C0ALERTS1", watermark: "1764579600.000300", lastPollAt: at(9) }]);
    expect(view.inFlight[0]).toMatchObject({ status: "claimed", attempts: 1, crashes: 1, nextAttemptAt: at(12) });
    expect(view.recentReplies[0]).toMatchObject({ kind: "full", durationMs: 60_000 });
    expect(view.failures[0]).toMatchObject({ reason: "Conductor answered 503 for 12 minutes", attempts: 3 });
    expect(view.pendingNotifications).toEqual([{ alert: "C0ALERTS1:1764579600.000200", channel: "email", status: "failed", attempts: 3, reason: "SMTP refused the login" }]);
  });

  it("renders a table an operator can read, saying none where there is nothing", () => {
    const text = renderStatus(summarizeStatus({ ...state, alerts: {} }, { recent: 10 }));
    expect(text).toContain("0 alerts on record");
    expect(text).toContain("In flight: none");
    const full = renderStatus(summarizeStatus(state, { recent: 10 }));
    expect(full).toMatch(/Recent replies\n\s+ALERT\s+KIND\s+REPLIED\s+TOOK/);
    expect(full).toMatch(/full\s+\S+\s+60\.0 s/);
    expect(full).toContain("1 (+1 crash)");
  });
});

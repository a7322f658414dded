import { describe, expect, it } from "vitest";
import { parseAlert } from "../../src/alerts/index.ts";
import { ALERT_CASES } from "./fixtures.ts";

describe("parseAlert over the fixture messages", () => {
  it("has at least 25 alert messages and covers every outcome", () => {
    expect(ALERT_CASES.filter((c) => "alert" in c).length).toBeGreaterThanOrEqual(25);
    expect(ALERT_CASES.filter((c) => "reason" in c).length).toBeGreaterThanOrEqual(6);
  });

  it.each(ALERT_CASES.map((c) => [c.name, c] as const))("%s", (_name, testCase) => {
    const result = parseAlert(testCase.message);
    if ("reason" in testCase) {
      expect(result.isAlert).toBe(false);
      if (!result.isAlert) expect(result.reason).toMatch(testCase.reason);
      return;
    }
    expect(result.isAlert, result.isAlert ? "" : result.reason).toBe(true);
    if (!result.isAlert) return;
    const { alert } = result;
    const expected = testCase.alert;
    expect({
      executionId: alert.executionId,
      severity: alert.severity,
      organization: alert.organization,
      environment: alert.environment,
      cluster: alert.cluster,
    }).toEqual({
      executionId: expected.executionId,
      severity: expected.severity,
      organization: expected.organization,
      environment: expected.environment,
      cluster: expected.cluster,
    });
    expect(alert.executionUrl).toBe(`https://cp.orkes.example/execution/${expected.executionId}`);
    expect(alert.issues.map((i) => ({ severity: i.severity, type: i.type, pod: i.pod ?? null }))).toEqual(
      expected.issues.map((i) => ({ severity: i.severity, type: i.type, pod: i.pod ?? null })),
    );
    expected.issues.forEach((issue, index) => expect(alert.issues[index]?.text).toContain(issue.textIncludes));
    for (const issue of alert.issues) expect(issue.text).not.toMatch(/[*`]|&amp;|&lt;|&gt;|:rotating_light:/);
    expect(alert.signature).toMatch(/^[0-9a-f]{16}$/);
    if (expected.headlineIncludes !== undefined) expect(alert.headline).toContain(expected.headlineIncludes);
    expect(alert.headline).not.toMatch(/🚨|:\w+:|[*`]/);
    if (expected.noteIncludes !== undefined) expect(alert.notes?.join("\n")).toContain(expected.noteIncludes);
  });
});

describe("parseAlert edge behaviour", () => {
  const alertText = "🚨 *`[CRITICAL]`* The health-checking has FAILED for the _Acme's_ prod *`acme-eu-1`* cluster with the following issue:\n*CRITICAL:* Conductor has failed\nhttps://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002";

  it("does not reject a message for having a bot_id", () => {
    expect(parseAlert({ bot_id: "B1", subtype: "bot_message", text: alertText }).isAlert).toBe(true);
  });

  it("accepts a bare string like a message's text", () => {
    expect(parseAlert(alertText)).toEqual(parseAlert({ text: alertText }));
  });

  it("ignores fields of the wrong type instead of throwing", () => {
    const odd = { text: alertText, blocks: "not-a-list", attachments: [null, 3], thread_ts: 5 } as unknown as { text: string };
    expect(parseAlert(odd).isAlert).toBe(true);
  });

  it("notes when the header announces more issues than were read", () => {
    const result = parseAlert(alertText.replace("the following issue:", "the following 3 issues:"));
    expect(result.isAlert && result.alert.notes).toEqual(["the header announces 3 issue(s) but 1 were read"]);
  });

  it("keeps a non-TIMED_OUT failure status in the check-failed issue text", () => {
    const result = parseAlert(
      ":x: The health-checking for the cluster *Acme (Pro) - acme-eu-1* has failed\nFailure Status: `FAILED`\nReason: NPE in worker\nhttps://cp.orkes.example/execution/8b1c2d3e-0f4a-11f1-9c2e-0242ac120002",
    );
    expect(result.isAlert && result.alert.issues[0]?.text).toBe("The health check itself failed (Failure Status FAILED): NPE in worker");
  });
});

import { describe, expect, it } from "vitest";
import { classifyIssue } from "../../src/alerts/index.ts";
import { ISSUE_TYPES, type IssueType } from "../../src/alerts/types.ts";

const SAMPLES: Array<[string, IssueType]> = [
  ["The Redis instance is at 71%, above the CRITICAL threshold of 65%", "REDIS_CRITICAL_USAGE"],
  ["The Redis instance is at 55%, above the HIGH threshold of 50%", "REDIS_HIGH_USAGE"],
  ["The Heap usage is at 88%", "CONDUCTOR_HIGH_HEAP_USAGE"],
  ["The CPU usage is at 97% - conductor-server-7d9f8b6c5-x2kqp", "CONDUCTOR_HIGH_CPU_USAGE"],
  ["Error Logs Count is 1532, above the threshold of 1000", "CONDUCTOR_ERROR_LOGS_COUNT_EXCEEDED_THRESHOLD"],
  ["Warn Logs Count is 8120, above the threshold of 5000", "CONDUCTOR_WARN_LOGS_COUNT_EXCEEDED_THRESHOLD"],
  ["Conductor has failed the health check", "CONDUCTOR_HEALTHY"],
  ["Workers have failed: 0 of 3 ready", "WORKERS_HEALTHY"],
  ["Prometheus is down - prometheus-server-0", "PROMETHEUS_NOT_RUNNING"],
  ["Pod conductor-server-7d9f8b6c5-x2kqp is not Running", "POD_NOT_RUNNING"],
  ["Pod has been restarted 4 times - workers-6b4f9c7d8-q9wzt", "POD_RESTARTED"],
  ["DNS resolution has failed for acme.orkesconductor.io", "DNS_HEALTHY"],
  ["The domain acme.orkesconductor.io has not been resolved", "DOMAIN_RESOLUTION"],
  ["The domain acme.orkesconductor.io is down", "DOMAIN_REACHABILITY"],
  ["The agent is using a stale API key", "AUTH_STALE"],
  ["The certificate expires in less than 14 days", "DOMAIN_CERTIFICATE_WILL_EXPIRE"],
  ["The server is taking too long to respond (4.2s)", "RESPONSE_TIME"],
  ["Something nobody has seen before", "UNKNOWN"],
];

describe("classifyIssue", () => {
  it.each(SAMPLES)("%s → %s", (text, type) => {
    expect(classifyIssue(text)).toBe(type);
  });

  it("covers all 17 issue types", () => {
    expect(new Set(SAMPLES.map(([, type]) => type))).toEqual(new Set([...ISSUE_TYPES, "UNKNOWN"]));
  });

  it("tells Redis CRITICAL from HIGH by the line's severity when no threshold is named", () => {
    expect(classifyIssue("The Redis instance is at 80%", "CRITICAL")).toBe("REDIS_CRITICAL_USAGE");
    expect(classifyIssue("The Redis instance is at 80%", "WARNING")).toBe("REDIS_HIGH_USAGE");
    expect(classifyIssue("CRITICAL: The Redis instance is at 80%")).toBe("REDIS_CRITICAL_USAGE");
  });

  it("prefers the named threshold over the line's severity", () => {
    expect(classifyIssue("The Redis instance is at 52%, above the HIGH threshold of 50%", "CRITICAL")).toBe("REDIS_HIGH_USAGE");
  });

  it("is case- and whitespace-tolerant", () => {
    expect(classifyIssue("PROMETHEUS  IS\tDOWN")).toBe("PROMETHEUS_NOT_RUNNING");
  });
});

import { describe, expect, it } from "vitest";
import type { PodRecord } from "../../src/rules/read/read-pods.ts";
import { planFollowUps, SESSIONS_QUERY, workloadOf } from "../../src/rules/investigate/plan-follow-ups.ts";
import { evidenceOf, issue } from "./build-evidence.ts";

function pod(name: string, extra: Partial<PodRecord> = {}): PodRecord {
  return { name, status: "Running", ready: "1/1", restarts: 0, reasons: [], lastReasons: [], exitCodes: [], node: "n1", ...extra };
}

const SERVERS = [pod("conductor-server-kjlzn2dqc-rgg48"), pod("conductor-server-kjlzn2dqc-ktmtq"), pod("payment-workers-hwp2mfpcj-gmzfl")];

describe("planFollowUps", () => {
  it("empty logs from one replica: read its sibling with the same arguments, not another workload", () => {
    const evidence = evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-kjlzn2dqc-rgg48", lines: 500 }, status: "no_data", output: "no logs" }]);
    expect(planFollowUps(evidence, SERVERS, 5)).toEqual([{ tool: "pull_pod_logs", args: { pod: "conductor-server-kjlzn2dqc-ktmtq", lines: 500 } }]);
  });

  it("an exhausted connection pool in the logs asks Postgres who holds the sessions", () => {
    const data = "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms";
    const evidence = evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-kjlzn2dqc-rgg48" }, data }]);
    expect(planFollowUps(evidence, SERVERS, 5)).toEqual([{ tool: "run_sql_select", args: { query: SESSIONS_QUERY } }]);
  });

  it("red herring: Hikari housekeeping warnings and failed logins are not pool exhaustion", () => {
    const data = "WARN HikariPool-1 - Thread starvation or clock leap detected\nFATAL: password authentication failed for user \"conductor\"";
    const evidence = evidenceOf([{ tool: "pull_pod_logs", input: { pod: "conductor-server-kjlzn2dqc-rgg48" }, data }]);
    expect(planFollowUps(evidence, SERVERS, 5)).toEqual([]);
  });

  it("an ingress without an address: the load-balancer controller's logs then events, within the room left", () => {
    const controller = "aws-load-balancer-controller-w4fqsj4vb-bn4z4";
    const evidence = evidenceOf([{ tool: "get_ingress_info", data: "NAME        CLASS   HOSTS       ADDRESS   PORTS   AGE\nconductor   alb     a.example             80      2d\n" }], [issue("DOMAIN_RESOLUTION", "not resolved")]);
    expect(planFollowUps(evidence, [...SERVERS, pod(controller)], 5)).toEqual([
      { tool: "pull_pod_logs", args: { pod: controller, lines: 200 } },
      { tool: "get_pod_events", args: { pod: controller } },
    ]);
    expect(planFollowUps(evidence, [...SERVERS, pod(controller)], 1)).toHaveLength(1);
    expect(planFollowUps(evidence, SERVERS, 5)).toEqual([]);
  });

  it("an expiring certificate reads cert-manager's controller, not its webhook", () => {
    const evidence = evidenceOf([], [issue("DOMAIN_CERTIFICATE_WILL_EXPIRE", "expires in less than 7 days")]);
    const pods = [pod("cert-manager-webhook-6d7f9-abcde"), pod("cert-manager-7c9d8f6b5-x2x9p")];
    expect(planFollowUps(evidence, pods, 3)).toEqual([{ tool: "pull_pod_logs", args: { pod: "cert-manager-7c9d8f6b5-x2x9p", lines: 200 } }]);
  });

  it.each([
    ["conductor-server-7f9l24b4p-7p6cg", "conductor-server"],
    ["redis-master-0", "redis-master"],
    ["standalone", "standalone"],
  ])("workloadOf(%s) = %s", (name, workload) => {
    expect(workloadOf(name)).toBe(workload);
  });
});

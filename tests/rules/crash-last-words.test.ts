import { describe, expect, it } from "vitest";
import { analyzePodEvents } from "../../src/rules/judge/analyzers/analyze-pod-events.ts";
import { extractPods } from "../../src/rules/read/read-pods.ts";
import { evidenceOf } from "./build-evidence.ts";

/** `kubectl describe pod` of a pod whose init container exits 1 with a multi-line termination message. */
const DESCRIBED = [
  "Name:             ledger-api-5d8f7c6b9-q2w3e",
  "Namespace:        billing",
  "Status:           Pending",
  "Init Containers:",
  "  db-upgrade:",
  "    Image:          example/ledger-upgrade:2.4.0",
  "    State:          Waiting",
  "      Reason:       CrashLoopBackOff",
  "    Last State:     Terminated",
  "      Reason:       Error",
  "      Message:      ERROR: changelog lock could not be acquired",
  "                    after 300 seconds (held since 08:02).",
  "      Exit Code:    1",
  "    Ready:          False",
  "    Restart Count:  7",
  "Containers:",
  "  ledger-api:",
  "    Image:          example/ledger-api:2.4.0",
  "    State:          Waiting",
  "      Reason:       PodInitializing",
  "    Ready:          False",
  "    Restart Count:  0",
  "Events:",
  "  Type     Reason   Age                 From     Message",
  "  ----     ------   ----                ----     -------",
  "  Warning  BackOff  1m (x90 over 30m)   kubelet  Back-off restarting failed container db-upgrade in pod ledger-api-5d8f7c6b9-q2w3e_billing(1a2b)",
].join("\n");

describe("a crash loop quotes the container's termination message", () => {
  it("reads the described Last State message with its continuation lines and marks init containers", () => {
    const [pod] = extractPods(null, DESCRIBED);
    const upgrade = pod?.containers?.find((c) => c.name === "db-upgrade");
    expect(upgrade?.init).toBe(true);
    expect(upgrade?.lastMessage).toBe("ERROR: changelog lock could not be acquired after 300 seconds (held since 08:02).");
    expect(pod?.containers?.find((c) => c.name === "ledger-api")?.init).toBe(false);
  });

  it("names the init container and quotes why it exits instead of 'the reason is in its logs'", () => {
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pod_events", input: { pod: "ledger-api-5d8f7c6b9-q2w3e" }, data: DESCRIBED }]));
    const crash = candidates.find((c) => c.key === "crash");
    expect(crash?.cause).toContain("init container db-upgrade");
    expect(crash?.cause).toContain("exit code 1");
    expect(crash?.cause).toContain('"ERROR: changelog lock could not be acquired after 300 seconds (held since 08:02)."');
    expect(crash?.cause).not.toContain("the reason is in its logs");
  });

  it("reads lastState.terminated.message from a pod list", () => {
    const list = {
      items: [
        {
          metadata: { name: "ledger-api-5d8f7c6b9-q2w3e" },
          status: {
            phase: "Running",
            containerStatuses: [{ name: "ledger-api", restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { reason: "Error", exitCode: 2, message: "config key ledger.currency missing" } } }],
          },
        },
      ],
    };
    const events = "LAST SEEN   TYPE      REASON    OBJECT                               MESSAGE\n1m          Warning   BackOff   pod/ledger-api-5d8f7c6b9-q2w3e       Back-off restarting failed container ledger-api in pod ledger-api-5d8f7c6b9-q2w3e_billing(1a2b)\n";
    const { candidates } = analyzePodEvents.analyze(evidenceOf([{ tool: "get_pods_data", data: list }, { tool: "get_pod_events", input: { pod: "ledger-api-5d8f7c6b9-q2w3e" }, data: events }]));
    expect(candidates.find((c) => c.key === "crash")?.cause).toBe(
      'ledger-api-5d8f7c6b9-q2w3e\'s container ledger-api keeps failing (CrashLoopBackOff, exit code 2): "config key ledger.currency missing"',
    );
  });
});

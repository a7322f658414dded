import { extractPods } from "../../read/read-pods.ts";
import { workloadOf } from "../../read/workload-name.ts";
import { logTextOf, podOf, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";
import { IN_CLUSTER_AGENT } from "../../../playbook/component-pods.ts";
import { isTroubled } from "./analyze-pod-statuses.ts";
import { whatItSaid } from "./analyze-crash-errors.ts";

/**
 * The in-cluster agent up but not polling says why in its own logs (a server it cannot reach, a
 * key it is refused with): its error, quoted, is why the health check's commands time out. An
 * agent pod that is itself down is read by the pod's own cause instead.
 */
export const analyzeAgentLogs: Analyzer = {
  name: "agent logs",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result);
      if (!pod || !IN_CLUSTER_AGENT.test(workloadOf(pod))) continue;
      if (pods.some((p) => p.name === pod && isTroubled(p))) continue;
      const said = whatItSaid(logTextOf(result));
      if (!said) continue;
      analysis.findings.push({ text: `${pod}: ${said.quotes[0]}`, note: "the agent's own error", tool: result.tool, weight: 0.7, key: "agent-error" });
      analysis.candidates.push({
        key: "agent-error",
        cause: `The in-cluster agent ${pod} runs but fails on its own error, so the health check's commands are not polled: its logs say ${said.text}`,
        fact: `agent ${workloadOf(pod)} fails: ${(said.quotes[0] ?? "").slice(0, 60)}`,
        subject: pod,
        weight: 0.7,
        appOrInfra: "infra",
        nextStep: `Fix what ${pod}'s error names (the Conductor URL, key or network path it uses), then re-run the health check`,
        tool: result.tool,
      });
      break;
    }
    return analysis;
  },
};

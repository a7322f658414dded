import { matchMessage, type MessageSignature } from "../../../playbook/message-signatures.ts";
import { formatNumber, logTextOf, podOf, quoteLine, resultsFor } from "../../evidence.ts";
import type { Analysis, Analyzer } from "../../types.ts";

/** Log lines whose message names a cause (a rejected password, a corrupt AOF, a throttled task), per pod. */
export const analyzeLogMessages: Analyzer = {
  name: "log messages",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    for (const result of resultsFor(evidence, "pull_pod_logs")) {
      const pod = podOf(result) ?? "the pod";
      const hits = new Map<string, { signature: MessageSignature; count: number; line: string }>();
      for (const line of logTextOf(result).split(/\r?\n/)) {
        if (line.trim() === "") continue;
        const signature = matchMessage(line);
        if (!signature) continue;
        const hit = hits.get(signature.key) ?? { signature, count: 0, line: line.trim() };
        hit.count += 1;
        hits.set(signature.key, hit);
      }
      for (const { signature, count, line } of hits.values()) {
        const subject = signature.read?.(line) ?? null;
        analysis.findings.push({ text: `${pod}: ${quoteLine(line)}`, note: `×${formatNumber(count)}`, tool: result.tool, weight: signature.weight, key: signature.key });
        analysis.candidates.push({
          key: signature.key,
          cause: signature.cause(pod, line, subject),
          fact: signature.fact(pod, line, subject),
          weight: Math.min(0.95, signature.weight + (count >= 10 ? 0.05 : 0)),
          appOrInfra: signature.appOrInfra,
          nextStep: signature.nextStep(pod, subject),
          subject: pod,
          tool: result.tool,
        });
      }
    }
    return analysis;
  },
};

import { describe, expect, it } from "vitest";
import { ISSUE_TYPES } from "../../src/alerts/types.ts";
import { CAUSAL_EDGES, CAUSAL_NODES, alertNodeFor, explains, nodeForKey, pathsBetween } from "../../src/playbook/causal-graph.ts";
import { K8S_SIGNATURES } from "../../src/playbook/k8s-signatures.ts";
import { EXCEPTION_SIGNATURES } from "../../src/playbook/exception-signatures.ts";
import { MESSAGE_SIGNATURES } from "../../src/playbook/message-signatures.ts";
import { ERROR_MECHANISMS } from "../../src/playbook/error-mechanisms.ts";

const alertNodes = CAUSAL_NODES.filter((node) => node.issueTypes);

describe("causal graph", () => {
  it("gives every issue type its own alert node", () => {
    for (const type of [...ISSUE_TYPES, "UNKNOWN" as const]) expect(alertNodeFor(type).issueTypes, type).toContain(type);
  });

  it.each(CAUSAL_NODES.map((node) => [node.id, node] as const))("%s is reachable from some issue type", (_id, node) => {
    expect(node.issueTypes !== undefined || alertNodes.some((target) => explains(node.id, target.id))).toBe(true);
  });

  it("names the evidence on every edge, between nodes that exist, from cause to effect", () => {
    const ids = new Set(CAUSAL_NODES.map((node) => node.id));
    for (const edge of CAUSAL_EDGES) {
      expect(ids.has(edge.from) && ids.has(edge.to), `${edge.from} → ${edge.to}`).toBe(true);
      expect(edge.evidence.trim().length, `${edge.from} → ${edge.to}`).toBeGreaterThan(10);
      expect(getKind(edge.from) === "symptom" && edge.from.startsWith("alert:"), "an alert explains nothing").toBe(false);
    }
  });

  it("has no cycle: no node explains itself", () => {
    for (const node of CAUSAL_NODES) expect(pathsBetween(node.id, node.id).every((path) => path.length === 1)).toBe(true);
    for (const edge of CAUSAL_EDGES) expect(explains(edge.to, edge.from), `${edge.to} ↔ ${edge.from}`).toBe(false);
  });

  it("places every signature's key on a node, so no analyzer's evidence falls outside the graph", () => {
    const keys = [...K8S_SIGNATURES, ...EXCEPTION_SIGNATURES, ...MESSAGE_SIGNATURES, ...ERROR_MECHANISMS].map((s) => s.key);
    for (const key of [...keys, "backlog", "indexer", "scaled-to-zero", "pod-down", "db-idle-transaction", "db-saturated", "agent-down", "slow-response", "log-error", "log-warn", "exception-x.Y"]) {
      expect(nodeForKey(key), key).toBeDefined();
    }
  });

  it("keeps the backlog a symptom with causes upstream, as the domain says", () => {
    expect(nodeForKey("backlog")?.kind).toBe("symptom");
    expect(explains("scaled-to-zero", "alert:redis")).toBe(true);
    expect(explains("backlog", "scaled-to-zero")).toBe(false);
  });
});

function getKind(id: string): string | undefined {
  return CAUSAL_NODES.find((node) => node.id === id)?.kind;
}

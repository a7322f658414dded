import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { envSchema } from "../../src/config/index.ts";

/** The replicated overlay patches what the base really has, and asks only for variables the bot knows. */
const DIR = join(import.meta.dirname, "../../deploy/kubernetes");
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const overlay = parse(readFileSync(join(DIR, "replicated/kustomization.yaml"), "utf8")) as Doc;
const base = parse(readFileSync(join(DIR, "kustomization.yaml"), "utf8")) as Doc;
const deployment = parseAllDocuments(readFileSync(join(DIR, "deployment.yaml"), "utf8"))[0]!.toJS() as Doc;
const patchOf = (kind: string) => overlay.patches.find((p: Doc) => p.target.kind === kind);

describe("the replicated Kubernetes overlay", () => {
  it("builds on the base and drops its volume claim", () => {
    expect(overlay.resources).toEqual([".."]);
    const pvc = parseAllDocuments(readFileSync(join(DIR, "pvc.yaml"), "utf8"))[0]!.toJS() as Doc;
    expect(base.resources).toContain("pvc.yaml");
    expect(patchOf("PersistentVolumeClaim").target.name).toBe(pvc.metadata.name);
    expect(patchOf("PersistentVolumeClaim").patch).toContain("$patch: delete");
  });

  it("runs three replicas with rolling updates, the URL from a Secret, and removes the state volume it mounts", () => {
    const ops = parse(patchOf("Deployment").patch) as Doc[];
    expect(patchOf("Deployment").target.name).toBe(deployment.metadata.name);
    expect(ops).toContainEqual({ op: "replace", path: "/spec/replicas", value: 3 });
    expect(ops.find((o) => o.path === "/spec/strategy")?.value.type).toBe("RollingUpdate");
    expect(ops.find((o) => o.path.endsWith("/envFrom/-"))?.value.secretRef.name).toBe("oncall-agent-postgres");
    const container = deployment.spec.template.spec.containers[0];
    const volumes = deployment.spec.template.spec.volumes;
    // The removals are guarded by `test` ops on the names; check the base still matches them.
    expect(container.volumeMounts[0].name).toBe("state");
    expect(volumes[0].name).toBe("state");
    expect(volumes[0].persistentVolumeClaim.claimName).toBe(patchOf("PersistentVolumeClaim").target.name);
    expect(readFileSync(join(DIR, "replicated/kustomization.yaml"), "utf8")).toContain("ONCALL_STATE_URL");
    // What is still written to disk goes to the writable emptyDir, not the removed volume.
    const configOps = parse(patchOf("ConfigMap").patch) as Doc[];
    const stateFile = configOps.find((o) => o.path === "/data/ONCALL_STATE_FILE")?.value as string;
    const tmp = container.volumeMounts.find((m: Doc) => m.name === "tmp").mountPath as string;
    expect(stateFile.startsWith(`${tmp}/`)).toBe(true);
    expect(Object.keys(envSchema.shape)).toContain("ONCALL_STATE_URL");
  });
});

import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { envSchema, loadConfig } from "../../src/config/index.ts";
import { OPS_PATHS } from "../../src/ops/http-server.ts";

/** The deployment files agree with the code and with each other: names, ports, paths, grace periods. */
const ROOT = join(import.meta.dirname, "../..");
const DIR = join(ROOT, "deploy/kubernetes");
type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const docs: Doc[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) => parseAllDocuments(readFileSync(join(DIR, f), "utf8")).map((d) => ({ ...(d.toJS() as Doc), __file: f })));
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
const deployment = byKind("Deployment")[0]!;
const pod = deployment.spec.template.spec;
const container = pod.containers[0];
const configMap = byKind("ConfigMap")[0]!;
const secret = byKind("Secret")[0]!;
const settings: Record<string, string> = configMap.data;

describe("the Kubernetes manifests", () => {
  it("parse, and the kustomization lists exactly the files that exist", () => {
    const kustomization = docs.find((d) => d.__file === "kustomization.yaml")!;
    for (const resource of kustomization.resources) expect(existsSync(join(DIR, resource)), resource).toBe(true);
    const manifests = docs.filter((d) => d.kind && d.kind !== "Kustomization").map((d) => d.__file);
    expect([...kustomization.resources].sort()).toEqual([...new Set(manifests)].sort());
  });

  it("set only variables the configuration schema knows, and the ConfigMap's values pass its checks", () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of [...Object.keys(settings), ...Object.keys(secret.stringData)]) expect(known.has(name), name).toBe(true);
    const config = loadConfig({ ...settings, ...secret.stringData }, ["slack", "conductor"]);
    expect(config.ops.httpPort).toBeDefined();
  });

  it("probe the paths the ops server serves, on the port it listens on", () => {
    const port = container.ports.find((p: Doc) => p.name === container.livenessProbe.httpGet.port);
    expect(port.containerPort).toBe(Number(settings.ONCALL_HTTP_PORT));
    expect(settings.ONCALL_HTTP_ADDRESS).toBe("0.0.0.0");
    expect(container.livenessProbe.httpGet.path).toBe(OPS_PATHS.liveness);
    expect(container.readinessProbe.httpGet.path).toBe(OPS_PATHS.readiness);
    expect(container.readinessProbe.httpGet.port).toBe(port.name);
    expect(deployment.spec.template.metadata.annotations["prometheus.io/port"]).toBe(settings.ONCALL_HTTP_PORT);
    expect(deployment.spec.template.metadata.annotations["prometheus.io/path"]).toBe(OPS_PATHS.metrics);
    const service = byKind("Service")[0]!;
    expect(service.spec.ports[0].targetPort).toBe(port.name);
  });

  it("give the kubelet's grace period more time than the bot's own shutdown grace", () => {
    const config = loadConfig(settings, []);
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(config.oncall.shutdownGraceMs + 5_000);
  });

  it("run unprivileged on a read-only root file system, with the state on the claimed volume", () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    const stateDir = settings.ONCALL_STATE_FILE!.replace(/\/[^/]+$/, "");
    const mount = container.volumeMounts.find((m: Doc) => m.mountPath === stateDir);
    const volume = pod.volumes.find((v: Doc) => v.name === mount.name);
    expect(volume.persistentVolumeClaim.claimName).toBe(byKind("PersistentVolumeClaim")[0]!.metadata.name);
    expect(container.volumeMounts.some((m: Doc) => m.mountPath === "/tmp")).toBe(true);
    // One writer per state file: a second replica would be refused by the lock.
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy.type).toBe("Recreate");
  });

  it("match the container image: port, state path, health check and the non-root user", () => {
    const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toContain(`ONCALL_HTTP_PORT=${settings.ONCALL_HTTP_PORT}`);
    expect(dockerfile).toContain(`EXPOSE ${settings.ONCALL_HTTP_PORT}`);
    expect(dockerfile).toContain(`ONCALL_STATE_FILE=${settings.ONCALL_STATE_FILE}`);
    expect(dockerfile).toContain(`127.0.0.1:${settings.ONCALL_HTTP_PORT}${OPS_PATHS.liveness}`);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    expect(dockerfile).toContain('"node", "/app/dist/cli/entry.js"');
    expect(existsSync(join(ROOT, "src/cli/entry.ts"))).toBe(true);
  });
});

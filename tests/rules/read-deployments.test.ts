import { describe, expect, it } from "vitest";
import { extractDeployments } from "../../src/rules/read/read-deployments.ts";
import { currentRevision, extractHelmHistory } from "../../src/rules/read/read-helm.ts";

const deploymentList = {
  apiVersion: "apps/v1",
  kind: "DeploymentList",
  items: [
    {
      metadata: { name: "billing-workers", namespace: "billing", annotations: { "deployment.kubernetes.io/revision": "12", "kubernetes.io/change-cause": "bump worker image" } },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: "billing-workers" } },
          spec: {
            containers: [
              {
                name: "worker",
                image: "registry.example/billing-worker:4.1.0",
                resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                env: [
                  { name: "CONDUCTOR_SERVER_URL", value: "http://conductor-server.conductor:8080/api" },
                  { name: "CONDUCTOR_AUTH_SECRET", valueFrom: { secretKeyRef: { name: "billing-conductor", key: "secret" } } },
                ],
              },
            ],
          },
        },
      },
      status: { replicas: 3, updatedReplicas: 3, unavailableReplicas: 3, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet has timed out progressing." }] },
    },
    { metadata: { name: "archiver" }, spec: { replicas: 0 }, status: {} },
  ],
};

describe("extractDeployments: JSON", () => {
  it("DeploymentList: spec.replicas, ready (absent = 0), image, limits vs requests, env, revision, conditions", () => {
    const [workers, archiver] = extractDeployments(deploymentList, "");
    expect(workers).toMatchObject({
      name: "billing-workers",
      kind: "Deployment",
      namespace: "billing",
      desired: 3,
      ready: 0,
      updated: 3,
      revision: "12",
      changeCause: "bump worker image",
      images: ["registry.example/billing-worker:4.1.0"],
      limits: { cpu: "1", memory: "512Mi" },
      requests: { cpu: "250m", memory: "256Mi" },
      env: { CONDUCTOR_SERVER_URL: "http://conductor-server.conductor:8080/api", CONDUCTOR_AUTH_SECRET: "<secret billing-conductor/secret>" },
      podLabels: { app: "billing-workers" },
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
    });
    expect(archiver).toMatchObject({ name: "archiver", desired: 0 });
  });

  it.each([
    ["a READY-style ratio in replicas", { name: "meter-workers", replicas: "0/3" }, 3, 0],
    ["a ratio in ready", { name: "api", ready: "2/2" }, 2, 2],
    ["replicas as an object", { name: "api", replicas: { desired: 4, ready: 1, available: 1 } }, 4, 1],
    ["desired and ready numbers", { name: "api", desired: 2, ready: 0 }, 2, 0],
  ])("%s: 0 ready of N is not scaled to 0", (_label, object, desired, ready) => {
    const [record] = extractDeployments({ deployments: [object] }, "");
    expect(record).toMatchObject({ desired, ready });
  });

  it("a timestamp in `updated` is a last change, not a replica count; statefulsets get their kind; cron jobs are not workloads", () => {
    const records = extractDeployments(
      {
        deployments: [{ name: "sync", namespace: "games", replicas: "3/3", updated: "2025-01-13T15:01:40Z", env: { WORKER_TASK_TYPE: "leaderboard_refresh" }, changeCause: "helm upgrade sync" }],
        statefulsets: [{ name: "redis", ready: "1/1", image: "redis:7.2", resources: { requests: { memory: "1Gi" }, limits: { memory: "4Gi" } } }],
        cronjobs: [{ name: "nightly", schedule: "0 2 * * *" }],
      },
      "",
    );
    expect(records.map((r) => [r.name, r.kind])).toEqual([
      ["sync", "Deployment"],
      ["redis", "StatefulSet"],
    ]);
    expect(records[0]).toMatchObject({ updated: null, lastChange: "2025-01-13T15:01:40Z", env: { WORKER_TASK_TYPE: "leaderboard_refresh" }, changeCause: "helm upgrade sync" });
    expect(records[1]).toMatchObject({ limits: { memory: "4Gi", cpu: null }, requests: { memory: "1Gi" } });
  });

  it("simplified rollout history entries", () => {
    const [record] = extractDeployments([{ name: "ocr", desired: 3, ready: 0, history: [{ revision: 30, image: "ocr:1" }, { revision: 31, image: "ocr:2", cause: "right-size limits" }] }], "");
    expect(record?.history).toEqual([
      { revision: "30", image: "ocr:1", cause: null, time: null },
      { revision: "31", image: "ocr:2", cause: "right-size limits", time: null },
    ]);
  });

  it("finds nothing in odd input, without throwing", () => {
    expect(extractDeployments({ clusterIssuers: [{ name: "letsencrypt", ready: true }] }, "")).toEqual([]);
    expect(extractDeployments(42, "no table here")).toEqual([]);
    expect(extractDeployments(undefined, undefined as unknown as string)).toEqual([]);
  });
});

describe("extractDeployments: text", () => {
  it("kubectl get deploy -o wide: READY a/b is ready/desired; UP-TO-DATE, AVAILABLE and IMAGES kept", () => {
    const text = `NAME               READY   UP-TO-DATE   AVAILABLE   AGE    CONTAINERS   IMAGES                          SELECTOR
conductor-server   0/3     3            0           412d   server       acme.io/conductor:5.2.12        app=conductor-server
payment-workers    2/2     2            2           380d   worker       acme.io/payments/worker:7.3.0   app=payment-workers,tier=workers
`;
    const [server, workers] = extractDeployments(undefined, text);
    expect(server).toMatchObject({ name: "conductor-server", desired: 3, ready: 0, updated: 3, available: 0, images: ["acme.io/conductor:5.2.12"], podLabels: { app: "conductor-server" } });
    expect(workers).toMatchObject({ desired: 2, ready: 2, podLabels: { app: "payment-workers", tier: "workers" } });
  });

  it("older kubectl columns (DESIRED CURRENT) and a DEPLOYMENT name column with a namespace", () => {
    const old = "NAME        DESIRED   CURRENT   UP-TO-DATE   AVAILABLE   AGE\nworkers     0         0         0            0           3d\n";
    expect(extractDeployments(undefined, old)[0]).toMatchObject({ name: "workers", desired: 0, available: 0 });
    const named = "DEPLOYMENT              READY  IMAGE                          AGE\ncoredns (kube-system)   2/2    registry/coredns:v1.11.1       34d\n";
    expect(extractDeployments(undefined, named)[0]).toMatchObject({ name: "coredns", namespace: "kube-system", desired: 2, ready: 2, images: ["registry/coredns:v1.11.1"] });
  });

  it("`kind/name a/b image` lines without a header", () => {
    const text = "deployment/shop-server   3/3   acme/shop-server:5.3.2   limits: memory 8Gi\nstatefulset/shop-redis   1/1   redis:7.0.15\n";
    expect(extractDeployments(undefined, text)).toMatchObject([
      { name: "shop-server", kind: "Deployment", desired: 3, ready: 3, images: ["acme/shop-server:5.3.2"], limits: { memory: "8Gi" } },
      { name: "shop-redis", kind: "StatefulSet", desired: 1, ready: 1 },
    ]);
  });

  it("kubectl describe deployment: replicas line, revision, image, limits, env, conditions, old image", () => {
    const text = `Name:                   api-server
Namespace:              shop
Annotations:            deployment.kubernetes.io/revision: 23
Replicas:               4 desired | 2 updated | 4 total | 3 available | 1 unavailable
StrategyType:           RollingUpdate
Pod Template:
  Containers:
   api:
    Image:      acme/api:5.3.0
    Limits:     cpu: 4, memory: 8Gi
    Requests:
      cpu:     2
      memory:  6Gi
    Environment:
      JAVA_OPTS:  -Xms5g -Xmx6g
      SERVER_URL:  http://api:8080
Conditions:
  Type           Status  Reason
  ----           ------  ------
  Available      True    MinimumReplicasAvailable
  Progressing    Unknown DeploymentPaused
OldReplicaSets:  api-server-84d6 (2/2 replicas created)  image acme/api:5.2.11  revision 22
`;
    expect(extractDeployments(undefined, text)[0]).toMatchObject({
      name: "api-server",
      namespace: "shop",
      desired: 4,
      ready: 3,
      available: 3,
      updated: 2,
      revision: "23",
      images: ["acme/api:5.3.0"],
      previousImage: "acme/api:5.2.11",
      limits: { cpu: "4", memory: "8Gi" },
      requests: { cpu: "2", memory: "6Gi" },
      env: { JAVA_OPTS: "-Xms5g -Xmx6g", SERVER_URL: "http://api:8080" },
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
        { type: "Progressing", status: "Unknown", reason: "DeploymentPaused" },
      ],
    });
  });
});

describe("extractHelmHistory", () => {
  it("helm history text, dates with double spaces included", () => {
    const text = `REVISION  UPDATED                   STATUS      CHART                   APP VERSION  DESCRIPTION
40        Thu Nov 28 16:40:02 2024  superseded  shop-3.8.4              5.2.11       Upgrade complete
41        Tue Dec  3 05:45:36 2024  deployed    shop-3.9.0              5.3.0        Upgrade complete (canary paused at 2/4)
`;
    const revisions = extractHelmHistory(undefined, text);
    expect(revisions).toEqual([
      { release: null, revision: 40, updated: "Thu Nov 28 16:40:02 2024", status: "superseded", chart: "shop-3.8.4", appVersion: "5.2.11", description: "Upgrade complete" },
      { release: null, revision: 41, updated: "Tue Dec  3 05:45:36 2024", status: "deployed", chart: "shop-3.9.0", appVersion: "5.3.0", description: "Upgrade complete (canary paused at 2/4)" },
    ]);
    expect(currentRevision(revisions)?.revision).toBe(41);
  });

  it("helm history -o json and helm list text", () => {
    const json = [
      { revision: 1, updated: "2024-11-01T10:00:00Z", status: "superseded", chart: "svc-1.0.0", app_version: "1.0", description: "Install complete" },
      { revision: 2, updated: "2024-12-01T10:00:00Z", status: "failed", chart: "svc-1.1.0", app_version: "1.1", description: "Upgrade \"svc\" failed: timed out waiting for the condition" },
    ];
    const revisions = extractHelmHistory(json, "");
    expect(revisions.map((r) => [r.revision, r.status, r.appVersion])).toEqual([
      [1, "superseded", "1.0"],
      [2, "failed", "1.1"],
    ]);
    expect(currentRevision(revisions)?.revision).toBe(2);
    const list = "NAME           NAMESPACE  REVISION  UPDATED                  STATUS    CHART             APP VERSION\nnetpol-base    conductor  1         2024-11-26 14:01:17 UTC  deployed  netpol-base-0.3.0 0.3.0\n";
    expect(extractHelmHistory(undefined, list)[0]).toMatchObject({ release: "netpol-base", revision: 1, status: "deployed" });
  });

  it("nothing to read is an empty list", () => {
    expect(extractHelmHistory({ error: "release: not found" }, "Error: release: not found")).toEqual([]);
  });
});

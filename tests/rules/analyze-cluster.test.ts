import { describe, expect, it } from "vitest";
import { analyzeDeciderQueue } from "../../src/rules/judge/analyzers/analyze-decider-queue.ts";
import { analyzeHotPod } from "../../src/rules/judge/analyzers/analyze-hot-pod.ts";
import { analyzeThreadDump } from "../../src/rules/judge/analyzers/analyze-thread-dump.ts";
import { evidenceOf, issue } from "./build-evidence.ts";
import * as f from "./fixtures.ts";

const REDIS = issue("REDIS_CRITICAL_USAGE", "The Redis instance is at 71%, above the CRITICAL threshold of 65%");
const CPU = issue("CONDUCTOR_HIGH_CPU_USAGE", "CPU usage is at 93%, above the threshold of 85%");

describe("analyzeDeciderQueue", () => {
  it("JSON cluster data: 48,000 running workflows is a severe backlog", () => {
    const { findings, candidates } = analyzeDeciderQueue.analyze(evidenceOf([{ tool: "get_incident_details", data: f.incident([], f.CLUSTER_DATA_BACKLOG) }], [REDIS]));
    expect(candidates).toEqual([expect.objectContaining({ key: "backlog", weight: 0.85, cause: expect.stringMatching(/^Severe decider-queue backlog: 48,000 running workflows .*fills Redis/) })]);
    expect(findings[0]).toMatchObject({ text: "decider queue holds 48,000 running workflows; Redis at 71%", note: "a backlog above 1,000, severe above 10,000" });
  });

  it("JSON name/value metrics: 2,400 is a backlog, not severe", () => {
    const { candidates } = analyzeDeciderQueue.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: f.CLUSTER_METRICS_PAIRS }], [REDIS]));
    expect(candidates[0]).toMatchObject({ key: "backlog", weight: 0.65, cause: expect.stringMatching(/^Decider-queue backlog: 2,400/) });
  });

  it("text metrics: a normal queue rules the backlog out, and a big indexer queue is what holds Redis", () => {
    const { findings, candidates } = analyzeDeciderQueue.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: f.CLUSTER_METRICS_TEXT }], [REDIS]));
    // With the indexer behind, "Redis too small" is not the reading.
    expect(candidates.map((c) => [c.key, c.fact])).toEqual([["indexer", "indexer queue 12,000"]]);
    expect(findings.map((x) => x.text)).toEqual(["decider queue is normal: 520 running workflows; Redis at 71%", "indexer queue holds 12,000 items"]);
    expect(findings[0]?.ruledOut).toBe(true);
  });

  it("no decider reading: nothing to say", () => {
    expect(analyzeDeciderQueue.analyze(evidenceOf([{ tool: "get_cluster_metrics", data: { pods: 3 } }], [REDIS]))).toEqual({ findings: [], candidates: [] });
  });
});

describe("analyzeHotPod", () => {
  it("text kubectl top: names the hottest pod with its CPU", () => {
    const { findings, candidates } = analyzeHotPod.analyze(evidenceOf([{ tool: "get_top_output", data: f.TOP_PODS_TEXT }], [CPU]));
    expect(findings[0]?.text).toBe("hottest by CPU: conductor-server-7d9f8-abcde at 1,850m CPU (2 listed; next conductor-workers-5c4b-xyz12 at 120m CPU)");
    expect(candidates[0]).toMatchObject({ key: "cpu-hot", weight: 0.4 });
  });

  it("text top inside a pod: the java process at 385%", () => {
    const { findings } = analyzeHotPod.analyze(evidenceOf([{ tool: "get_top_output", input: { pod: "conductor-server-0" }, data: f.TOP_PROCESS_TEXT }], [CPU]));
    expect(findings[0]?.text).toMatch(/^hottest by CPU: conductor-server-0 \/ java -Xmx3g .* at 385\.2% CPU/);
  });

  it("JSON metrics with heap: reports heap and memory only for a heap alert", () => {
    const data = { pods: [{ name: "conductor-server-0", cpu: "900m", memory: "3.5Gi" }, { name: "conductor-server-1", cpu: "300m", memory: "1Gi" }], heapUsedPercent: 91 };
    const heapAlert = issue("CONDUCTOR_HIGH_HEAP_USAGE", "Heap usage is at 91%");
    const { findings } = analyzeHotPod.analyze(evidenceOf([{ tool: "get_cluster_metrics", data }], [heapAlert]));
    expect(findings.map((x) => x.text)).toEqual(expect.arrayContaining(["most memory: conductor-server-0 at 3.5 GiB", "heap reading: 91%"]));
  });
});

describe("analyzeThreadDump", () => {
  it("text dump: the busiest RUNNABLE application frame", () => {
    const { findings, candidates } = analyzeThreadDump.analyze(evidenceOf([{ tool: "get_thread_dump", input: { pod: "conductor-server-0" }, data: f.THREAD_DUMP_TEXT }]));
    expect(findings[0]).toMatchObject({
      text: "thread dump of conductor-server-0: RUNNABLE in com.netflix.conductor.core.execution.DeciderService.getTasksToBeScheduled",
      note: "9 threads, 8 RUNNABLE, 0 BLOCKED; 8 in the busiest frame",
    });
    expect(candidates[0]).toMatchObject({ key: "cpu-hot", appOrInfra: "app" });
  });

  it("JSON storage paths only: says where the dump is", () => {
    const { findings, candidates } = analyzeThreadDump.analyze(
      evidenceOf([{ tool: "get_thread_dump", input: { pod: "conductor-server-0" }, data: { files: ["s3://orkes-dumps/acme/conductor-server-0-threads.txt"] } }]),
    );
    expect(candidates).toEqual([]);
    expect(findings[0]?.text).toBe("thread dump of conductor-server-0 saved at s3://orkes-dumps/acme/conductor-server-0-threads.txt");
  });
});

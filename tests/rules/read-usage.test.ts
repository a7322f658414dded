import { describe, expect, it } from "vitest";
import { extractUsage } from "../../src/rules/read/read-usage.ts";

describe("extractUsage", () => {
  it("kubectl top pods --containers: the POD column names the pod, NAME the container", () => {
    const text = "POD                         NAME     CPU(cores)   MEMORY(bytes)\napi-7c5f9d8b6-lq8zp         api      2870m        7421Mi\napi-7c5f9d8b6-lq8zp         proxy    12m          40Mi\n";
    expect(extractUsage(undefined, text)).toEqual([
      { name: "api-7c5f9d8b6-lq8zp", container: "api", cpuMillis: 2870, memoryBytes: 7421 * 2 ** 20, cpuPercent: null },
      { name: "api-7c5f9d8b6-lq8zp", container: "proxy", cpuMillis: 12, memoryBytes: 40 * 2 ** 20, cpuPercent: null },
    ]);
  });

  it("kubectl top pods -A: the NAME column is the pod", () => {
    const text = "NAMESPACE   NAME                 CPU(cores)   MEMORY(bytes)\nshop        redis-master-0       61m          2790Mi\n";
    expect(extractUsage(undefined, text)[0]).toMatchObject({ name: "redis-master-0", cpuMillis: 61, container: null });
  });
});

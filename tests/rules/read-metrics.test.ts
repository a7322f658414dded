import { describe, expect, it } from "vitest";
import { findMetric, findPercent, findSample, readMetrics, roleOf } from "../../src/rules/read/read-metrics.ts";
import { readRedisInfo } from "../../src/rules/read/read-redis.ts";

const byName = (samples: ReturnType<typeof readMetrics>, name: string) => samples.filter((s) => s.name === name);

describe("readMetrics", () => {
  it("Prometheus text exposition: HELP/TYPE, labels, exponents, NaN skipped, the max series bounds the used one", () => {
    const text = `# HELP redis_memory_used_bytes Total number of bytes allocated by Redis.
# TYPE redis_memory_used_bytes gauge
redis_memory_used_bytes{instance="redis-0:9121"} 6.603964416e+09
# TYPE redis_memory_max_bytes gauge
redis_memory_max_bytes{instance="redis-0:9121"} 8053063680
# TYPE http_server_requests_seconds summary
http_server_requests_seconds{uri="/api/tasks",quantile="0.95"} 7.41
http_server_requests_seconds_count{uri="/api/tasks"} 118204 1733223600000
process_cpu_usage NaN
`;
    const samples = readMetrics(undefined, text);
    expect(byName(samples, "redis_memory_used_bytes")[0]).toMatchObject({ value: 6603964416, unit: "bytes", role: "value", limit: 8053063680, type: "gauge", labels: { instance: "redis-0:9121" } });
    expect(byName(samples, "redis_memory_max_bytes")[0]).toMatchObject({ role: "limit" });
    expect(byName(samples, "http_server_requests_seconds")[0]).toMatchObject({ value: 7.41, unit: "seconds", labels: { uri: "/api/tasks", quantile: "0.95" }, type: "summary" });
    expect(byName(samples, "http_server_requests_seconds_count")[0]).toMatchObject({ value: 118204, role: "value", type: "summary" });
    expect(byName(samples, "process_cpu_usage")).toEqual([]);
  });

  it("Prometheus HTTP API: a vector's value and a matrix's latest, first and peak", () => {
    const vector = { status: "success", data: { resultType: "vector", result: [{ metric: { __name__: "node_memory_utilisation", node: "aks-0" }, value: [1733223600, "0.71"] }] } };
    expect(readMetrics(vector, "")).toMatchObject([{ name: "node_memory_utilisation", labels: { node: "aks-0" }, value: 0.71, first: null, peak: null }]);
    const matrix = { status: "success", data: { resultType: "matrix", result: [{ metric: { __name__: "jvm_memory_used_bytes", area: "heap", pod: "api-0" }, values: [[1733205600, "1181116006"], [1733209200, "5476083302"], [1733212800, "3221225472"]] }] } };
    expect(readMetrics({ output: matrix }, "")).toMatchObject([{ name: "jvm_memory_used_bytes", value: 3221225472, first: 1181116006, peak: 5476083302, unit: "bytes" }]);
  });

  it("name/value records keep value, threshold and max apart; labels inside a name are read", () => {
    const data = {
      series: [
        { metric: "conductor_error_logs_total_15m", value: 1843, threshold: 500 },
        { metric: "redis_used_memory_bytes", value: 1836056576, max: 4294967296 },
        { name: 'conductor_task_queue_depth{taskType="quote_fetch"}', value: 60117 },
        { name: "heap", value: "3.1 GiB", unit: "GiB" },
      ],
    };
    const samples = readMetrics(data, "");
    expect(samples).toMatchObject([
      { name: "conductor_error_logs_total_15m", value: 1843, threshold: 500, role: "value" },
      { name: "redis_used_memory_bytes", value: 1836056576, limit: 4294967296 },
      { name: "conductor_task_queue_depth", labels: { taskType: "quote_fetch" }, value: 60117 },
      { name: "heap", value: 3.1, unit: "GiB" },
    ]);
  });

  it("nested objects become key paths; a sibling bound attaches to the reading of the same scale", () => {
    const data = { conductor: { heapPct: 39, heapMaxPct: 90, warnLogsPerMin: 987 }, redis: { usedPct: 71, threshold: 65, maxmemory: "8gb" }, pollRate: { "refresh@eu": "400/s" } };
    const samples = readMetrics(data, "");
    expect(byName(samples, "redis.usedPct")[0]).toMatchObject({ value: 71, unit: "%", threshold: 65, role: "value" });
    expect(byName(samples, "redis.threshold")[0]).toMatchObject({ value: 65, role: "threshold" });
    expect(byName(samples, "redis.maxmemory")[0]).toMatchObject({ value: 8, unit: "gb", role: "limit" });
    expect(byName(samples, "conductor.heapPct")[0]).toMatchObject({ value: 39, limit: 90 });
    expect(byName(samples, "pollRate.refresh@eu")[0]).toMatchObject({ value: 400, unit: "/s" });
  });

  it("[name, value] pairs; ratios and timestamps are not numbers", () => {
    const samples = readMetrics({ queues: [["refresh", 2], ["_deciderQueue", 143]], ready: "2/3", at: "2024-12-01T09:30:00Z" }, "");
    expect(samples.map((s) => [s.name, s.value])).toEqual([
      ["queues.refresh", 2],
      ["queues._deciderQueue", 143],
    ]);
  });

  it("a METRIC/VALUE table: units after a space, `a / b` is a value and its limit", () => {
    const text = "METRIC                    VALUE\napi_latency_p99           8.4 s\npostgres_cpu              98 %\npostgres_connections      194 / 200\npostgres_iops_write       11,870 /s\n";
    expect(readMetrics(undefined, text).map((s) => [s.name, s.value, s.unit, s.limit])).toEqual([
      ["api_latency_p99", 8.4, "s", null],
      ["postgres_cpu", 98, "%", null],
      ["postgres_connections", 194, null, 200],
      ["postgres_iops_write", 11870, "/s", null],
    ]);
  });

  it("rows of named things with numeric columns, and `[name, \"cpu 22%\"]` pairs, are labelled by the thing", () => {
    const table = "NODE                 STATUS   CPU%   MEM%   CONDITIONS\nip-10-40-1-52        Ready    31%    62%    MemoryPressure=False\nip-10-40-3-117       Ready    22%    48%    MemoryPressure=False\n";
    const fromTable = readMetrics(undefined, table);
    expect(fromTable.find((s) => s.name === "mem" && s.labels.name === "ip-10-40-3-117")).toMatchObject({ value: 48, unit: "%" });
    expect(fromTable.some((s) => s.name === "status")).toBe(false);
    const pairs = readMetrics({ nodes: [["aks-0", "cpu 22%", "mem 48%"]] }, "");
    expect(pairs).toMatchObject([
      { name: "nodes.cpu", labels: { name: "aks-0" }, value: 22, unit: "%" },
      { name: "nodes.mem", labels: { name: "aks-0" }, value: 48, unit: "%" },
    ]);
  });

  it("text lines with units", () => {
    const samples = readMetrics(undefined, "Decider queue: 48,213\nheap used = 3.1 GiB\nRedis usage: 71% (threshold 65%)\n");
    expect(samples.map((s) => [s.name, s.value, s.unit])).toEqual([
      ["Decider queue", 48213, null],
      ["heap used", 3.1, "GiB"],
      ["Redis usage", 71, "%"],
    ]);
  });

  it.each([
    ["alertThreshold", "threshold"],
    ["redis_memory_max_bytes", "limit"],
    ["cpuLimit", "limit"],
    ["node_memory_MemTotal_bytes", "limit"],
    ["http_requests_total", "value"],
    ["errorCount", "value"],
    ["used_memory", "value"],
  ])("the role of %s is %s", (name, role) => {
    expect(roleOf(name)).toBe(role);
  });

  it("never throws on odd input", () => {
    expect(readMetrics(null, "")).toEqual([]);
    expect(readMetrics({ a: { b: { c: "text" } } }, "no numbers here")).toEqual([]);
    expect(readMetrics([1, [2]], undefined as unknown as string)).toEqual([]);
  });
});

describe("findMetric / findPercent: a bound is never the reading", () => {
  it("finds the reading under a key path when the threshold sits beside it", () => {
    expect(findMetric({ deciderQueue: { threshold: 1000, size: 48213 } }, "", /decider/)).toBe(48213);
    expect(findMetric({ status: "success", data: { resultType: "vector", result: [{ metric: { __name__: "conductor_decider_queue_depth" }, value: [1, "61482"] }] } }, "", /decider/)).toBe(61482);
    expect(findMetric(undefined, "# TYPE conductor_decider_queue_depth gauge\nconductor_decider_queue_depth 520\n", /decider/)).toBe(520);
    expect(findMetric({ deciderQueueThreshold: 1000 }, "", /decider/)).toBeNull();
    expect(findMetric({ name: "meter-workers", replicas: "0/3" }, "", /replicas/)).toBeNull();
  });

  it("findSample matches names or label values and carries the unit and bound", () => {
    const text = 'jvm_memory_used_bytes{area="heap",pod="api-0"} 5.1e+09\njvm_memory_max_bytes{area="heap",pod="api-0"} 6.4e+09\njvm_memory_used_bytes{area="nonheap",pod="api-0"} 2.1e+08\n';
    expect(findSample(undefined, text, /^heap$/)).toMatchObject({ name: "jvm_memory_used_bytes", value: 5.1e9, unit: "bytes", limit: 6.4e9 });
    expect(findSample(undefined, text, /^nonheap$/)).toMatchObject({ value: 2.1e8, limit: null });
    expect(findSample({ heap: { max: 4096 } }, "", /heap/)).toBeNull();
  });

  it("a percent after a threshold word is the bound", () => {
    expect(findPercent(undefined, "Redis: threshold 65%, current 71%", /redis/)).toBe(71);
    expect(findPercent(undefined, "The Redis instance is at 71%, above the CRITICAL threshold of 65%", /redis/)).toBe(71);
    expect(findPercent({ redis: { usedPct: 12.4 } }, "", /redis.*(usage|percent|pct)/)).toBe(12.4);
  });
});

describe("readRedisInfo", () => {
  const info = "# Server\r\nredis_version:7.0.15\r\nrole:master\r\nuptime_in_seconds:3721\r\n# Clients\r\nconnected_clients:214\r\nblocked_clients:0\r\n# Memory\r\nused_memory:7559012864\r\nused_memory_human:7.04G\r\nmaxmemory:8589934592\r\nmaxmemory_human:8.00G\r\nmaxmemory_policy:noeviction\r\n# Stats\r\nevicted_keys:0\r\nrejected_connections:12\r\n# Keyspace\r\ndb0:keys=41318,expires=12,avg_ttl=0\r\ndb1:keys=2,expires=0,avg_ttl=0\r\n";

  it("reads INFO: memory against maxmemory, clients, evictions, keys", () => {
    expect(readRedisInfo(info)).toMatchObject({ usedMemory: 7559012864, maxmemory: 8589934592, usedPercent: 88, maxmemoryPolicy: "noeviction", connectedClients: 214, blockedClients: 0, evictedKeys: 0, rejectedConnections: 12, keys: 41320, role: "master", uptimeSeconds: 3721 });
  });

  it("maxmemory 0 is no limit, not 0% or infinite usage", () => {
    expect(readRedisInfo("used_memory:1048576\nmaxmemory:0\n")).toMatchObject({ maxmemory: 0, usedPercent: null });
  });

  it("CONFIG GET pairs and integer replies; other text is not redis output", () => {
    expect(readRedisInfo('1) "maxmemory"\n2) "4294967296"\n3) "maxmemory-policy"\n4) "allkeys-lru"\n')).toMatchObject({ maxmemory: 4294967296, maxmemoryPolicy: "allkeys-lru" });
    expect(readRedisInfo("(integer) 48213")?.integer).toBe(48213);
    expect(readRedisInfo("Could not connect to Redis at redis:6379: Connection refused")).toBeNull();
  });

  it("INFO inside JSON feeds readMetrics, with maxmemory as the limit of used_memory", () => {
    const samples = readMetrics({ redis: { pod: "redis-0", info } }, "");
    expect(samples.find((s) => s.name === "used_memory")).toMatchObject({ value: 7559012864, unit: "bytes", limit: 8589934592, role: "value" });
    expect(samples.find((s) => s.name === "maxmemory")?.role).toBe("limit");
  });
});

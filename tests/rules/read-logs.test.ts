import { describe, expect, it } from "vitest";
import { logTextFromData, maskMessage, parseLogRecords, summarizeLogs, toTemplate } from "../../src/rules/read/read-logs.ts";

const lines = (...l: string[]) => l.join("\n");
const times = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i));

describe("parseLogRecords: one record per event, whatever the shape", () => {
  it("logstash/logback JSON: level, logger, message and stack_trace with Caused by", () => {
    const line = JSON.stringify({
      "@timestamp": "2025-03-02T08:14:09.511Z",
      "@version": "1",
      level: "ERROR",
      logger_name: "com.acme.billing.InvoiceService",
      thread_name: "pool-4-thread-2",
      message: "Could not persist invoice 88213",
      stack_trace:
        "org.springframework.dao.DataAccessResourceFailureException: could not acquire connection\n\tat org.springframework.jdbc.Foo.bar(Foo.java:10)\nCaused by: org.postgresql.util.PSQLException: FATAL: too many connections for role \"billing\"\n\t... 14 more",
    });
    const [record] = parseLogRecords(line).records;
    expect(record).toMatchObject({
      format: "json",
      level: "ERROR",
      logger: "com.acme.billing.InvoiceService",
      message: "Could not persist invoice 88213",
      exception: { name: "org.springframework.dao.DataAccessResourceFailureException" },
      causes: [{ name: "org.postgresql.util.PSQLException", message: 'FATAL: too many connections for role "billing"' }],
      sample: "Could not persist invoice 88213",
    });
  });

  it("ECS: dotted log.level and error.* fields, or nested objects", () => {
    const dotted = JSON.stringify({ "@timestamp": "2025-03-02T08:14:09Z", "log.level": "WARN", message: "retrying index write", "error.type": "java.net.SocketTimeoutException", "error.message": "Read timed out", "ecs.version": "1.2.0" });
    const nested = JSON.stringify({ "@timestamp": "2025-03-02T08:14:10Z", log: { level: "error", logger: "c.a.Indexer" }, message: "bulk request rejected", error: { type: "org.opensearch.OpenSearchStatusException", message: "429", stack_trace: "org.opensearch.OpenSearchStatusException: 429\n\tat x.Y.z(Y.java:1)" } });
    const [a, b] = parseLogRecords(lines(dotted, nested)).records;
    expect(a).toMatchObject({ level: "WARN", message: "retrying index write", exception: { name: "java.net.SocketTimeoutException", message: "Read timed out" } });
    expect(b).toMatchObject({ level: "ERROR", logger: "c.a.Indexer", exception: { name: "org.opensearch.OpenSearchStatusException" }, lineCount: 1 });
  });

  it.each([
    [10, "TRACE"],
    [20, "DEBUG"],
    [30, "INFO"],
    [40, "WARN"],
    [50, "ERROR"],
    [60, "FATAL"],
  ])("bunyan/pino numeric level %i is %s", (level, name) => {
    const line = JSON.stringify({ name: "quote-api", hostname: "quote-api-7c9d", pid: 1, level, msg: "request handled", time: "2025-03-02T08:14:09.511Z", v: 0 });
    expect(parseLogRecords(line).records[0]).toMatchObject({ level: name, message: "request handled" });
  });

  it("bunyan err object: name, message and stack", () => {
    const line = JSON.stringify({ level: 50, msg: "poll failed", err: { name: "FetchError", message: "connect ECONNREFUSED 10.0.4.7:8080", stack: "FetchError: connect ECONNREFUSED 10.0.4.7:8080\n    at ClientRequest.<anonymous> (/app/node_modules/node-fetch/lib/index.js:1491:11)" } });
    expect(parseLogRecords(line).records[0]).toMatchObject({ level: "ERROR", exception: { name: "FetchError", message: "connect ECONNREFUSED 10.0.4.7:8080" } });
  });

  it("zap (error string beside msg), Python json-logger (exc_info traceback), Serilog compact JSON", () => {
    const zap = JSON.stringify({ level: "error", ts: 1733223600.123, caller: "poller/poll.go:88", msg: "poll failed", error: "dial tcp 10.0.4.7:8080: connect: connection refused" });
    const python = JSON.stringify({ asctime: "2025-02-01 10:00:00,120", levelname: "ERROR", name: "worker.tasks", message: "task crashed", exc_info: 'Traceback (most recent call last):\n  File "/app/t.py", line 9, in run\n    x = int(v)\nValueError: invalid literal for int() with base 10: \'abc\'' });
    const serilog = JSON.stringify({ "@t": "2025-02-01T10:00:00.120Z", "@l": "Warning", "@mt": "Retry {Attempt} for {Order}", Attempt: 3, Order: 812 });
    const [a, b, c] = parseLogRecords(lines(zap, python, serilog)).records;
    expect(a).toMatchObject({ level: "ERROR", logger: "poller/poll.go:88", message: "poll failed: dial tcp 10.0.4.7:8080: connect: connection refused", sample: "poll failed" });
    expect(b).toMatchObject({ level: "ERROR", logger: "worker.tasks", exception: { name: "ValueError" } });
    expect(c).toMatchObject({ level: "WARN", message: "Retry {Attempt} for {Order}", time: "2025-02-01T10:00:00.120Z" });
  });

  it("klog: level letter, structured message with err=", () => {
    const text = lines(
      'E0312 04:21:07.882190       1 controller.go:167] "re-queuing item due to error processing" err="failed to update record set: StatusCode: 403" key="ns/cert-1"',
      "W0312 04:21:08.001122       1 reflector.go:424] failed to list *v1.Secret: context deadline exceeded",
      "I0312 04:21:09.000001       1 leaderelection.go:258] successfully acquired lease kube-system/cert-manager",
    );
    const [e, w, i] = parseLogRecords(text).records;
    expect(e).toMatchObject({ format: "klog", level: "ERROR", logger: "controller.go:167", message: "re-queuing item due to error processing: failed to update record set: StatusCode: 403" });
    expect(w).toMatchObject({ level: "WARN", message: "failed to list *v1.Secret: context deadline exceeded" });
    expect(i?.level).toBe("INFO");
  });

  it("Spring Boot text with a multi-line Java stack trace: one record, root cause at the end of the chain", () => {
    const text = lines(
      "2025-01-14 09:12:44.310 ERROR 1 --- [nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() threw exception",
      "com.acme.orders.OrderPlacementException: order 5521 could not be placed",
      "\tat com.acme.orders.OrderService.place(OrderService.java:88)",
      "\tat jdk.internal.reflect.GeneratedMethodAccessor.invoke(Unknown Source)",
      "Caused by: org.springframework.web.client.ResourceAccessException: I/O error on POST request",
      "\tat org.springframework.web.client.RestTemplate.doExecute(RestTemplate.java:785)",
      "Caused by: java.net.UnknownHostException: inventory.internal.svc",
      "\t... 31 common frames omitted",
      "2025-01-14T09:12:45.002Z  INFO 1 --- [orders] [scheduling-1] c.a.o.Reconciler : reconciled 14 orders",
    );
    const { records, lines: count } = parseLogRecords(text);
    expect(count).toBe(9);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      format: "spring",
      level: "ERROR",
      logger: "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
      exception: { name: "com.acme.orders.OrderPlacementException", message: "order 5521 could not be placed" },
      causes: [{ name: "org.springframework.web.client.ResourceAccessException" }, { name: "java.net.UnknownHostException", sample: "Caused by: java.net.UnknownHostException: inventory.internal.svc" }],
      lineCount: 8,
    });
    expect(records[1]).toMatchObject({ format: "spring", level: "INFO", logger: "c.a.o.Reconciler", message: "reconciled 14 orders" });
  });

  it.each([
    ["log4j pattern", "2025-02-01 10:00:00,120 WARN  [main] com.acme.Cache - eviction took 812 ms", "WARN", "com.acme.Cache", "eviction took 812 ms"],
    ["python logging", "2025-02-01 10:00:00,120 [ERROR] worker.client.auth: POST /api/token failed: (401) Unauthorized", "ERROR", "worker.client.auth", "POST /api/token failed: (401) Unauthorized"],
    ["python default", "WARNING:root:disk almost full", "WARN", null, "root:disk almost full"],
    ["job prefix before the time", "[nightly-export] 2025-02-01T02:00:02Z ERROR upload failed: 403", "ERROR", null, "upload failed: 403"],
    ["lower-case level after the time", "2025-02-01T09:40:00Z info nothing notable", "INFO", null, "nothing notable"],
    ["level late in the line", "worker-3 | ERROR task 812 lost its lease", "ERROR", null, "task 812 lost its lease"],
    ["nginx error log", "2024/12/09 11:18:03 [emerg] 28#28: unexpected \"}\" in /tmp/nginx/nginx.conf:1184", "FATAL", null, "28#28: unexpected \"}\" in /tmp/nginx/nginx.conf:1184"],
    ["a program name before the level", "nginx: [error] open() \"/tmp/nginx/nginx.pid\" failed (2: No such file)", "ERROR", null, "open() \"/tmp/nginx/nginx.pid\" failed (2: No such file)"],
    ["a lower-case level with a colon", "error: failed to push some refs to origin", "ERROR", null, "failed to push some refs to origin"],
    ["no level at all", "starting export of 188,204 urls", null, null, "starting export of 188,204 urls"],
  ])("plain text, %s", (_label, line, level, logger, message) => {
    expect(parseLogRecords(line).records[0]).toMatchObject({ format: "text", level, logger, message });
  });

  it("a lower-case level word inside prose is not a level", () => {
    expect(parseLogRecords("Connection error while reading the reply").records[0]?.level).toBeNull();
  });

  it("logfmt (Prometheus, Go services)", () => {
    const line = 'ts=2025-02-01T02:30:00.011Z caller=head.go:601 level=error component=tsdb msg="loading WAL failed" err="segment 000142: unexpected EOF"';
    expect(parseLogRecords(line).records[0]).toMatchObject({ format: "logfmt", level: "ERROR", logger: "head.go:601", message: "loading WAL failed: segment 000142: unexpected EOF" });
    const noMsg = 'ts=2025-02-01T02:30:01.004Z caller=main.go:1150 level=error err="opening storage failed: repair corrupted WAL: input/output error"';
    expect(parseLogRecords(noMsg).records[0]).toMatchObject({ format: "logfmt", level: "ERROR", message: "opening storage failed: repair corrupted WAL: input/output error" });
  });

  it("Redis server log: its markers are levels, and its failures sit at its highest level", () => {
    const text = lines(
      "1:M 15 Dec 2024 02:15:21.611 * Server initialized",
      "1:C 15 Dec 2024 02:15:21.604 # WARNING Memory overcommit must be enabled!",
      "1:M 15 Dec 2024 02:15:22.001 # Bad file format reading the append only file appendonly.aof.4.incr.aof",
    );
    expect(parseLogRecords(text).records.map((r) => [r.format, r.level])).toEqual([
      ["redis", "INFO"],
      ["redis", "WARN"],
      ["redis", "ERROR"],
    ]);
  });

  it("Python traceback: the last line is the exception", () => {
    const text = lines(
      "2025-02-01 10:00:00,120 ERROR [worker] task failed",
      "Traceback (most recent call last):",
      '  File "/app/worker.py", line 42, in execute',
      "    rows = cursor.fetchall()",
      "psycopg2.OperationalError: server closed the connection unexpectedly",
    );
    const { records } = parseLogRecords(text);
    expect(records).toHaveLength(1);
    expect(records[0]?.exception?.name).toBe("psycopg2.OperationalError");
  });

  it("Docker json-file and CRI prefixes are unwrapped", () => {
    const docker = JSON.stringify({ log: "2025-02-01 10:00:00.120 ERROR 1 --- [main] c.a.App : boom\n", stream: "stderr", time: "2025-02-01T10:00:00.12Z" });
    const cri = '2025-02-01T10:00:01.000000001Z stdout F {"level":"warn","msg":"slow"}';
    const [a, b] = parseLogRecords(lines(docker, cri)).records;
    expect(a).toMatchObject({ format: "spring", level: "ERROR", message: "boom" });
    expect(b).toMatchObject({ format: "json", level: "WARN", message: "slow" });
  });

  it("the JSON sample is the message as written in the line (a verbatim excerpt)", () => {
    const line = JSON.stringify({ level: "WARN", logger_name: "c.a.Foo", message: 'sink "archive" not configured' });
    const [record] = parseLogRecords(line).records;
    expect(line).toContain(record?.sample);
    expect(record?.sample).toBe('sink \\"archive\\" not configured');
  });

  it.each([
    ["undefined", undefined],
    ["a number", 42],
    ["a cut JSON line", '{"level":"ERROR","message":"cut he'],
    ["binary noise", "\u0000\u0001\u0002"],
  ])("never throws on %s", (_label, input) => {
    expect(() => summarizeLogs(input as unknown as string)).not.toThrow();
  });
});

describe("summarizeLogs", () => {
  it("JSON lines never collapse to one template: messages group by their text", () => {
    const text = lines(
      ...times(30, (i) => JSON.stringify({ "@timestamp": `2025-03-02T08:${String(i % 60).padStart(2, "0")}:00Z`, message: `pending queue size=${1000 + i * 37} drained=0`, level: "WARN" })),
      ...times(12, (i) => JSON.stringify({ "@timestamp": "2025-03-02T09:00:00Z", message: `Payload of workflow claims_import (id ${(0xabc000 + i).toString(16)}aa11) is 4.${i}MB`, level: "WARN" })),
    );
    const summary = summarizeLogs(text);
    expect(summary.formats).toEqual({ json: 42 });
    expect(summary.warnLines).toBe(42);
    expect(summary.warns.map((w) => [w.template, w.count])).toEqual([
      ["pending queue size=# drained=#", 30],
      ["Payload of workflow claims_import (id <hex>) is #MB", 12],
    ]);
    expect(summary.warns[0]?.template).not.toMatch(/^"?WARN/);
  });

  it("counts thrown exceptions once per record, with the direct and the deepest cause", () => {
    const event = (i: number) => [
      `2025-01-14 09:12:${String(i).padStart(2, "0")}.310 ERROR 1 --- [sweeper-${i % 3}] c.a.w.Executor : decide failed for ${i}`,
      "com.acme.core.TransientException: Unable to decide",
      "\tat com.acme.core.Executor.decide(Executor.java:1102)",
      "Caused by: io.lettuce.core.RedisConnectionException: Unable to connect to redis:6379",
      "Caused by: java.net.ConnectException: Connection refused",
      "\t... 12 more",
    ];
    const summary = summarizeLogs(lines(...Array.from({ length: 7 }, (_, i) => event(i)).flat()));
    expect(summary).toMatchObject({ lines: 42, records: 7, errorLines: 7 });
    expect(summary.exceptions.find((e) => e.name === "com.acme.core.TransientException")).toMatchObject({ count: 7, asCause: 0, root: "io.lettuce.core.RedisConnectionException", rootCause: "java.net.ConnectException" });
    expect(summary.exceptions.find((e) => e.name === "io.lettuce.core.RedisConnectionException")).toMatchObject({ count: 7, asCause: 7, sample: "Caused by: io.lettuce.core.RedisConnectionException: Unable to connect to redis:6379" });
  });

  it("`Outer: Inner: text` in a message is a thrown exception with its cause", () => {
    const summary = summarizeLogs("2025-01-14 09:12:44,001 ERROR [redis-pool-1] c.a.Dao - redis.clients.jedis.exceptions.JedisConnectionException: java.net.SocketTimeoutException: Read timed out");
    expect(summary.exceptions[0]).toMatchObject({ name: "redis.clients.jedis.exceptions.JedisConnectionException", root: "java.net.SocketTimeoutException" });
  });

  it("a word like 'deprecated' removes nothing; lines below WARN are background by level", () => {
    const text = lines(
      ...times(50, () => "2025-01-14 09:12:44.310  WARN 1 --- [main] o.s.b.Migration : Property 'x.timeout' is deprecated; use 'y.timeout'"),
      "2025-01-14 09:12:45.310 ERROR 1 --- [main] c.a.Tls : handshake failed: deprecated protocol TLSv1.0 rejected by peer",
      ...times(5, () => "2025-01-14 09:12:46.310  INFO 1 --- [main] c.a.App : heartbeat"),
    );
    const summary = summarizeLogs(text);
    expect(summary).toMatchObject({ warnLines: 50, errorLines: 1, belowWarnLines: 5, noiseLines: 0 });
    expect(summary.errors[0]?.template).toBe("handshake failed: deprecated protocol TLSv# rejected by peer");
    expect(summary.warns[0]?.count).toBe(50);
  });

  it("failure lines without a level still count as errors; a cut JSON line is reported", () => {
    const summary = summarizeLogs(lines("connect() failed (111: Connection refused) while connecting to upstream", '{"level":"ERROR","message":"cut'));
    expect(summary.errors[0]?.sample).toContain("connect() failed");
    expect(summary.unreadJsonLines).toBe(1);
  });
});

describe("toTemplate / maskMessage", () => {
  it("masks numbers, UUIDs, hex and shortened ids and IPs", () => {
    expect(maskMessage("decide(5e0b9a21-77c4-4d03-a8f1-c2d6e4b9f310) took 7420 ms on 10.0.4.7:8080 (id 5fe2...a9, trace 0x7f3a9c, key 3f2b7e10)")).toBe("decide(<id>) took # ms on <ip> (id <id>, trace <hex>, key <hex>)");
  });

  it("keeps the message after the level and the logger", () => {
    expect(toTemplate("2026-11-23T10:00:01Z WARN  [pool-3] c.n.Dao - Slow query took 1234 ms")).toBe("Slow query took # ms");
    expect(toTemplate('{"level":"WARN","message":"queue size=1,027,488"}')).toBe("queue size=#");
  });
});

describe("logTextFromData", () => {
  it("writes JSON log records back as JSON lines, so ECS fields survive", () => {
    const data = { pod: "api-0", logs: [{ "@timestamp": "2025-03-02T08:14:09Z", "log.level": "ERROR", message: "bulk rejected", "error.type": "org.opensearch.OpenSearchStatusException" }] };
    const summary = summarizeLogs(logTextFromData(data) ?? "");
    expect(summary).toMatchObject({ errorLines: 1, formats: { json: 1 } });
    expect(summary.exceptions[0]?.name).toBe("org.opensearch.OpenSearchStatusException");
  });

  it("joins arrays of lines and finds text inside objects; null when there is none", () => {
    expect(logTextFromData({ lines: ["a", "b"] })).toBe("a\nb");
    expect(logTextFromData({ output: { text: "x" } })).toBe("x");
    expect(logTextFromData({})).toBeNull();
    expect(logTextFromData(null)).toBeNull();
  });
});

/**
 * `npx tsx scripts/bench-readers.ts`: how long the readers in src/rules/read take on outputs at
 * the size limits the tools allow (PULL_LOGS returns at most 1,000 lines). Prints µs per call.
 */
import { extractPods } from "../src/rules/read/read-pods.ts";
import { readMetrics } from "../src/rules/read/read-metrics.ts";
import { summarizeLogs } from "../src/rules/read/read-logs.ts";
import { extractRows } from "../src/rules/read/read-rows.ts";

const springLog = Array.from({ length: 1000 }, (_, i) =>
  i % 10 === 0
    ? `2025-01-14 09:12:${String(i % 60).padStart(2, "0")}.310 ERROR 1 --- [exec-${i % 8}] c.a.w.Executor : decide failed for ${i}\ncom.acme.core.TransientException: Unable to decide\n\tat com.acme.core.Executor.decide(Executor.java:1102)\nCaused by: java.net.ConnectException: Connection refused`
    : `2025-01-14 09:12:${String(i % 60).padStart(2, "0")}.310  WARN 1 --- [exec-${i % 8}] c.a.w.Dao : slow query took ${1000 + i} ms`,
).join("\n");
const jsonLog = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ "@timestamp": "2025-03-02T08:14:09Z", level: i % 7 === 0 ? "ERROR" : "INFO", logger_name: "c.a.Svc", message: `handled request ${i} in ${i % 97} ms`, ...(i % 7 === 0 ? { stack_trace: "java.io.IOException: broken pipe\n\tat x.Y.z(Y.java:1)" } : {}) })).join("\n");
const promText = Array.from({ length: 2000 }, (_, i) => `conductor_task_queue_depth{taskType="task_${i}"} ${i * 3}`).join("\n");
const podList = { kind: "PodList", items: Array.from({ length: 200 }, (_, i) => ({ metadata: { name: `pod-${i}` }, status: { phase: "Running", containerStatuses: [{ name: "c", ready: i % 9 !== 0, restartCount: i % 4, state: { running: {} }, lastState: i % 9 === 0 ? { terminated: { reason: "OOMKilled", exitCode: 137 } } : {} }] } })) };
const psql = [" a | b ", "---+---", ...Array.from({ length: 1000 }, (_, i) => ` ${i} | row ${i}`), "(1000 rows)"].join("\n");

function bench(name: string, run: () => unknown): void {
  for (let i = 0; i < 5; i += 1) run();
  const rounds = 50;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) run();
  const micros = Number(process.hrtime.bigint() - started) / 1000 / rounds;
  console.log(`${name.padEnd(44)} ${micros.toFixed(0).padStart(8)} µs per call`);
}

bench("summarizeLogs, 1,000 Spring lines + traces", () => summarizeLogs(springLog));
bench("summarizeLogs, 1,000 logstash JSON lines", () => summarizeLogs(jsonLog));
bench("readMetrics, 2,000 Prometheus series", () => readMetrics(undefined, promText));
bench("extractPods, PodList of 200 pods", () => extractPods(podList, ""));
bench("extractRows, psql table of 1,000 rows", () => extractRows(undefined, psql));

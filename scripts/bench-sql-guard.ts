// Measures the SQL guard: wasm module load time, then µs per query over the case table.
// Run: npx tsx scripts/bench-sql-guard.ts [rounds]
import { checkSql } from "../src/tools/sql/index.ts";
import { BENIGN_CASES, HOSTILE_CASES } from "../tests/sql/cases.ts";

const rounds = Number(process.argv[2] ?? 200);
const queries = [...BENIGN_CASES, ...HOSTILE_CASES.map((c) => c.sql)];

const loadStart = performance.now();
await checkSql("SELECT 1");
const loadMs = performance.now() - loadStart;

// Warm the JIT before timing.
for (const sql of queries) await checkSql(sql);

const samples: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  for (const sql of queries) {
    const start = performance.now();
    await checkSql(sql);
    samples.push((performance.now() - start) * 1000);
  }
}
samples.sort((a, b) => a - b);
const percentile = (p: number): number => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))] ?? Number.NaN;
const mean = samples.reduce((sum, x) => sum + x, 0) / samples.length;

console.log(`module load (first checkSql): ${loadMs.toFixed(1)} ms`);
console.log(`${queries.length} queries x ${rounds} rounds = ${samples.length} checks`);
console.log(`µs/query  p50 ${percentile(50).toFixed(1)}  p95 ${percentile(95).toFixed(1)}  p99 ${percentile(99).toFixed(1)}  mean ${mean.toFixed(1)}  max ${(samples.at(-1) ?? 0).toFixed(1)}`);

/**
 * `npx tsx scripts/bench-startup.ts [--runs 10]`: start-up time and peak RSS of the CLI, run from
 * the sources through tsx (development) and from the compiled dist/ (production), for `--help` and
 * `check-sql`. Builds dist/ first. Prints a table of medians.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "10" } } });
const runs = Number(values.runs);
const root = join(import.meta.dirname, "..");
execFileSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" });

const preload = join(root, "scripts/lib/print-max-rss.mjs");
const entries = {
  "tsx (sources)": [join(root, "bin/oncall-agent.js")],
  "node dist/": [join(root, "dist/cli/entry.js")],
};
const commands = { "--help": ["--help"], "check-sql": ["check-sql", "SELECT count(*) FROM workflow WHERE status = 'RUNNING'"] };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`| entry | command | start-up to exit (median of ${runs}) | peak RSS |`);
console.log("|---|---|---|---|");
for (const [entryName, entry] of Object.entries(entries)) {
  for (const [commandName, args] of Object.entries(commands)) {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = process.hrtime.bigint();
      const result = spawnSync(process.execPath, ["--import", preload, ...entry, ...args], { cwd: root, encoding: "utf8", env: { PATH: process.env.PATH } });
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      rss.push(Number(/MAX_RSS_KB=(\d+)/.exec(result.stderr)?.[1] ?? NaN));
    }
    console.log(`| ${entryName} | ${commandName} | ${median(times).toFixed(0)} ms | ${(median(rss) / 1024).toFixed(0)} MB |`);
  }
}

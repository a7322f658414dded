import { formatNumber, resultsFor } from "../../evidence.ts";
import { extractPods } from "../../read/read-pods.ts";
import { normalizeKey, walkObjects } from "../../read/walk-json.ts";
import { workloadOf } from "../../read/workload-name.ts";
import type { Analysis, Analyzer, Evidence } from "../../types.ts";

/**
 * Redis runs one command at a time: a command that takes this long blocks every other client
 * for as long (Conductor's queue pops and updates time out behind it).
 */
const BLOCKING_US = 100_000;
/** A client output buffer this large is a huge reply being held (KEYS *, a big SMEMBERS/HGETALL). */
const BIG_BUFFER = 100 * 1024 * 1024;
/** `redis-cli SLOWLOG GET`: id, time, microseconds, the command and its arguments, client address, client name. */
const SLOWLOG_ENTRY = /\(integer\)\s*\d+\s*\n\s*2\)\s*\(integer\)\s*\d+\s*\n\s*3\)\s*\(integer\)\s*(\d+)\s*\n\s*4\)([\s\S]*?)\n\s*5\)\s*"([^"]*)"(?:\s*\n\s*6\)\s*"([^"]*)")?/g;
/** `INFO commandstats`: cmdstat_keys:calls=577,usec=…,usec_per_call=4300000.00 */
const COMMANDSTAT = /cmdstat_([\w|]+):calls=(\d+),usec=\d+,usec_per_call=([\d.]+)/g;
const OUTPUT_BUFFER = /client_recent_max_output_buffer:(\d+)/;

export interface BlockingCommand {
  command: string;
  micros: number;
  client: string | null;
  address: string | null;
  calls: number | null;
  buffer: number | null;
  tool: string;
  /** The SLOWLOG entry's own text, for the finding. */
  quoted: string;
}

/**
 * A client blocking Redis with a slow command (KEYS *, a huge scan), from Redis's own SLOWLOG and
 * commandstats, named with the client that sends it and the workload (CronJob) behind that client.
 */
export const analyzeRedisCommands: Analyzer = {
  name: "redis commands",
  analyze(evidence) {
    const analysis: Analysis = { findings: [], candidates: [] };
    const slow = blockingCommand(evidence);
    if (!slow) return analysis;
    const who = slow.client ?? slow.address;
    const workload = who ? workloadOf(who) : null;
    const job = workload ? scheduledJob(evidence, workload) : null;
    const seconds = (slow.micros / 1_000_000).toFixed(1);
    analysis.findings.push({ text: slow.quoted, note: `${slow.command} blocks Redis ${seconds} s per call`, tool: slow.tool, weight: 0.85, key: "redis-blocking-command" });
    if (slow.buffer !== null) analysis.findings.push({ text: `client_recent_max_output_buffer:${slow.buffer}`, note: "a huge reply held in a client output buffer", tool: slow.tool, weight: 0.6, key: "redis-blocking-command" });
    const by = job ? `the ${job}` : who ? `client ${who}${slow.address && slow.address !== who ? ` (${slow.address})` : ""}` : "a client";
    analysis.candidates.push({
      key: "redis-blocking-command",
      cause:
        `${capitalize(by)} runs ${slow.command} on Redis, blocking it ${seconds} s per call (SLOWLOG: ${slow.command} ${formatNumber(slow.micros)} µs` +
        `${slow.calls !== null ? `; commandstats: ${formatNumber(slow.calls)} calls` : ""}${slow.buffer !== null ? `; client output buffer ${formatBytes(slow.buffer)}` : ""}): ` +
        "Redis runs one command at a time, so Conductor's queue pops and updates time out behind it" +
        `${slow.buffer !== null ? " and the reply held in the client's output buffer inflates Redis memory" : ""}`,
      fact: `${workload ?? "a client"} runs ${slow.command} (${seconds} s each)`,
      weight: 0.88,
      appOrInfra: "app",
      nextStep: `Stop ${job ?? by} from running ${slow.command} (suspend it); use SCAN with a COUNT, or run it against a replica, before it runs again`,
      tool: slow.tool,
    });
    return analysis;
  },
};

export function blockingCommand(evidence: Evidence): BlockingCommand | null {
  for (const result of evidence.results.filter((r) => r.status === "ok")) {
    const text = result.output;
    const entries = [...text.matchAll(SLOWLOG_ENTRY)].map((m) => {
      const args = [...(m[2] ?? "").matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1] ?? "");
      return { micros: Number(m[1]), args, address: m[3] || null, client: m[4] || null, raw: m[0] };
    });
    const worst = entries.filter((e) => e.micros >= BLOCKING_US && e.args.length > 0).sort((a, b) => b.micros - a.micros)[0];
    const stats = [...text.matchAll(COMMANDSTAT)].map((m) => ({ command: (m[1] ?? "").toUpperCase(), calls: Number(m[2]), perCall: Number(m[3]) }));
    const buffer = Number(OUTPUT_BUFFER.exec(text)?.[1] ?? NaN);
    const bigBuffer = Number.isFinite(buffer) && buffer >= BIG_BUFFER ? buffer : null;
    if (worst) {
      const command = worst.args.slice(0, 2).join(" ");
      const stat = stats.find((s) => s.command === (worst.args[0] ?? "").toUpperCase());
      const quoted = worst.raw.replace(/\s+/g, " ").trim().slice(0, 180);
      return { command, micros: worst.micros, client: worst.client, address: worst.address, calls: stat?.calls ?? null, buffer: bigBuffer, tool: result.tool, quoted };
    }
    const slowStat = stats.filter((s) => s.perCall >= BLOCKING_US).sort((a, b) => b.perCall - a.perCall)[0];
    if (slowStat) {
      const quoted = new RegExp(`cmdstat_${slowStat.command.toLowerCase().replace("|", "\\|")}:[^\\s]*`).exec(text)?.[0] ?? `cmdstat_${slowStat.command.toLowerCase()}`;
      return { command: slowStat.command, micros: slowStat.perCall, client: null, address: null, calls: slowStat.calls, buffer: bigBuffer, tool: result.tool, quoted };
    }
  }
  return null;
}

/** The CronJob (or Job) of that name with its schedule and creation time, when the cluster listing shows it. */
function scheduledJob(evidence: Evidence, name: string): string | null {
  let found: string | null = null;
  for (const result of resultsFor(evidence, "get_deployments_info", "get_pods_data")) {
    walkObjects(result.data, (object) => {
      if (found) return true;
      const row = Object.fromEntries(Object.entries(object).map(([k, v]) => [normalizeKey(k), v]));
      if (row.name !== name || typeof row.schedule !== "string") return false;
      const created = typeof row.createdat === "string" ? row.createdat : typeof row.creationtimestamp === "string" ? row.creationtimestamp : null;
      found = `${name} CronJob (schedule "${row.schedule}"${created ? `, created ${created}` : ""})`;
      return true;
    });
  }
  if (found) return found;
  // Without the CronJob listed, its pods still say a job runs under that name.
  const pods = resultsFor(evidence, "get_pods_data").flatMap((r) => extractPods(r.data, r.text));
  return pods.some((p) => workloadOf(p.name) === name || p.name.startsWith(`${name}-`)) ? `${name} workload` : null;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `npx tsx scripts/soak-replicas.ts [--replicas 3] [--alerts 200] [--minutes 2] [--kill-every 3-6]
 *   [--lease 3] [--interval 0.5] [--pg-restart] [--no-faults]`
 * Replicas on one PostgreSQL state against the sandbox, a random one SIGKILLed every few seconds
 * and restarted at once (optionally PostgreSQL restarted under them); prints the figures and
 * exits 1 unless every alert got exactly one reply, no notification went out twice, nothing was
 * left with 👀 and no replica exited by itself. Then the fleet figures: Slack calls per idle
 * poll cycle and the takeover time of a killed replica's alert.
 */
import { parseArgs } from "node:util";
import { measureFleet, runReplicaSoak } from "./lib/replica-soak.ts";

const { values } = parseArgs({
  options: {
    replicas: { type: "string", default: "3" },
    alerts: { type: "string", default: "200" },
    minutes: { type: "string", default: "2" },
    "kill-every": { type: "string", default: "3-6" },
    lease: { type: "string", default: "3" },
    interval: { type: "string", default: "0.5" },
    "pg-restart": { type: "boolean", default: false },
    "no-faults": { type: "boolean", default: false },
    "skip-fleet": { type: "boolean", default: false },
  },
});

const [killMin, killMax] = values["kill-every"].split("-").map((n) => Number(n) * 1000);
const killForMs = Number(values.minutes) * 60_000;
const leaseMs = Number(values.lease) * 1000;
const pollIntervalMs = Number(values.interval) * 1000;
const result = await runReplicaSoak({
  replicas: Number(values.replicas),
  alerts: Number(values.alerts),
  postOverMs: killForMs * 0.75,
  killForMs,
  killEveryMs: [killMin ?? 3000, killMax ?? killMin ?? 6000],
  faults: !values["no-faults"],
  leaseMs,
  pollIntervalMs,
  ...(values["pg-restart"] ? { pgRestartAtMs: killForMs / 2, pgDownMs: 5000 } : {}),
  log: (line) => console.error(line),
});
const { bad, ...figures } = result;
console.log(JSON.stringify(figures, null, 2));
if (bad.length > 0) console.log("not answered exactly once:", JSON.stringify(bad));
const ok =
  result.lost === 0 && result.duplicates === 0 && result.duplicateNotifications === 0 && result.stuckEyes === 0 && result.unexpectedExits === 0;
if (!values["skip-fleet"]) {
  const fleet = await measureFleet({ replicas: Number(values.replicas), leaseMs, pollIntervalMs: Math.max(pollIntervalMs, 1000), idleCycles: 10, log: (line) => console.error(line) });
  console.log(JSON.stringify({ fleet }, null, 2));
}
console.log(ok ? "PASS" : "FAIL");
process.exitCode = ok ? 0 : 1;

/**
 * `npx tsx scripts/soak-kill.ts [--alerts 60] [--kills 25] [--min-life 300] [--max-life 4000] [--no-faults]`
 * kill -9 at random moments with an immediate restart, over many alerts, with light Slack faults;
 * prints the figures and exits 1 unless every alert got exactly one reply, none a failure note,
 * and no restart was refused.
 */
import { parseArgs } from "node:util";
import { runKillSoak } from "./lib/cli-soak.ts";

const { values } = parseArgs({
  options: {
    alerts: { type: "string", default: "60" },
    kills: { type: "string", default: "25" },
    "min-life": { type: "string", default: "300" },
    "max-life": { type: "string", default: "4000" },
    "no-faults": { type: "boolean", default: false },
  },
});

const result = await runKillSoak({
  alerts: Number(values.alerts),
  kills: Number(values.kills),
  lifeMs: [Number(values["min-life"]), Number(values["max-life"])],
  faults: !values["no-faults"],
  log: (line) => console.error(line),
});
const { bad, ...figures } = result;
console.log(JSON.stringify(figures, null, 2));
if (bad.length > 0) console.log("not answered exactly once:", JSON.stringify(bad));
const ok = result.lost === 0 && result.duplicates === 0 && result.failureNotes === 0 && result.refusedRestarts === 0 && result.stuckEyes === 0;
console.log(ok ? "PASS" : "FAIL");
process.exitCode = ok ? 0 : 1;

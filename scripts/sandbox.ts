/**
 * Starts the fake Slack, Conductor and Anthropic servers on 127.0.0.1 and prints the env block
 * that points the bot at them. Runs until Ctrl-C.
 *
 *   npx tsx scripts/sandbox.ts [--scenarios scenarios] [--no-alerts] [--command-delay-ms 1500] [--model-latency-ms 400]
 */
import { parseArgs } from "node:util";
import { loadScenarios, startSandbox } from "../src/sandbox/index.ts";

const { values } = parseArgs({
  options: {
    scenarios: { type: "string", default: "scenarios" },
    "no-alerts": { type: "boolean", default: false },
    "command-delay-ms": { type: "string", default: "1500" },
    "model-latency-ms": { type: "string", default: "400" },
    "slack-latency-ms": { type: "string", default: "0" },
  },
});

const scenarios = await loadScenarios(values.scenarios);
const sandbox = await startSandbox({
  scenarios,
  postAlerts: !values["no-alerts"],
  latency: {
    conductorCommandMs: Number(values["command-delay-ms"]),
    modelMs: Number(values["model-latency-ms"]),
    slackMs: Number(values["slack-latency-ms"]),
  },
});

const out = process.stdout;
out.write(`Sandbox running with ${scenarios.length} scenarios\n`);
out.write(`  Slack      ${sandbox.slack.url}\n  Conductor  ${sandbox.conductor.url}\n  Anthropic  ${sandbox.anthropic.url}\n`);
const posted = Object.keys(sandbox.alertTs).length;
out.write(posted > 0 ? `  ${posted} alerts posted to ${sandbox.alertChannel}\n` : "  no alerts posted (--no-alerts)\n");
out.write("\n# copy into .env or your shell:\n");
for (const [key, value] of Object.entries(sandbox.env)) out.write(`${key}=${value}\n`);
out.write("\nCtrl-C to stop.\n");

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  const violations = sandbox.conductor.violations();
  out.write(
    `\nStopping. Slack calls: ${sandbox.slack.calls.length}, commands started: ${sandbox.conductor.commands.length}, ` +
      `model requests: ${sandbox.anthropic.requests.length}, violations: ${violations.length}\n`,
  );
  for (const v of violations) out.write(`  ${v.kind}: ${v.message}\n`);
  await sandbox.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());

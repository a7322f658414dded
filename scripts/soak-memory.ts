/**
 * `npx tsx scripts/soak-memory.ts [--alerts 10000] [--channels 50]`
 * `run --loop` as a subprocess against fake Slack and Conductor, fed `--alerts` distinct alerts
 * over `--channels` channels (Slack paces replies per channel); prints the bot's RSS every
 * 1,000 replies, so a leak (state, outcomes, pacer, listeners) shows as growth after prune's cap.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { cloneScenario } from "../src/sandbox/clone-scenario.ts";
import { loadScenarios, SANDBOX_CREDENTIALS, startConductorServer, startSlackServer } from "../src/sandbox/index.ts";
import { sleep, startCli, tempState } from "./lib/cli-soak.ts";

const { values } = parseArgs({ options: { alerts: { type: "string", default: "10000" }, channels: { type: "string", default: "50" } } });
const total = Number(values.alerts);
const channels = Array.from({ length: Number(values.channels) }, (_, i) => `C0MEM${String(i).padStart(3, "0")}`);
const base = await loadScenarios("scenarios");
const scenarios = Array.from({ length: total }, (_, i) => cloneScenario(base[i % base.length]!, `m${i}`));
const slack = await startSlackServer({ token: SANDBOX_CREDENTIALS.slackToken, channels });
const conductor = await startConductorServer({
  scenarios,
  keyId: SANDBOX_CREDENTIALS.conductorKeyId,
  keySecret: SANDBOX_CREDENTIALS.conductorKeySecret,
  commandDelayMs: 5,
});
const env = {
  PATH: process.env.PATH ?? "",
  SLACK_API_URL: slack.url,
  SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.slackToken,
  SLACK_ALERT_CHANNELS: channels.join(","),
  CONDUCTOR_SERVER_URL: conductor.url,
  CONDUCTOR_AUTH_KEY: SANDBOX_CREDENTIALS.conductorKeyId,
  CONDUCTOR_AUTH_SECRET: SANDBOX_CREDENTIALS.conductorKeySecret,
  ONCALL_STATE_FILE: tempState(),
  ONCALL_ENGINE: "rules",
  ONCALL_CONCURRENCY: "8",
  LOG_FORMAT: "json",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};
const bot = startCli(["run", "--loop", "--interval", "0.5"], env);
await sleep(4000); // first poll: every channel starts from now
const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${bot.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const started = Date.now();
let posted = 0;
const samples: { replies: number; rssMb: number; seconds: number }[] = [];
let nextSample = 1000;
const replies = () => slack.callsTo("chat.postMessage").length;
while (replies() < total) {
  // Keep a few hundred alerts waiting, posted round-robin over the channels.
  while (posted < total && posted - replies() < 400) {
    const scenario = scenarios[posted]!;
    slack.postAlert(channels[posted % channels.length]!, scenario.alert.message);
    posted += 1;
  }
  if (replies() >= nextSample) {
    samples.push({ replies: replies(), rssMb: Math.round(rss()), seconds: Math.round((Date.now() - started) / 1000) });
    console.error(JSON.stringify(samples.at(-1)));
    nextSample += 1000;
  }
  await sleep(200);
}
samples.push({ replies: replies(), rssMb: Math.round(rss()), seconds: Math.round((Date.now() - started) / 1000) });
bot.kill("SIGTERM");
const exit = await bot.done;
if (process.env.SOAK_LOG) (await import("node:fs")).writeFileSync(process.env.SOAK_LOG, exit.stderr);
console.log(JSON.stringify({ alerts: total, channels: channels.length, samples }, null, 2));
await slack.close();
await conductor.close();

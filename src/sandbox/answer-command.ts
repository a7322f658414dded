import type { ReadOnlyCommand } from "../conductor/commands.ts";
import { RECOMMENDED_SETTINGS, ROLE_CHECK_QUERY } from "../verify/database-role.ts";
import type { CommandOutput, Scenario } from "./scenario-schema.ts";

export interface CommandAnswer {
  status: "COMPLETED" | "FAILED" | "TIMED_OUT";
  output: unknown;
  reason: string | null;
  delayMs: number | undefined;
}

/** `verify conductor` reads the database role: every sandbox cluster has the role the README recommends. */
const SANDBOX_ROLE: CommandOutput = {
  status: "COMPLETED",
  output: {
    rows: [
      {
        role: "oncall_agent",
        ...RECOMMENDED_SETTINGS,
        search_path: '"$user", public',
        in_recovery: false,
        superuser: false,
        createrole: false,
        createdb: false,
        bypassrls: false,
        replication: false,
        reads_all_data: false,
        writes_all_data: false,
        monitor: true,
        writable_tables: 0,
      },
    ],
  },
};

const PER_POD = new Set<ReadOnlyCommand>(["GET_POD_EVENTS", "PULL_LOGS", "GET_TOP_OUTPUT_FROM_POD", "DOWNLOAD_THREAD_DUMP"]);

/** What the in-cluster agent of `scenario` answers to one command (pure). */
export function answerCommand(scenario: Scenario, command: ReadOnlyCommand, parameters: Record<string, unknown>): CommandAnswer {
  const podName = typeof parameters.podName === "string" ? parameters.podName : undefined;
  const answer = findAnswer(scenario, command, parameters, podName);
  if (!answer) {
    return podName && PER_POD.has(command)
      ? { status: "FAILED", output: {}, reason: `Error from server (NotFound): pods "${podName}" not found`, delayMs: undefined }
      : { status: "COMPLETED", output: { message: "No resources found in conductor namespace." }, reason: null, delayMs: undefined };
  }
  const reason = answer.reason ?? (answer.status === "COMPLETED" ? null : `${command} ${answer.status.toLowerCase().replace("_", " ")}`);
  return { status: answer.status, output: materialize(answer, command, parameters), reason, delayMs: answer.delayMs };
}

function findAnswer(scenario: Scenario, command: ReadOnlyCommand, parameters: Record<string, unknown>, podName: string | undefined) {
  const commands = scenario.commands;
  switch (command) {
    case "GET_POD_EVENTS":
    case "PULL_LOGS":
    case "GET_TOP_OUTPUT_FROM_POD":
    case "DOWNLOAD_THREAD_DUMP": {
      const pods: Record<string, CommandOutput> = commands[command] ?? {};
      if (podName) return pods[podName] ?? pods["*"];
      return pods["*"] ?? Object.values(pods)[0];
    }
    case "SQL_CONDUCTOR": {
      const query = String(parameters.query ?? "");
      const answers = commands.SQL_CONDUCTOR ?? [];
      // A scenario may give its own role (an answer whose match names the role check); else the recommended one.
      if (query === ROLE_CHECK_QUERY) return answers.find((a) => a.match !== undefined && new RegExp(a.match, "i").test(query)) ?? SANDBOX_ROLE;
      return answers.find((a) => a.match === undefined || new RegExp(a.match, "i").test(query));
    }
    default:
      return commands[command];
  }
}

function materialize(answer: CommandOutput, command: ReadOnlyCommand, parameters: Record<string, unknown>): unknown {
  const isLogs = command === "PULL_LOGS";
  const text = answer.text ?? (typeof answer.output === "string" ? answer.output : undefined);
  if (text === undefined) return answer.output ?? {};
  const served = isLogs ? filterLogs(text, parameters.grep, parameters.lines) : text;
  return answer.key ? { [answer.key]: served } : served;
}

/** `grep -iE <grep> | tail -n <lines>`; an invalid pattern is matched as plain text. */
export function filterLogs(text: string, grep: unknown, lines: unknown): string {
  let selected = text.replace(/\n$/, "").split("\n");
  if (typeof grep === "string" && grep.length > 0) {
    const test = toMatcher(grep);
    selected = selected.filter(test);
  }
  const tail = typeof lines === "number" && lines > 0 ? Math.floor(lines) : selected.length;
  return selected.slice(-tail).join("\n");
}

function toMatcher(pattern: string): (line: string) => boolean {
  try {
    const regex = new RegExp(pattern, "i");
    return (line) => regex.test(line);
  } catch {
    const needle = pattern.toLowerCase();
    return (line) => line.toLowerCase().includes(needle);
  }
}

import { loadConfig, readEnvironment } from "../../config/index.ts";
import { EXIT, UsageError } from "../../lib/errors.ts";
import { renderReportText } from "../../report/index.ts";
import { buildInvestigation, buildLogger } from "../compose.ts";
import type { CliIo } from "../io.ts";

export interface TriageCommandOptions {
  executionId: string;
  engine?: "claude" | "rules";
  json: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Investigates one execution without Slack and prints the report (text or --json) on stdout. */
export async function triageCommand(options: TriageCommandOptions, io: CliIo): Promise<number> {
  const executionId = options.executionId.trim().toLowerCase();
  if (!UUID.test(executionId)) throw new UsageError(`"${options.executionId}" is not an execution id (a UUID from the alert's /execution/<id> URL)`);
  const config = loadConfig(readEnvironment(io.env, `${io.cwd}/.env`), ["conductor"]);
  const logger = buildLogger(config, io);
  const investigation = buildInvestigation(config, { logger, ...(options.engine ? { engine: options.engine } : {}) });
  try {
    // An execution that cannot be read is an OncallError from the triager (execution_unreadable, evidence_unavailable): exit 1.
    logger.info({ executionId, engine: investigation.engine }, "triaging");
    const report = await investigation.triager.triage({ executionId, alert: null });
    io.stdout.write(options.json ? `${JSON.stringify({ executionId, report }, null, 2)}\n` : `${renderReportText(report, null)}\n`);
    return EXIT.ok;
  } finally {
    await investigation.close();
  }
}

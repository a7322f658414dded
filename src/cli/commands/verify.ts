import { join } from "node:path";
import { loadConfig, readEnvironment } from "../../config/index.ts";
import { EXIT } from "../../lib/errors.ts";
import type { EmailSenderOptions } from "../../notify/email.ts";
import { renderCheckTable, runChecks, SERVICES, type Service } from "../../verify/index.ts";
import type { CliIo } from "../io.ts";

export interface VerifyDeps {
  /** Per-check budget. Default 20 s. */
  timeoutMs?: number;
  /** TLS options for the SMTP check (tests: trust a self-signed server). */
  smtpOptions?: EmailSenderOptions;
}

/**
 * `verify [service]`: checks each configured integration for real and prints `SERVICE STATUS DETAIL`.
 * Exit 0 only when every check ran and passed (warnings included); 1 when one failed, or when nothing was configured to check.
 */
export async function verifyCommand(options: { service: Service | undefined }, io: Pick<CliIo, "stdout" | "env" | "cwd">, deps: VerifyDeps = {}): Promise<number> {
  const config = loadConfig(readEnvironment(io.env, join(io.cwd, ".env")), []);
  const services = options.service ? [options.service] : [...SERVICES];
  const results = await runChecks(config, { services, named: options.service !== undefined, timeoutMs: deps.timeoutMs ?? 20_000, ...(deps.smtpOptions ? { smtpOptions: deps.smtpOptions } : {}) });
  io.stdout.write(renderCheckTable(results));
  const checked = results.filter((r) => r.status !== "SKIP");
  if (checked.length === 0) {
    io.stdout.write("Nothing is configured to check: see .env.example.\n");
    return EXIT.failure;
  }
  // A warning (the database role could be safer) says what to run but does not fail the check.
  return checked.every((r) => r.status === "PASS" || r.status === "WARN") ? EXIT.ok : EXIT.failure;
}

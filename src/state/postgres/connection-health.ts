import type { Clock } from "../../lib/clock.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { Logger } from "../../lib/logger.ts";

/** SQLSTATE classes and codes that mean "the server or the connection went away", not "the query was wrong". */
const CONNECTION_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const CONNECTION_ERRNOS = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CONNECTION_SQLSTATES.test(code) || CONNECTION_ERRNOS.has(code))) return true;
  return CONNECTION_MESSAGES.test(error.message);
}

export interface HealthReport {
  ok: boolean;
  detail: string;
}

/** Reconnect probes back off from 0.5 s, doubling up to this. */
export const MAX_PROBE_DELAY_MS = 15_000;

/**
 * Whether the database is reachable, as the last operations saw it. A connection error marks it
 * down and starts a probe (`SELECT 1`) that backs off until the server answers; meanwhile the
 * store claims nothing new, so a replica cut off from PostgreSQL leaves the work to the others.
 */
export class ConnectionHealth {
  #down: { reason: string; since: number } | null = null;
  #probing = false;
  #closed = false;
  readonly #probe: () => Promise<void>;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #stop = new AbortController();

  constructor(probe: () => Promise<void>, deps: { clock: Clock; logger: Logger }) {
    this.#probe = probe;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  get ok(): boolean {
    return this.#down === null;
  }

  report(): HealthReport {
    if (!this.#down) return { ok: true, detail: "PostgreSQL reachable" };
    const seconds = Math.round((this.#clock.now() - this.#down.since) / 1000);
    return { ok: false, detail: `PostgreSQL unreachable for ${seconds} s: ${this.#down.reason}` };
  }

  /** Passes every operation's error through: a connection error marks the store down. */
  observe(error: unknown): void {
    if (!isConnectionError(error) || this.#closed) return;
    if (!this.#down) {
      this.#down = { reason: errorMessage(error), since: this.#clock.now() };
      this.#logger.error({ error: errorMessage(error) }, "lost the PostgreSQL connection: claiming nothing new until it is back");
    }
    void this.#reconnect();
  }

  close(): void {
    this.#closed = true;
    this.#stop.abort();
  }

  async #reconnect(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    let delay = 500;
    try {
      while (this.#down && !this.#closed) {
        const slept = await this.#clock.sleep(delay, this.#stop.signal).then(() => true, () => false);
        if (!slept) return;
        try {
          await this.#probe();
          const downFor = this.#clock.now() - this.#down.since;
          this.#down = null;
          this.#logger.info({ downForMs: downFor }, "PostgreSQL is reachable again");
        } catch (error) {
          if (this.#down) this.#down.reason = errorMessage(error);
          delay = Math.min(delay * 2, MAX_PROBE_DELAY_MS);
        }
      }
    } finally {
      this.#probing = false;
    }
  }
}

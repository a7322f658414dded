import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Clock } from "../lib/clock.ts";
import type { Logger } from "../lib/logger.ts";
import { checkLiveness, checkReadiness, type ServiceStatus } from "./health.ts";
import type { Metrics } from "./metrics.ts";

/** The paths served; probes and scrapers point at these. */
export const OPS_PATHS = { liveness: "/healthz", readiness: "/readyz", metrics: "/metrics" } as const;

export interface OpsServer {
  /** The bound address, e.g. for tests that asked for port 0. */
  readonly port: number;
  close(): Promise<void>;
}

/** `/healthz`, `/readyz` and `/metrics` for operators and probes; GET only, nothing else is served. */
export async function startOpsServer(
  options: { port: number; host: string },
  deps: { status: () => ServiceStatus; metrics: Metrics; clock: Clock; logger: Logger },
): Promise<OpsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    const send = (code: number, body: string, type = "text/plain; charset=utf-8") => {
      response.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      response.end(body);
    };
    if (request.method !== "GET" && request.method !== "HEAD") return send(405, "method not allowed\n");
    if (path === OPS_PATHS.liveness || path === OPS_PATHS.readiness) {
      const verdict = path === OPS_PATHS.liveness ? checkLiveness(deps.status(), deps.clock.now()) : checkReadiness(deps.status());
      return send(verdict.ok ? 200 : 503, `${verdict.ok ? "ok" : "not ok"}: ${verdict.detail}\n`);
    }
    if (path === OPS_PATHS.metrics) {
      deps.metrics.registry
        .metrics()
        .then((text) => send(200, text, deps.metrics.registry.contentType))
        .catch((error: unknown) => send(500, `metrics failed: ${String(error)}\n`));
      return;
    }
    send(404, "not found: /healthz, /readyz, /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  deps.logger.info({ host: options.host, port }, "ops endpoint listening");
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

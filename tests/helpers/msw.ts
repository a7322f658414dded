import { setupServer } from "msw/node";
import type { RequestHandler } from "msw";

/**
 * An msw server with the Node 20 body-cancel hang worked around (see toolchain.md): msw clones
 * each response and cancelling the original never settles, so SDK retries would hang.
 */
export function createMswServer(...handlers: RequestHandler[]): ReturnType<typeof setupServer> {
  const server = setupServer(...handlers);
  server.events.on("response:mocked", ({ response }) => {
    void response.body?.cancel().catch(() => {});
  });
  server.events.on("response:bypass", ({ response }) => {
    void response.body?.cancel().catch(() => {});
  });
  return server;
}

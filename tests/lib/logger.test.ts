import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { newTriageId, withLogContext } from "../../src/lib/log-context.ts";
import { createLogger } from "../../src/lib/logger.ts";

function capture(format: "json" | "pretty") {
  const out = new PassThrough();
  const lines: string[] = [];
  out.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
  return { logger: createLogger({ format, level: "info", destination: out }), lines };
}

describe("the logger", () => {
  it("writes JSON lines of one object each, with level, time and message", () => {
    const { logger, lines } = capture("json");
    logger.info({ command: "GET_PODS_DATA" }, "command started");
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ level: "info", message: "command started", command: "GET_PODS_DATA" });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it("adds the alert, execution and triage of the work in progress to every line, also across awaits", async () => {
    const { logger, lines } = capture("json");
    const triageId = newTriageId();
    await withLogContext({ alert: "C1:1700000000.000100", executionId: "8b1c2d3e" }, () =>
      withLogContext({ triageId }, async () => {
        logger.info("claimed");
        await new Promise((r) => setTimeout(r, 5));
        logger.warn("command failed transiently");
      }),
    );
    logger.info("outside");
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.slice(0, 2).every((l) => l.triageId === triageId && l.alert === "C1:1700000000.000100" && l.executionId === "8b1c2d3e")).toBe(true);
    expect(parsed[2]).not.toHaveProperty("triageId");
  });

  it("shows the context in the pretty format too", async () => {
    const { logger, lines } = capture("pretty");
    await withLogContext({ triageId: "abc12345" }, async () => logger.info("replied"));
    expect(lines[0]).toBe("info  replied  triageId=abc12345");
  });
});

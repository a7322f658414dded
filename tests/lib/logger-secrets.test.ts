import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/lib/logger.ts";

const GITHUB = ["ghp", "Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"].join("_");
const CONFIGURED = "conductor-secret-value-4711";

async function capture(format: "json" | "pretty"): Promise<string> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
  const logger = createLogger({ format, level: "info", destination: out, secrets: [CONFIGURED] });
  logger.info({ conductor: { authSecret: "s3cret-field-value" }, slack: { botToken: "xoxb-1-2-field" } }, "configured");
  logger.warn({ detail: `clone failed with ${GITHUB}` }, `retrying with ${CONFIGURED}`);
  logger.error({ err: new Error(`upstream said password=${CONFIGURED}x`) }, "failed");
  logger.flush();
  await new Promise((resolve) => setImmediate(resolve));
  return text;
}

describe("createLogger", () => {
  it.each(["json", "pretty"] as const)("keeps secrets out of %s lines: named fields, secret shapes and configured values", async (format) => {
    const text = await capture(format);
    expect(text).toContain("configured");
    for (const secret of ["s3cret-field-value", "xoxb-1-2-field", GITHUB, CONFIGURED]) expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
    expect(text).toContain("upstream said password=[redacted]");
  });
});

import { describe, expect, it } from "vitest";
import { parseMessageRef } from "../../src/capture/alert-source.ts";
import { createCaptureRedactor, formatRedactionCounts } from "../../src/capture/redact-capture.ts";

describe("capture redaction", () => {
  it("redacts secrets, connection strings and e-mail addresses and counts them by kind", () => {
    const r = createCaptureRedactor({ ips: false, knownValues: ["sandbox-key-secret"] });
    const out = r.text(
      "db=jdbc:postgresql://pg.internal:5432/conductor user=ops@example.com token=abc123def auth key sandbox-key-secret at 10.0.0.12",
    );
    expect(out).toBe("db=jdbc:postgresql://[redacted] user=[redacted-email] token=[redacted] auth key [redacted] at 10.0.0.12");
    expect(r.counts()).toEqual({ "configured credential": 1, "connection string": 1, "e-mail address": 1, "secret key-value pair": 1 });
  });

  it("redacts IPv4 addresses only when asked, and leaves version numbers alone", () => {
    const r = createCaptureRedactor({ ips: true, knownValues: [] });
    expect(r.text("node 10.0.0.12 runs conductor v5.2.14.1 and 1.2.3.4.5")).toBe("node [redacted-ip] runs conductor v5.2.14.1 and 1.2.3.4.5");
    expect(r.counts()).toEqual({ "ip address": 1 });
  });

  it("redacts values of secret-named keys in JSON and keeps it JSON", () => {
    const r = createCaptureRedactor({ ips: false, knownValues: [] });
    expect(r.json({ env: [{ name: "x", password: "hunter22" }], url: "redis://:s3cret@redis:6379" })).toEqual({
      env: [{ name: "x", password: "[redacted]" }],
      url: "redis://[redacted]",
    });
    expect(formatRedactionCounts(r.counts())).toBe("redacted: connection string ×1, password in url ×1, secret key-value pair ×1");
    expect(formatRedactionCounts({})).toBe("redacted: nothing");
    // JSON text escapes newlines as \n: the connection string ends there, the next line survives.
    expect(r.json({ log: "url jdbc:postgresql://pg:5432/conductor\nConditions: ok" })).toEqual({ log: "url jdbc:postgresql://[redacted]\nConditions: ok" });
  });
});

describe("parseMessageRef", () => {
  it("reads channel:ts and permalinks", () => {
    expect(parseMessageRef("C0SBXALERTS:1700000000.000100")).toEqual({ channel: "C0SBXALERTS", ts: "1700000000.000100" });
    expect(parseMessageRef("https://acme.slack.com/archives/C0123ABCD/p1700000000000100")).toEqual({ channel: "C0123ABCD", ts: "1700000000.000100" });
    expect(parseMessageRef("https://acme.slack.com/archives/C0123ABCD/p1700000000000100?thread_ts=1&cid=C0123ABCD")?.ts).toBe("1700000000.000100");
    expect(parseMessageRef("yesterday")).toBeNull();
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { createEmailSender } from "../../src/notify/index.ts";
import { closedPort, startSmtpServer } from "./smtp-fixture.ts";
import { smtpConfig } from "./notify-fixtures.ts";

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function server(options: Parameters<typeof startSmtpServer>[0] = {}) {
  const s = await startSmtpServer(options);
  servers.push(s);
  return s;
}

describe("createEmailSender against a real SMTP server on loopback", () => {
  it("delivers a plain-text message with its subject, sender and recipients", async () => {
    const smtp = await server();
    const sender = createEmailSender(smtpConfig(smtp.port));
    const result = await sender.send({ to: ["sre@example.com", "lead@example.com"], subject: "[CRITICAL] acme-eu-1 — Redis full", text: "Likely root cause:\n  backlog\n" });
    sender.close();
    expect(result).toEqual({ accepted: ["sre@example.com", "lead@example.com"], rejected: [] });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({ from: "oncall-agent@example.com", to: ["sre@example.com", "lead@example.com"], subject: "[CRITICAL] acme-eu-1 — Redis full" });
    expect(smtp.received[0]?.text).toContain("Likely root cause:\n  backlog");
    expect(smtp.received[0]?.headers["content-type"]).toMatch(/^text\/plain/);
  });

  it("upgrades with STARTTLS and logs in when configured", async () => {
    const smtp = await server({ starttls: true, auth: { user: "bot", pass: "correct-horse-battery" } });
    const config = smtpConfig(smtp.port, { security: "starttls", auth: { username: "bot", password: "correct-horse-battery" } });
    const sender = createEmailSender(config, { tls: { rejectUnauthorized: false } });
    await sender.send({ to: ["sre@example.com"], subject: "s", text: "t" });
    await sender.verify();
    sender.close();
    expect(smtp.received[0]).toMatchObject({ secure: true, user: "bot" });
  });

  it("refuses to send in clear when STARTTLS is required but not offered", async () => {
    const smtp = await server();
    const sender = createEmailSender(smtpConfig(smtp.port, { security: "starttls" }));
    await expect(sender.send({ to: ["sre@example.com"], subject: "s", text: "t" })).rejects.toThrow(/STARTTLS/i);
    sender.close();
    expect(smtp.received).toHaveLength(0);
  });

  it("fails with a clear code on a refused login, without the password in the message", async () => {
    const smtp = await server({ auth: { user: "bot", pass: "correct-horse-battery" } });
    const sender = createEmailSender(smtpConfig(smtp.port, { auth: { username: "bot", password: "wrong-password-123" } }));
    const error = await sender.send({ to: ["sre@example.com"], subject: "s", text: "t" }).then(
      () => new Error("expected the login to be refused"),
      (e: unknown) => e as Error,
    );
    sender.close();
    expect(error).toMatchObject({ code: "smtp_eauth" });
    expect(error.message).toMatch(/SMTP_USERNAME and SMTP_PASSWORD/);
    expect(error.message).not.toContain("wrong-password-123");
    expect(smtp.received).toHaveLength(0);
  });

  it("fails fast when nothing listens on the port", async () => {
    const sender = createEmailSender(smtpConfig(await closedPort()));
    await expect(sender.verify()).rejects.toThrow(/ECONNREFUSED|SMTP_HOST/);
    sender.close();
  });
});

import nodemailer from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import type { SmtpConfig } from "../config/index.ts";
import { errorMessage, OncallError } from "../lib/errors.ts";
import { redactKnownValues, redactSecrets } from "../lib/redact.ts";

export interface OutgoingEmail {
  to: readonly string[];
  subject: string;
  text: string;
}

/** SMTP behind a small interface: tests and the notifier never see nodemailer. */
export interface EmailSender {
  /** Resolves when the server accepted the message for at least one recipient. */
  send(email: OutgoingEmail): Promise<{ accepted: string[]; rejected: string[] }>;
  /** Connects, upgrades to TLS as configured, logs in, and disconnects. */
  verify(): Promise<void>;
  close(): void;
}

export interface EmailSenderOptions {
  /** TLS options for the connection, e.g. a CA for a private server (tests: a self-signed one). */
  tls?: SMTPTransport.Options["tls"];
}

/** One pooled-free transport: a message opens its own connection, so a dead server fails fast and alone. */
export function createEmailSender(smtp: SmtpConfig, options: EmailSenderOptions = {}): EmailSender {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "ssl",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    ...(smtp.auth ? { auth: { user: smtp.auth.username, pass: smtp.auth.password } } : {}),
    connectionTimeout: smtp.timeoutMs,
    greetingTimeout: smtp.timeoutMs,
    socketTimeout: smtp.timeoutMs,
    ...(options.tls ? { tls: options.tls } : {}),
  } satisfies SMTPTransport.Options);
  const secrets = smtp.auth ? [smtp.auth.password] : [];

  return {
    async send(email) {
      let info: SMTPTransport.SentMessageInfo;
      try {
        info = await transport.sendMail({ from: smtp.from, to: [...email.to], subject: email.subject, text: email.text });
      } catch (error) {
        throw toSmtpError(smtp, error, secrets);
      }
      const accepted = info.accepted.map(addressOf);
      const rejected = info.rejected.map(addressOf);
      if (accepted.length === 0) throw new OncallError("smtp_rejected", `SMTP ${smtp.host}:${smtp.port} accepted no recipient (rejected: ${rejected.join(", ")})`);
      return { accepted, rejected };
    },
    async verify() {
      try {
        await transport.verify();
      } catch (error) {
        throw toSmtpError(smtp, error, secrets);
      }
    },
    close: () => transport.close(),
  };
}

function addressOf(address: string | { address: string }): string {
  return typeof address === "string" ? address : address.address;
}

/** Stable codes for the usual failures; the message never carries the password. */
function toSmtpError(smtp: SmtpConfig, error: unknown, secrets: readonly string[]): OncallError {
  const code = (error as { code?: unknown }).code;
  const where = `SMTP ${smtp.host}:${smtp.port} (${smtp.security})`;
  const message = redactKnownValues(redactSecrets(errorMessage(error)), secrets);
  const hint = code === "EAUTH" ? " (check SMTP_USERNAME and SMTP_PASSWORD)" : code === "ESOCKET" || code === "ECONNECTION" ? " (check SMTP_HOST, SMTP_PORT and SMTP_SECURITY)" : "";
  return new OncallError(`smtp_${typeof code === "string" ? code.toLowerCase() : "error"}`, `${where}: ${message}${hint}`, { cause: error });
}

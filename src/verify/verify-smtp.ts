import type { SmtpConfig } from "../config/index.ts";
import { createEmailSender, type EmailSenderOptions } from "../notify/email.ts";

/** Connect, upgrade to TLS as configured, log in (nodemailer's verify), disconnect. Sends nothing. */
export async function verifySmtp(smtp: SmtpConfig, options: EmailSenderOptions = {}): Promise<string> {
  const sender = createEmailSender(smtp, options);
  try {
    await sender.verify();
  } finally {
    sender.close();
  }
  const tls = smtp.security === "none" ? "no TLS" : smtp.security === "ssl" ? "TLS" : "STARTTLS";
  const login = smtp.auth ? `logged in as ${smtp.auth.username}` : "no login configured";
  return `connected to ${smtp.host}:${smtp.port} (${tls}); ${login}`;
}

import { LogLevel, WebClient, type Logger as SlackLogger } from "@slack/web-api";
import type { SlackConfig } from "../config/index.ts";
import { errorMessage } from "../lib/errors.ts";
import { toSlackError } from "../slack/slack-api.ts";

const QUIET: SlackLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

/** Scopes the bot needs; reading history needs channels:history (public) or groups:history (private). */
export function findMissingScopes(scopes: readonly string[], options: { channels: readonly string[]; dm: boolean }): string[] {
  const missing = ["chat:write", "reactions:write"].filter((s) => !scopes.includes(s));
  const hasPrivate = options.channels.some((c) => c.startsWith("G"));
  if (hasPrivate && !scopes.includes("groups:history")) missing.push("groups:history");
  if (!scopes.includes("channels:history") && !scopes.includes("groups:history")) missing.push("channels:history");
  if (options.dm && !scopes.includes("im:write")) missing.push("im:write");
  return missing;
}

/**
 * auth.test (token, and the granted scopes from its x-oauth-scopes header), then one history
 * read per alert channel (the bot can see it and is in it). Throws with what to fix.
 */
export async function verifySlack(slack: SlackConfig, options: { timeoutMs: number }): Promise<string> {
  const client = new WebClient(slack.botToken, {
    slackApiUrl: slack.apiUrl,
    timeout: options.timeoutMs,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
    logger: QUIET,
  });
  let auth;
  try {
    auth = await client.auth.test();
  } catch (error) {
    throw toSlackError("auth.test", error);
  }
  const problems: string[] = [];
  for (const channel of slack.channels) {
    try {
      await client.conversations.history({ channel, limit: 1 });
    } catch (error) {
      problems.push(`${channel}: ${errorMessage(toSlackError("conversations.history", error))}`);
    }
  }
  const scopes = auth.response_metadata?.scopes;
  if (scopes) {
    const missing = findMissingScopes(scopes, { channels: slack.channels, dm: slack.escalationUsers.length > 0 });
    if (missing.length > 0) problems.push(`missing scopes ${missing.join(", ")} (add them to the app and reinstall it)`);
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  const who = `bot ${auth.user ?? auth.user_id ?? "?"} in ${auth.team ?? "the workspace"}`;
  const channels = `${slack.channels.length} channel${slack.channels.length === 1 ? "" : "s"} readable`;
  const scopeNote = scopes ? "scopes OK" : "scopes not reported (checked by the calls above)";
  return `${who}; ${channels}; ${scopeNote}`;
}

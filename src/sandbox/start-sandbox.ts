import { startAnthropicServer, type AnthropicServer } from "./anthropic-server.ts";
import { startConductorServer, type ConductorServer } from "./conductor-server.ts";
import type { Scenario } from "./scenario-schema.ts";
import { startSlackServer, type SlackServer } from "./slack-server.ts";

export interface SandboxOptions {
  scenarios: readonly Scenario[];
  latency?: { slackMs?: number; conductorCommandMs?: number; modelMs?: number };
  /** The alert channel (default C0SBXALERTS). */
  alertChannel?: string;
  /** The fake Conductor's synchronous-execution endpoint: "supported" (default), or the 404/405 of a server without it. */
  synchronousExecution?: "supported" | 404 | 405;
  /** Posts every scenario's alert into the alert channel at start, in scenario order. */
  postAlerts?: boolean;
  now?: () => number;
}

export interface Sandbox {
  slack: SlackServer;
  conductor: ConductorServer;
  anthropic: AnthropicServer;
  alertChannel: string;
  /** The ts of each alert posted at start, by scenario id. */
  alertTs: Record<string, string>;
  /** The bot's configuration pointed at the sandbox. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Fake credentials: valid-looking for the config schema, useless anywhere else. */
export const SANDBOX_CREDENTIALS = {
  slackToken: "xoxb-sandbox-0000000000-fake",
  conductorKeyId: "sandbox-key-id",
  conductorKeySecret: "sandbox-key-secret",
  anthropicApiKey: "sk-ant-sandbox-fake",
} as const;

/** Starts the three fakes on free 127.0.0.1 ports. */
export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const alertChannel = options.alertChannel ?? "C0SBXALERTS";
  const now = options.now ?? Date.now;
  const started: { close(): Promise<void> }[] = [];
  try {
    const slack = await startSlackServer({
      token: SANDBOX_CREDENTIALS.slackToken,
      channels: [alertChannel],
      latencyMs: options.latency?.slackMs ?? 0,
      now,
    });
    started.push(slack);
    const conductor = await startConductorServer({
      scenarios: options.scenarios,
      keyId: SANDBOX_CREDENTIALS.conductorKeyId,
      keySecret: SANDBOX_CREDENTIALS.conductorKeySecret,
      commandDelayMs: options.latency?.conductorCommandMs ?? 50,
      ...(options.synchronousExecution ? { synchronousExecution: options.synchronousExecution } : {}),
      now,
    });
    started.push(conductor);
    const anthropic = await startAnthropicServer({
      scenarios: options.scenarios,
      apiKey: SANDBOX_CREDENTIALS.anthropicApiKey,
      latencyMs: options.latency?.modelMs ?? 0,
      now,
    });
    started.push(anthropic);

    const alertTs: Record<string, string> = {};
    if (options.postAlerts) {
      for (const scenario of options.scenarios) alertTs[scenario.id] = slack.postAlert(alertChannel, scenario.alert.message);
    }
    return {
      slack,
      conductor,
      anthropic,
      alertChannel,
      alertTs,
      env: {
        SLACK_API_URL: slack.url,
        SLACK_BOT_TOKEN: SANDBOX_CREDENTIALS.slackToken,
        SLACK_ALERT_CHANNELS: alertChannel,
        CONDUCTOR_SERVER_URL: conductor.url,
        CONDUCTOR_AUTH_KEY: SANDBOX_CREDENTIALS.conductorKeyId,
        CONDUCTOR_AUTH_SECRET: SANDBOX_CREDENTIALS.conductorKeySecret,
        ANTHROPIC_BASE_URL: anthropic.url,
        ANTHROPIC_API_KEY: SANDBOX_CREDENTIALS.anthropicApiKey,
      },
      close: async () => {
        await Promise.all(started.map((s) => s.close()));
      },
    };
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { envSchema, loadConfig } from "../../src/config/index.ts";
import { UsageError } from "../../src/lib/errors.ts";

const SLACK = { SLACK_BOT_TOKEN: "xoxb-1-2-abc", SLACK_ALERT_CHANNELS: "C0123ABCD, C0456EFGH" };
const CONDUCTOR = { CONDUCTOR_SERVER_URL: "https://x.orkesconductor.io/api/", CONDUCTOR_AUTH_KEY: "key", CONDUCTOR_AUTH_SECRET: "s3cret-value" };

function problems(env: Record<string, string>, needs: ("slack" | "conductor" | "anthropic")[]): string {
  try {
    loadConfig(env, needs);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return (error as Error).message;
  }
  throw new Error("expected a configuration error");
}

describe("loadConfig", () => {
  it("applies defaults and parses lists and durations", () => {
    const config = loadConfig({ ...SLACK, ...CONDUCTOR, ONCALL_POLL_INTERVAL: "2m" }, ["slack", "conductor"]);
    expect(config.slack.channels).toEqual(["C0123ABCD", "C0456EFGH"]);
    expect(config.slack.apiUrl).toBe("https://slack.com/api/");
    expect(config.conductor.serverUrl).toBe("https://x.orkesconductor.io/api");
    expect(config.oncall.pollIntervalMs).toBe(120_000);
    expect(config.oncall.knownIncidentCooldownMs).toBe(3_600_000);
    expect(config.oncall.engine).toBe("rules");
  });

  it("picks the claude engine in auto mode only when a key is set", () => {
    expect(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-x" }, []).oncall.engine).toBe("claude");
    expect(loadConfig({ ANTHROPIC_API_KEY: "sk-ant-x", ONCALL_ENGINE: "rules" }, []).oncall.engine).toBe("rules");
  });

  it("needs nothing for commands that use nothing", () => {
    expect(() => loadConfig({}, [])).not.toThrow();
  });

  it("lists every problem at once with how to fix it", () => {
    const message = problems(
      { SLACK_ALERT_CHANNELS: "#alerts", ONCALL_POLL_INTERVAL: "soon", ONCALL_CONCURRENCY: "-1", LOG_FORMAT: "xml" },
      ["slack", "conductor"],
    );
    expect(message).toMatch(/SLACK_ALERT_CHANNELS must be comma-separated channel ids/);
    expect(message).toMatch(/ONCALL_POLL_INTERVAL "soon" is not a duration/);
    expect(message).toMatch(/ONCALL_CONCURRENCY must be above 0/);
    expect(message).toMatch(/LOG_FORMAT must be pretty or json/);
    expect(message).toMatch(/SLACK_BOT_TOKEN is not set: create a Slack app/);
    expect(message).toMatch(/CONDUCTOR_SERVER_URL is not set/);
    expect(message).toMatch(/CONDUCTOR_AUTH_SECRET is not set/);
    expect(message).toMatch(/\(8\)/);
  });

  it("never echoes a secret value in its message", () => {
    const message = problems({ SLACK_BOT_TOKEN: "not-a-token-SENSITIVE", CONDUCTOR_AUTH_SECRET: "hunter2-SENSITIVE" }, ["slack"]);
    expect(message).toMatch(/SLACK_BOT_TOKEN must be a Slack bot token/);
    expect(message).not.toContain("SENSITIVE");
  });

  it("treats empty values as unset, so a copied .env.example works", () => {
    expect(problems({ SLACK_BOT_TOKEN: "", SLACK_ALERT_CHANNELS: "" }, ["slack"])).toMatch(/SLACK_BOT_TOKEN is not set/);
  });
});

describe(".env.example", () => {
  it("documents every variable the schema reads, and nothing else", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const documented = [...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(new Set(documented)).toEqual(new Set(Object.keys(envSchema.shape)));
  });

  it("loads as-is without errors", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const env = Object.fromEntries([...example.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(() => loadConfig(env, [])).not.toThrow();
  });

  it("refuses durations and counts outside sane bounds, each with its range", () => {
    const message = problems(
      {
        ONCALL_POLL_INTERVAL: "0",
        ONCALL_SHUTDOWN_GRACE: "30d",
        CONDUCTOR_REQUEST_TIMEOUT: "0s",
        CONDUCTOR_COMMAND_TIMEOUT: "0",
        ONCALL_CONCURRENCY: "10000",
        ONCALL_MAX_TURNS: "500",
        ONCALL_TOOL_OUTPUT_BUDGET: "10",
      },
      [],
    );
    expect(message).toMatch(/ONCALL_POLL_INTERVAL "0" is out of range: use a duration from 2s to 1h/);
    expect(message).toMatch(/ONCALL_SHUTDOWN_GRACE "30d" is out of range/);
    expect(message).toMatch(/CONDUCTOR_REQUEST_TIMEOUT "0s" is out of range: use a duration from 1s to 5m/);
    expect(message).toMatch(/CONDUCTOR_COMMAND_TIMEOUT "0" is out of range/);
    expect(message).toMatch(/ONCALL_CONCURRENCY must be at most 64/);
    expect(message).toMatch(/ONCALL_MAX_TURNS must be at most 50/);
    expect(message).toMatch(/ONCALL_TOOL_OUTPUT_BUDGET must be at least 500/);
  });

  it("keeps every duration's maximum under Node's timer limit", () => {
    const longest = loadConfig({ ONCALL_KNOWN_INCIDENT_COOLDOWN: "7d", ONCALL_TRIAGE_DEADLINE: "1h", ONCALL_POLL_INTERVAL: "1h" }, []);
    expect(longest.oncall.knownIncidentCooldownMs).toBeLessThan(2 ** 31 - 1);
    expect(problems({ ONCALL_KNOWN_INCIDENT_COOLDOWN: "8d" }, [])).toMatch(/ONCALL_KNOWN_INCIDENT_COOLDOWN "8d" is out of range/);
  });

  it("reads the operators' endpoint settings, off by default", () => {
    expect(loadConfig({}, []).ops).toEqual({ httpPort: undefined, httpAddress: "127.0.0.1" });
    expect(loadConfig({ ONCALL_HTTP_PORT: "9464", ONCALL_HTTP_ADDRESS: "0.0.0.0" }, []).ops).toEqual({ httpPort: 9464, httpAddress: "0.0.0.0" });
    expect(problems({ ONCALL_HTTP_PORT: "70000", ONCALL_HTTP_ADDRESS: "everywhere" }, [])).toMatch(/ONCALL_HTTP_PORT must be a port number.*\n?.*ONCALL_HTTP_ADDRESS must be an IP address/s);
  });
});

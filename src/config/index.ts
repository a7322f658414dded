export { loadConfig, readEnvironment } from "./load-config.ts";
export type { Config, ConfigWith, Need, SlackConfig, ConductorConfig, AnthropicConfig, OncallConfig, NotifyConfig, FeedbackConfig, OpsConfig, PostgresConfig, SeverityName, SmtpConfig } from "./load-config.ts";
export { envSchema } from "./schema.ts";

export { loadConfig, readEnvironment } from "./load-config.ts";
export type { Config, ConfigWith, Need, SlackConfig, ConductorConfig, AnthropicConfig, OncallConfig, NotifyConfig, OpsConfig, SeverityName, SmtpConfig } from "./load-config.ts";
export { envSchema } from "./schema.ts";

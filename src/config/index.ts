export { loadConfig, readEnvironment } from "./load-config.ts";
export type { Config, ConfigWith, Need, SlackConfig, ConductorConfig, AnthropicConfig, OncallConfig } from "./load-config.ts";
export { envSchema } from "./schema.ts";

import { describe, expect, it } from "vitest";
import { redactDeep, redactKnownValues, redactSecrets } from "../../src/lib/redact.ts";

// Fake credentials with real shapes; assembled at runtime so no scanner mistakes them for live ones.
const SLACK_BOT = ["xoxb", "2948812331-7730112233441-Zq8VxWm3PqLr9TnYb2Kd0sFh"].join("-");
const JWT =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhcHAta2V5LTEiLCJleHAiOjE4OTk5OTk5OTl9.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

describe("redactSecrets", () => {
  it.each([
    ["slack bot token", `posting with ${SLACK_BOT} now`, "posting with xoxb-[redacted] now"],
    ["slack user token", "xoxp-1111111111-2222222222-abcdef", "xoxp-[redacted]"],
    ["slack app token", "SLACK_APP_TOKEN xapp-1-A0123456789-1234567890-abcdef0123", "SLACK_APP_TOKEN xapp-[redacted]"],
    ["slack refresh and config tokens", "xoxr-abcdef123456 xoxa-2-abcdef1234 xoxs-abcdef123456", "xoxr-[redacted] xoxa-[redacted] xoxs-[redacted]"],
    [
      "slack webhook url",
      "webhook https://hooks.slack.com/services/T024BE7LD/B01ABCDEF12/N8fYxK2pQ7rT4vW9zA1bC3dE",
      "webhook https://hooks.slack.com/[redacted]",
    ],
    ["anthropic key", "ANTHROPIC_API_KEY=sk-ant-api03-Qm9vYmFyYmF6cXV4LXRlc3Q-AbCdEf", "ANTHROPIC_API_KEY=sk-ant-[redacted]"],
    ["openai-like key", "key sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56 used", "key sk-[redacted] used"],
    ["authorization bearer header", "Authorization: Bearer x", "Authorization: Bearer [redacted]"],
    ["bearer jwt", `curl -H "Authorization: Bearer ${JWT}"`, 'curl -H "Authorization: Bearer [redacted]"'],
    ["bare bearer token", "sent Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0 upstream", "sent Bearer [redacted] upstream"],
    ["conductor header", "X-Authorization: 7c2f1e0a-5b3d-4e8f-9a1b-2c3d4e5f6a7b", "X-Authorization: [redacted]"],
    ["header in json", '{"X-Authorization":"abc.def.ghi"}', '{"X-Authorization":"[redacted]"}'],
    ["aws access key id", "key id AKIAIOSFODNN7EXAMPLE and ASIAY34FZKBOKMUTVV7A", "key id AKIA[redacted] and ASIA[redacted]"],
    [
      "aws secret key",
      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      "aws_secret_access_key = [redacted]",
    ],
    ["password in postgres url", "postgres://orkes:hunter2@db.internal:5432/conductor", "postgres://orkes:[redacted]@db.internal:5432/conductor"],
    ["password in redis url without user", "redis://:s3cr3t!@redis-master:6379/0", "redis://:[redacted]@redis-master:6379/0"],
    ["bare jwt", `session ${JWT} expired`, "session [redacted] expired"],
    ["password pair", "login failed password=hunter2 user=admin", "login failed password=[redacted] user=admin"],
    ["json password", '{"user":"conductor","password": "p@ss \\"word\\""}', '{"user":"conductor","password": "[redacted]"}'],
    ["conductor key secret", '{"keyId":"a1b2","keySecret":"Zr4nd0mS3cret"}', '{"keyId":"a1b2","keySecret":"[redacted]"}'],
    ["secret and token pairs", "secret: abc123; token=def456&page=2", "secret: [redacted]; token=[redacted]&page=2"],
    ["prefixed key", "DB_PASSWORD='Tr0ub4dor&3'", "DB_PASSWORD='[redacted]'"],
    [
      "private key block",
      "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\nq3x9\n-----END RSA PRIVATE KEY-----\ndone",
      "key:\n-----BEGIN RSA PRIVATE KEY-----[redacted]-----END RSA PRIVATE KEY-----\ndone",
    ],
    [
      "cut-off private key block",
      "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----",
    ],
  ])("redacts a %s", (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    ["a uuid", "execution 8b1c2d3e-0f4a-11f1-9c2e-0242ac120002 failed"],
    ["pod names", "conductor-server-7d9f8c-x2k4q restarted; sk-worker-7f9c8d-x2k4q is fine"],
    ["a column named after passwords", "SELECT password_reset_count, token_count FROM users"],
    ["token statistics", "input_tokens: 18400, output_tokens=1250"],
    ["ordinary words", "The password policy and the secret sauce; a token gesture. Bearer bonds."],
    ["a url with a port", "https://cp.orkes.example:8443/api/workflow?includeTasks=true"],
    ["an e-mail address", "mail oncall@acme.example about it"],
    ["a health-check line", "*CRITICAL:* The Redis instance is at 71%, above the CRITICAL threshold of 65%"],
  ])("leaves %s alone", (_name, input) => {
    expect(redactSecrets(input)).toBe(input);
  });

  it("is idempotent", () => {
    const once = redactSecrets(`token=${SLACK_BOT} Authorization: Bearer ${JWT} password=x`);
    expect(redactSecrets(once)).toBe(once);
    expect(once).toBe("token=xoxb-[redacted] Authorization: Bearer [redacted] password=[redacted]");
  });
});

describe("redactSecrets on adversarial text", () => {
  // Long runs that made earlier patterns rescan from every position (seconds each at this size).
  it.each([
    ["dashed run", "sk-" + "ab-".repeat(50_000)],
    ["dotted run", "a.".repeat(50_000)],
    ["hyphenated eyJ", "eyJ-".repeat(50_000)],
    ["scheme-like run", "a+b.".repeat(50_000)],
    ["unterminated quoted secrets", 'password:"'.repeat(10_000)],
  ])("handles a %s in linear time", (_name, text) => {
    const started = performance.now();
    redactSecrets(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("redactKnownValues", () => {
  it("scrubs configured values wherever they appear, also URL-encoded", () => {
    const secret = "c0nduct0r/S3cret+key";
    const text = `keyId=abc body=${secret} query=${encodeURIComponent(secret)} again ${secret}`;
    expect(redactKnownValues(text, [secret])).toBe("keyId=abc body=[redacted] query=[redacted] again [redacted]");
  });

  it("removes the longer of two overlapping values whole", () => {
    expect(redactKnownValues("value ABCDEF123456 end", ["ABCDEF", "ABCDEF123456"])).toBe("value [redacted] end");
  });

  it("ignores empty and very short values, which would shred ordinary text", () => {
    expect(redactKnownValues("an ordinary sentence", ["", "a", "or"])).toBe("an ordinary sentence");
  });
});

// Assembled at runtime, like the fakes above, so no scanner mistakes them for live credentials.
const GITHUB = ["ghp", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("_");
const GITHUB_PAT = ["github", "pat", "11ABCDEFG0123456789", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"].join("_");
const GOOGLE = ["AIza", "SyA1234567890abcdefghijklmnopqrstuv"].join("");
const AZURE_KEY = "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFy+/==";
const PEM_LINES = ["MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj", "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu"];

describe("redactSecrets: the patterns issue 9 found missing", () => {
  it.each([
    ["github token", `cloned with ${GITHUB} ok`, "cloned with ghp_[redacted] ok"],
    ["github fine-grained token", `GH=${GITHUB_PAT}`, "GH=github_pat_[redacted]"],
    ["google api key", `maps ${GOOGLE}`, "maps AIza[redacted]"],
    [
      "azure storage connection string",
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZURE_KEY};EndpointSuffix=core.windows.net`,
      "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[redacted];EndpointSuffix=core.windows.net",
    ],
    ["azure sas url", "https://acct.blob.core.windows.net/c?sv=2020&sig=abc%2Bdef%3D&se=2026", "https://acct.blob.core.windows.net/c?sv=2020&sig=[redacted]&se=2026"],
    ["scram verifier", "SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVka2V5:c2VydmVya2V5", "SCRAM-SHA-256$[redacted]"],
    ["md5 password hash", "md5f1c6b3f6a6f4b0c2f0a1b2c3d4e5f6a7", "md5[redacted]"],
    ["sql password literal", "ALTER ROLE app WITH ENCRYPTED PASSWORD 'hun''ter2'", "ALTER ROLE app WITH ENCRYPTED PASSWORD '[redacted]'"],
    ["dollar-quoted sql password", "CREATE ROLE x PASSWORD $p$s3cr3t$p$ LOGIN", "CREATE ROLE x PASSWORD '[redacted]' LOGIN"],
    ["stripe key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_[redacted]"],
    ["private key body lines on their own", `2026-01-01 INFO ${PEM_LINES[0]}\n2026-01-01 INFO ${PEM_LINES[1]}`, "2026-01-01 INFO [redacted]\n2026-01-01 INFO [redacted]"],
    [
      "private key with escaped newlines",
      `{"key":"-----BEGIN PRIVATE KEY-----\\n${PEM_LINES[0]}\\n-----END PRIVATE KEY-----"}`,
      '{"key":"-----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY-----"}',
    ],
  ])("redacts a %s", (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    ["an image digest", "image@sha256:4c7f0a5e8b3d2c1f9e6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e"],
    ["a class path", "java/lang/NoClassDefFoundError: com/netflix/conductor/core/execution/WorkflowExecutorOps"],
    ["a password policy setting", "password_encryption = scram-sha-256"],
  ])("leaves %s alone", (_name, text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("redactDeep", () => {
  it("redacts every string and key of a structure, and the configured values, keeping its shape", () => {
    const value = { rows: [{ env: `TOKEN=${GITHUB}`, n: 3, at: null }], "canary-value-123456": ["ok", true] };
    expect(redactDeep(value, ["canary-value-123456"])).toEqual({ rows: [{ env: "TOKEN=ghp_[redacted]", n: 3, at: null }], "[redacted]": ["ok", true] });
  });
});

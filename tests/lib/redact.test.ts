import { describe, expect, it } from "vitest";
import { redactKnownValues, redactSecrets } from "../../src/lib/redact.ts";

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

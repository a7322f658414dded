import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyCommand } from "../../src/cli/commands/verify.ts";
import { main } from "../../src/cli/main.ts";
import { renderCheckTable } from "../../src/verify/index.ts";
import { createMswServer } from "../helpers/msw.ts";
import { createFakeSlack } from "../helpers/slack-msw.ts";
import { closedPort, startSmtpServer } from "../notify/smtp-fixture.ts";

const CONDUCTOR_URL = "https://conductor.test/api";
const ANTHROPIC_URL = "https://anthropic.test";
const MODEL = "claude-test-model";
const SECRETS = { SLACK_BOT_TOKEN: "xoxb-1111-2222-SECRETSLACK", CONDUCTOR_AUTH_SECRET: "conductor-SECRET-value", ANTHROPIC_API_KEY: "sk-ant-SECRETANTHROPIC123", SMTP_PASSWORD: "smtp-SECRET-pass" };
const FULL_SCOPES = ["channels:history", "chat:write", "reactions:write", "im:write"];

const msw = createMswServer();
beforeAll(() => msw.listen({ onUnhandledRequest: "error" }));
afterAll(() => msw.close());
afterEach(() => msw.resetHandlers());

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

function conductor(options: { tokenStatus?: number } = {}) {
  return [
    http.post(`${CONDUCTOR_URL}/token`, async ({ request }) => {
      const body = (await request.json()) as { keySecret?: string };
      if (options.tokenStatus || body.keySecret !== SECRETS.CONDUCTOR_AUTH_SECRET) return HttpResponse.json({ message: "unauthorized" }, { status: options.tokenStatus ?? 401 });
      return HttpResponse.json({ token: "conductor-token" });
    }),
    http.get(`${CONDUCTOR_URL}/workflow/search`, ({ request }) =>
      request.headers.get("x-authorization") === "conductor-token" && new URL(request.url).searchParams.get("size") === "1"
        ? HttpResponse.json({ totalHits: 42, results: [] })
        : HttpResponse.json({ message: "bad" }, { status: 400 }),
    ),
  ];
}

function anthropic(options: { knownModel?: string } = {}) {
  return [
    http.get(`${ANTHROPIC_URL}/v1/models/:model`, ({ request, params }) => {
      const key = request.headers.get("x-api-key") ?? request.headers.get("authorization")?.replace(/^Bearer /, "");
      if (key !== SECRETS.ANTHROPIC_API_KEY) return HttpResponse.json({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }, { status: 401 });
      if (params.model !== (options.knownModel ?? MODEL)) return HttpResponse.json({ type: "error", error: { type: "not_found_error", message: "model not found" } }, { status: 404 });
      return HttpResponse.json({ type: "model", id: params.model, display_name: "Claude", created_at: "2025-09-29T00:00:00Z" });
    }),
  ];
}

async function smtp(auth = true) {
  const server = await startSmtpServer(auth ? { auth: { user: "bot", pass: SECRETS.SMTP_PASSWORD } } : {});
  cleanups.push(() => server.close());
  return server;
}

function env(overrides: Record<string, string> = {}, smtpPort?: number): Record<string, string> {
  const { SMTP_PASSWORD, ...others } = SECRETS;
  return {
    ...others,
    SLACK_ALERT_CHANNELS: "C0ALERTS1,C0ALERTS2",
    SLACK_API_URL: "https://slack.test/api/",
    SLACK_ESCALATION_USERS: "U0ONCALL1",
    CONDUCTOR_SERVER_URL: CONDUCTOR_URL,
    CONDUCTOR_AUTH_KEY: "key-id",
    ANTHROPIC_BASE_URL: ANTHROPIC_URL,
    ANTHROPIC_MODEL: MODEL,
    ...(smtpPort ? { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtpPort), SMTP_SECURITY: "none", SMTP_USERNAME: "bot", SMTP_PASSWORD, SMTP_FROM: "oncall-agent@example.com" } : {}),
    ...overrides,
  };
}

async function verify(environment: Record<string, string>, service?: "slack" | "conductor" | "anthropic" | "smtp") {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const cwd = mkdtempSync(join(tmpdir(), "oncall-verify-"));
  const code = await verifyCommand({ service }, { stdout, env: environment, cwd }, { timeoutMs: 3000 });
  const rows = Object.fromEntries(
    out
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(/\s{2,}/))
      .map(([name, status, ...detail]) => [name, { status, detail: detail.join("  ") }]),
  );
  return { code, out, rows };
}

describe("oncall-agent verify", () => {
  it("passes every configured integration and prints SERVICE STATUS DETAIL without secrets", async () => {
    msw.use(...createFakeSlack({ scopes: FULL_SCOPES }).handlers, ...conductor(), ...anthropic());
    const server = await smtp();
    const { code, out, rows } = await verify(env({}, server.port));
    expect(out.split("\n")[0]).toMatch(/^SERVICE\s+STATUS\s+DETAIL$/);
    expect(rows.slack).toEqual({ status: "PASS", detail: "bot UBOT in T1; 2 channels readable; scopes OK" });
    expect(rows.conductor?.status).toBe("PASS");
    expect(rows.conductor?.detail).toMatch(/token OK; search read 42 health_check executions/);
    expect(rows.anthropic).toEqual({ status: "PASS", detail: `key OK; model ${MODEL} available` });
    expect(rows.smtp).toEqual({ status: "PASS", detail: `connected to 127.0.0.1:${server.port} (no TLS); logged in as bot` });
    expect(code).toBe(0);
    for (const secret of Object.values(SECRETS)) expect(out).not.toContain(secret);
  });

  it("fails a channel the bot cannot read and a missing scope, and exits 1", async () => {
    const slack = createFakeSlack({ scopes: ["channels:history", "chat:write"] });
    slack.failNext("conversations.history", 1, () => HttpResponse.json({ ok: false, error: "not_in_channel" }));
    msw.use(...slack.handlers);
    const { code, rows } = await verify(env(), "slack");
    expect(rows.slack?.status).toBe("FAIL");
    expect(rows.slack?.detail).toMatch(/C0ALERTS1: Slack conversations.history failed: not_in_channel \(invite the bot/);
    expect(rows.slack?.detail).toMatch(/missing scopes reactions:write, im:write/);
    expect(slack.callsOf("conversations.history").map((c) => c.params.limit)).toEqual(["1", "1"]);
    expect(code).toBe(1);
  });

  it("fails a revoked Slack token with the hint", async () => {
    const slack = createFakeSlack();
    slack.failNext("auth.test", 1, () => HttpResponse.json({ ok: false, error: "invalid_auth" }));
    msw.use(...slack.handlers);
    const { rows } = await verify(env(), "slack");
    expect(rows.slack).toEqual({ status: "FAIL", detail: "Slack auth.test failed: invalid_auth (SLACK_BOT_TOKEN is wrong or revoked)" });
  });

  it("fails a rejected Conductor key, an unknown Anthropic model, and an SMTP login refused", async () => {
    msw.use(...createFakeSlack({ scopes: FULL_SCOPES }).handlers, ...conductor({ tokenStatus: 401 }), ...anthropic({ knownModel: "claude-other" }));
    const server = await smtp();
    const { code, rows, out } = await verify(env({ SMTP_PASSWORD: "smtp-WRONG-pass" }, server.port));
    expect(rows.slack?.status).toBe("PASS");
    expect(rows.conductor?.status).toBe("FAIL");
    expect(rows.conductor?.detail).toMatch(/CONDUCTOR_AUTH_KEY and CONDUCTOR_AUTH_SECRET/);
    expect(rows.anthropic).toEqual({ status: "FAIL", detail: `model ${MODEL} not found for this key (404): check ANTHROPIC_MODEL` });
    expect(rows.smtp?.status).toBe("FAIL");
    expect(rows.smtp?.detail).toMatch(/SMTP_USERNAME and SMTP_PASSWORD/);
    expect(out).not.toContain("smtp-WRONG-pass");
    expect(code).toBe(1);
  });

  it("fails SMTP when nothing listens", async () => {
    const { code, rows } = await verify({ SMTP_HOST: "127.0.0.1", SMTP_PORT: String(await closedPort()), SMTP_SECURITY: "none", SMTP_FROM: "a@example.com" }, "smtp");
    expect(rows.smtp?.status).toBe("FAIL");
    expect(rows.smtp?.detail).toMatch(/ECONNREFUSED/);
    expect(code).toBe(1);
  });

  it("skips what is not configured, but fails a named service that is not configured", async () => {
    msw.use(...anthropic());
    const all = await verify({ ANTHROPIC_API_KEY: SECRETS.ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL: ANTHROPIC_URL, ANTHROPIC_MODEL: MODEL });
    expect(all.rows.slack).toEqual({ status: "SKIP", detail: "not configured: set SLACK_BOT_TOKEN and SLACK_ALERT_CHANNELS" });
    expect(all.rows.smtp?.status).toBe("SKIP");
    expect(all.rows.anthropic?.status).toBe("PASS");
    expect(all.code).toBe(0);
    const named = await verify({}, "smtp");
    expect(named.rows.smtp).toEqual({ status: "FAIL", detail: "not configured: set SMTP_HOST and SMTP_FROM" });
    expect(named.code).toBe(1);
    expect((await verify({})).code).toBe(1);
  });

  it("is in the command table and rejects an unknown service as a usage error", async () => {
    const stderr = new PassThrough();
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr, env: {}, cwd: mkdtempSync(join(tmpdir(), "oncall-verify-")) };
    expect(await main(["node", "oncall-agent", "verify", "jira"], io)).toBe(2);
    expect(await main(["node", "oncall-agent", "verify", "smtp"], io)).toBe(1);
  });
});

describe("renderCheckTable", () => {
  it("pads the columns to the widest cell", () => {
    expect(renderCheckTable([{ service: "slack", status: "PASS", detail: "ok" }, { service: "conductor", status: "SKIP", detail: "not configured" }])).toBe(
      "SERVICE    STATUS  DETAIL\nslack      PASS    ok\nconductor  SKIP    not configured\n",
    );
  });
});

#!/usr/bin/env node
// In a checkout (src/ present, dev dependencies installed) the TypeScript sources run through tsx,
// so `npx oncall-agent` works right after `npm ci` with no build step to remember. Anywhere else —
// the container, a production install — it runs the compiled JavaScript of `npm run build`.
import { existsSync } from "node:fs";

const sources = new URL("../src/cli/entry.ts", import.meta.url);
const built = new URL("../dist/cli/entry.js", import.meta.url);

if (existsSync(sources) && (await tsxRegistered())) {
  await import(sources.href);
} else if (existsSync(built)) {
  await import(built.href);
} else {
  process.stderr.write("oncall-agent: no dist/ build and no TypeScript runtime: run `npm ci && npm run build`\n");
  process.exitCode = 2;
}

async function tsxRegistered() {
  try {
    const { register } = await import("tsx/esm/api");
    register();
    return true;
  } catch {
    return false;
  }
}

import { asText } from "./walk-json.ts";

/** What `redis-cli` prints: `INFO` (`# Section` headers and `key:value` lines), `CONFIG GET` pairs, `(integer) N`. */
export interface RedisInfo {
  /** Every `key:value` (and `CONFIG GET` pair) as written. */
  fields: Record<string, string>;
  usedMemory: number | null;
  /** 0 means no limit is configured (Redis then grows until the node or container runs out). */
  maxmemory: number | null;
  /** used_memory / maxmemory, only when a maxmemory is set. */
  usedPercent: number | null;
  maxmemoryPolicy: string | null;
  connectedClients: number | null;
  blockedClients: number | null;
  evictedKeys: number | null;
  rejectedConnections: number | null;
  /** `keys=` of every `db0:keys=...,expires=...` line, summed. */
  keys: number | null;
  role: string | null;
  uptimeSeconds: number | null;
  /** A bare `(integer) N` reply (DBSIZE, LLEN, ZCARD...). */
  integer: number | null;
}

const KNOWN_KEY = /^(redis_version|used_memory|maxmemory|connected_clients|role|uptime_in_seconds|evicted_keys|db\d+|aof_enabled|mem_fragmentation_ratio)$/;

/** Null when the text is not redis-cli output. */
export function readRedisInfo(text: string): RedisInfo | null {
  const fields: Record<string, string> = {};
  const lines = asText(text).split(/\r?\n/);
  let integer: number | null = null;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const pair = /^([a-z][a-z0-9_]*):(.*)$/.exec(line);
    if (pair?.[1] && !/\s/.test(pair[1])) fields[pair[1]] = (pair[2] ?? "").trim();
    // CONFIG GET: `1) "maxmemory"` then `2) "8589934592"`.
    const key = /^\d+\)\s+"([a-z][\w-]*)"$/.exec(line)?.[1];
    const value = /^\d+\)\s+"(.*)"$/.exec((lines[i + 1] ?? "").trim())?.[1];
    if (key && value !== undefined && /^\d+\)/.test((lines[i + 1] ?? "").trim()) && Number(/^(\d+)\)/.exec(line)?.[1]) % 2 === 1) fields[key] = value;
    const reply = /^\(integer\)\s+(-?\d+)$/.exec(line);
    if (reply?.[1]) integer = Number(reply[1]);
  });
  if (!Object.keys(fields).some((k) => KNOWN_KEY.test(k)) && integer === null) return null;
  const number = (key: string) => {
    const raw = fields[key];
    return raw !== undefined && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : null;
  };
  const usedMemory = number("used_memory");
  const maxmemory = number("maxmemory");
  const keyCounts = Object.entries(fields).filter(([k]) => /^db\d+$/.test(k)).map(([, v]) => Number(/keys=(\d+)/.exec(v)?.[1] ?? NaN)).filter(Number.isFinite);
  return {
    fields,
    usedMemory,
    maxmemory,
    usedPercent: usedMemory !== null && maxmemory !== null && maxmemory > 0 ? Math.round((usedMemory / maxmemory) * 1000) / 10 : null,
    maxmemoryPolicy: fields.maxmemory_policy ?? fields["maxmemory-policy"] ?? null,
    connectedClients: number("connected_clients"),
    blockedClients: number("blocked_clients"),
    evictedKeys: number("evicted_keys"),
    rejectedConnections: number("rejected_connections"),
    keys: keyCounts.length > 0 ? keyCounts.reduce((a, b) => a + b, 0) : null,
    role: fields.role ?? null,
    uptimeSeconds: number("uptime_in_seconds"),
    integer,
  };
}

import { extractDeployments, type DeploymentRecord } from "./read-deployments.ts";
import { asText, collectStrings } from "./walk-json.ts";

/** One configuration value as a workload carries it: an env var, a DNS option, a `key=value` in its spec. */
export interface Setting {
  /** The deployment it belongs to; null when the output does not say. */
  workload: string | null;
  key: string;
  value: string;
}

/** `KEY=value` anywhere on a line (`CONDUCTOR_WORKER_X_POLL_INTERVAL_MS=1`, `Options: ndots=5`). */
const ASSIGNED = /(?<![\w.-])([A-Za-z_][\w.]*)=([^\s,;)]+)/g;
/** `  KEY:  value` as `kubectl describe` prints env vars: an upper-case key with `_`. */
const DESCRIBED = /^\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+):\s+(\S.*?)\s*$/;
/** `  pollingInterval: 1`, `maximum-pool-size: 10` as YAML or properties print a numeric setting. */
const YAML_NUMBER = /^\s*-?\s*([a-z][\w.-]*[A-Za-z])\s*:\s+(\d+(?:\.\d+)?(?:ms|s|m)?)\s*$/;

/**
 * Every setting a deployments output shows, with the workload it belongs to: env vars of JSON
 * objects (whatever their shape, via the deployments reader), and in text the `KEY=value` and
 * `KEY: value` (or a YAML `key: 5`) lines under the last line that named a deployment (`--- deployment/x`,
 * `Name: x`, a table row). Pure; values as written.
 */
export function readSettings(data: unknown, text: string): Setting[] {
  const deployments = readWorkloads(data, text);
  const out: Setting[] = deployments.flatMap((d) => Object.entries(d.env).map(([key, value]) => ({ workload: d.name, key, value })));
  const names = [...new Set(deployments.map((d) => d.name))].sort((a, b) => b.length - a.length);
  const sources = [asText(text), ...collectStrings(data).filter((s) => s.includes("\n"))];
  for (const source of new Set(sources)) {
    let current: string | null = null;
    // `- name: KEY` then `value: "v"`: an env list printed as YAML.
    let envName: string | null = null;
    for (const line of source.split(/\r?\n/)) {
      const listed = /^\s*-\s*name:\s*["']?([A-Za-z_][\w.-]*)["']?\s*$/.exec(line);
      const value = envName ? /^\s*value:\s*["']?(.*?)["']?\s*$/.exec(line) : null;
      if (value?.[1] !== undefined && envName) out.push({ workload: current, key: envName, value: value[1] });
      envName = listed?.[1] ?? null;
      if (listed || value) continue;
      const pairs = [...line.matchAll(ASSIGNED)].map((m) => [m[1] ?? "", m[2] ?? ""] as const);
      const described = DESCRIBED.exec(line) ?? YAML_NUMBER.exec(line);
      if (described?.[1] && described[2]) pairs.push([described[1], described[2]]);
      const heading = KIND_HEADING.exec(line);
      current = heading?.[1] ?? heading?.[2] ?? names.find((name) => headingOf(name).test(line)) ?? current;
      for (const [key, value] of pairs) out.push({ workload: current, key, value });
    }
  }
  const seen = new Set<string>();
  return out.filter((s) => {
    const id = `${s.workload ?? ""}\u0000${s.key}\u0000${s.value}`;
    return !seen.has(id) && seen.add(id);
  });
}

/** Deployments from the output, or from text an agent wrapped in an object (`{result: "Name: …"}`). */
export function readWorkloads(data: unknown, text: string): DeploymentRecord[] {
  const direct = extractDeployments(data, text);
  return direct.length > 0 ? direct : collectStrings(data).flatMap((s) => (s.includes("\n") ? extractDeployments(s, s) : []));
}

/** `--- deployment/x`, `statefulset.apps/x`, `Name:  x` (describe): a block's heading even for a workload no table listed. */
const KIND_HEADING = /^\s*(?:[-=#*]+\s*)?(?:deployment|deploy|statefulset|daemonset)(?:\.apps)?\/([a-z0-9][\w.-]*)(?=$|[\s(:,])|^Name:\s+([a-z0-9][\w.-]*)\s*$/i;

/** A line that starts a workload's block: `--- deployment/x (…)`, `Name:   x`, `statefulset.apps/x`, a table row `x   3/3 …`. */
function headingOf(name: string): RegExp {
  return new RegExp(`^\\s*(?:[-=#*]+\\s*)?(?:(?:deployment|deploy|statefulset|daemonset)(?:\\.apps)?/|name:\\s*)?${escape(name)}(?=$|[\\s(:,])`, "i");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

import type { AppOrInfra } from "../rules/types.ts";

/**
 * Errors that say what is wrong, and the kind of change that usually brought them. An engineer
 * reading "Too many open files" thinks of a leak and looks at what was rolled out; "read-only
 * transaction" means the writes reach a standby, so they look for a failover; "invalid
 * credentials" from a process that has run for days means the credentials changed under it. The
 * cause states the mechanism and the change found in the evidence: "<error> since <change>".
 */
export type ChangeKind = "rollout" | "failover" | "secret";

export interface ErrorMechanism {
  /** The causal-graph node it is evidence of. */
  key: string;
  /** The error (exception class and message, a Caused-by, an error line) that names the mechanism. */
  pattern: RegExp;
  /** Errors that look alike but have their own, better-known cause: left to their signature. */
  unless?: RegExp;
  /** What the error means, said plainly. */
  meaning: string;
  /** Other lines of the same logs that show the mechanism at work (a leak's own warnings). */
  corroboration?: RegExp;
  /** The changes to look for, in order: the first one found is named. */
  change: readonly ChangeKind[];
  /** Weight from the error alone, and with the change found. Null: the error alone is no evidence of this node. */
  alone: number | null;
  withChange: number;
  appOrInfra: AppOrInfra;
  nextStep: (workload: string) => string;
}

export const ERROR_MECHANISMS: readonly ErrorMechanism[] = [
  {
    key: "fd-leak",
    pattern: /Too many open files|\bEMFILE\b/i,
    meaning: "it runs out of file descriptors: a descriptor/connection leak (sockets or files opened and never closed)",
    corroboration: /\bleak(s|ed|ing)?\b|CLOSE_WAIT/i,
    change: ["rollout"],
    alone: 0.6,
    withChange: 0.8,
    appOrInfra: "app",
    nextStep: (workload) => `Roll ${workload} back to the version before the change (or fix the client so it closes its responses/sockets), then check its open file descriptors stay flat`,
  },
  {
    key: "db-read-only",
    pattern: /cannot execute \w+ in a read-only transaction|read-only transaction|database is in recovery mode|running with the --read-only option|READONLY You can't write against a read only replica/i,
    meaning: "its writes reach a read-only database (a standby or replica: the old primary after a failover)",
    change: ["failover"],
    alone: 0.7,
    withChange: 0.85,
    appOrInfra: "infra",
    nextStep: (workload) => `Point ${workload}'s datasource at the cluster's writer endpoint (not an instance host) and restart it (human-approved change)`,
  },
  {
    key: "stale-secret",
    pattern: /invalid credentials|authentication failed|password authentication failed|\w*AuthenticationException|WRONGPASS|NOAUTH|invalid (api[ _-]?)?key|bad credentials|\b401\b[^\n]{0,40}unauthori[sz]ed|unauthori[sz]ed[^\n]{0,40}\b401\b/i,
    meaning: "the credentials it holds are rejected",
    change: ["secret"],
    alone: null,
    withChange: 0.8,
    appOrInfra: "infra",
    nextStep: (workload) => `Restart ${workload} so its pods read the rotated Secret (or add a reloader), after checking the new credentials are the ones the service expects`,
  },
  {
    key: "schema-mismatch",
    pattern: /column "?[\w.]+"? (of relation "?[\w.]+"? )?does not exist|relation "?[\w.]+"? does not exist|Unknown column '[^']+'|no such (column|table)|Table '[^']+' doesn't exist|undefined_column|SchemaValidationException|Validate failed: Migrations? have failed/i,
    meaning: "the code and the database schema disagree: a migration not applied (or applied ahead) for the version that runs",
    change: ["rollout"],
    alone: 0.6,
    withChange: 0.8,
    appOrInfra: "app",
    nextStep: (workload) => `Check which schema migration ${workload}'s new version expects against the database's (its migration table), run or roll back to match, then restart it`,
  },
  {
    key: "library-conflict",
    pattern: /NoSuchMethodError|NoSuchFieldError|NoClassDefFoundError|ClassNotFoundException|IncompatibleClassChangeError|AbstractMethodError|UnsupportedClassVersionError|ModuleNotFoundError|ImportError: cannot import name|undefined symbol:/,
    // "Could not initialize class X" is a static initializer that failed earlier, not a missing class.
    unless: /Could not initialize class/i,
    meaning: "a binary incompatibility: code built against one library version runs with another (a dependency bumped without its peers)",
    change: ["rollout"],
    alone: 0.55,
    // Short of high: which library, and whether the rollout brought it, is read from names, not shown.
    withChange: 0.75,
    appOrInfra: "app",
    nextStep: (workload) => `Roll ${workload} back to its previous image, then align the library versions its build resolves (the one the error names and what depends on it)`,
  },
  {
    key: "tls-trust",
    pattern: /PKIX path building failed|unable to find valid certification path|x509: certificate (signed by unknown authority|has expired|is not valid)|CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLHandshakeException|No subject alternative (DNS )?names? matching/i,
    meaning: "TLS to a dependency fails: its certificate is not trusted or not valid for the name (a rotated certificate, a changed CA or truststore)",
    change: ["secret", "rollout"],
    alone: 0.55,
    withChange: 0.75,
    appOrInfra: "infra",
    nextStep: (workload) => `Compare the certificate the dependency now presents with ${workload}'s truststore/CA bundle (the Secret or image that carries it) and restore the trust, then restart it`,
  },
];

/** The mechanism an error text names, first match wins. */
export function matchMechanism(text: string): ErrorMechanism | null {
  return ERROR_MECHANISMS.find((m) => m.pattern.test(text) && !m.unless?.test(text)) ?? null;
}

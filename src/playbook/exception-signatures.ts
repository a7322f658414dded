import type { AppOrInfra } from "../rules/types.ts";

/** What a dominant exception class usually means in a Conductor server or worker. */
export interface ExceptionSignature {
  key: string;
  pattern: RegExp;
  weight: number;
  appOrInfra: AppOrInfra;
  cause: string;
  nextStep: string;
}

export const EXCEPTION_SIGNATURES: ExceptionSignature[] = [
  {
    key: "heap",
    pattern: /OutOfMemoryError/,
    weight: 0.75,
    appOrInfra: "app",
    cause: "the JVM ran out of heap (java.lang.OutOfMemoryError)",
    nextStep: "Check what fills the heap (running-workflow backlog, large payloads); if the load is normal raise -Xmx with the container memory limit",
  },
  {
    key: "redis-connection",
    pattern: /Jedis(Connection|Exhausted|Cluster)\w*Exception|RedisConnection\w*Exception|RedisCommandTimeoutException|JedisDataException/,
    weight: 0.7,
    appOrInfra: "infra",
    cause: "Conductor cannot talk to Redis (connections refused, timing out or the pool exhausted)",
    nextStep: "Check the Redis instance for this cluster (up, memory, maxclients, network policy) and the server's Jedis pool size",
  },
  {
    key: "database",
    pattern: /PSQLException|SQLTransientConnectionException|CannotGetJdbcConnectionException|HikariPool|SQLException/,
    weight: 0.7,
    appOrInfra: "infra",
    cause: "Conductor cannot get Postgres connections (database down, slow or its connection pool exhausted)",
    nextStep: "Check the Postgres instance (connections, CPU, storage) and the server's Hikari pool settings",
  },
  {
    key: "elasticsearch",
    pattern: /Elasticsearch\w*Exception|OpenSearch\w*Exception|ResponseException/,
    weight: 0.6,
    appOrInfra: "infra",
    cause: "indexing into Elasticsearch/OpenSearch fails",
    nextStep: "Check the search cluster's health and disk watermarks",
  },
  {
    key: "dns",
    pattern: /UnknownHostException/,
    weight: 0.65,
    appOrInfra: "infra",
    cause: "a dependency's host name does not resolve inside the cluster",
    nextStep: "Check the host named in the exception and the cluster DNS (CoreDNS)",
  },
  {
    key: "network",
    pattern: /ConnectException|SocketTimeoutException|NoRouteToHostException|ConnectTimeoutException/,
    weight: 0.55,
    appOrInfra: "infra",
    cause: "a dependency refuses or times out connections",
    nextStep: "Find the host:port in the exception message and check that service",
  },
  {
    key: "stack-overflow",
    pattern: /StackOverflowError/,
    weight: 0.6,
    appOrInfra: "app",
    cause: "a StackOverflowError (deep recursion, often a huge or cyclic workflow definition)",
    nextStep: "Find the workflow being processed when it happened and open an engineering ticket with the stack",
  },
  {
    key: "conductor",
    pattern: /^(com\.netflix\.conductor|io\.orkes)\./,
    weight: 0.5,
    appOrInfra: "app",
    cause: "a Conductor application error",
    nextStep: "Find the workflow or task named in the error lines and tell its owner; open an engineering ticket if it is a server bug",
  },
];

export function matchException(name: string): ExceptionSignature | null {
  return EXCEPTION_SIGNATURES.find((signature) => signature.pattern.test(name)) ?? null;
}

/** `conductor-server-7f9l24b4p-7p6cg` → `conductor-server`; a StatefulSet's `redis-master-0` → `redis-master`. */
export function workloadOf(pod: string): string {
  const replicaSet = /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod);
  return replicaSet?.[1] ?? pod.replace(/-\d+$/, "");
}

export { createTriager } from "./create-triager.ts";
export type { TriagerDeps, TriagerOptions } from "./create-triager.ts";
export type { TriageRequest, Triager } from "./types.ts";

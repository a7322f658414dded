// The scenario format lives in src/scenario/ (capture writes it in production); re-exported for the sandbox.
export * from "../scenario/scenario-schema.ts";

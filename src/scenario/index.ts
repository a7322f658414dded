export * from "./scenario-schema.ts";

import { z } from "zod";

/**
 * Input pieces shared by every tool. `executionId` is in every schema so the model names the
 * incident it is asking about, but the invoker overwrites it with the triage's own id.
 */
export const executionIdSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/, "must be the failing execution's id (a UUID)")
  .describe("The failing health-check execution id from the alert");

/** A Kubernetes pod name (DNS subdomain): lowercase letters, digits, '-' and '.', at most 253 characters. */
export const podNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/, "must be a Kubernetes pod name (lowercase letters, digits, '-' and '.'), as listed by get_pods_data")
  .describe("Exact pod name, as listed by get_pods_data");

export const executionOnlySchema = z.object({ executionId: executionIdSchema }).strict();

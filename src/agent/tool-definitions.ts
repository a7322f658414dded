import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { modelReportSchema } from "../report/schema.ts";
import type { Tool } from "../tools/types.ts";

export const SUBMIT_REPORT = "submit_report";

/** The tool definitions the model sees, generated from the same zod schemas that validate input. */
export function toModelTools(tools: readonly Tool[]): Anthropic.Tool[] {
  const definitions: Anthropic.Tool[] = tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    input_schema: toInputSchema(tool.inputSchema),
  }));
  definitions.push({
    name: SUBMIT_REPORT,
    description:
      "Submit the final triage report. Call it exactly once, when you have enough evidence or the budget is nearly spent. " +
      "Every finding must name the tool and the callId it came from and carry a verbatim excerpt (at most 200 characters) of that call's " +
      "output that holds every number and name the finding states; unverifiable findings are dropped. End likelyRootCause with the causal " +
      'chain on its own line ("Chain: symptom ← … ← cause"). If the evidence is not conclusive, say so in likelyRootCause ' +
      '("Inconclusive — needs a human: check ...") and use low confidence.',
    input_schema: toInputSchema(modelReportSchema),
  });
  return definitions;
}

function toInputSchema(schema: z.ZodType): Anthropic.Tool.InputSchema {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  delete json.$schema;
  return { ...json, type: "object" } as Anthropic.Tool.InputSchema;
}

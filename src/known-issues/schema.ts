import { z } from "zod";

/** The format version of known-issues.json this build reads. */
export const KNOWN_ISSUES_VERSION = 1;

const COMPARATOR = /^(<=|>=|<|>|=)?v?(\d+(?:\.\d+){0,3})$/;

/** `">=5.2.0 <5.2.7"`: every comparator must hold. */
const versionRange = z
  .string()
  .trim()
  .min(1)
  .refine((range) => range.split(/\s+/).every((part) => COMPARATOR.test(part)), {
    message: 'must be comparators like ">=5.2.0 <5.2.7" or "<5.0.0"',
  });

const regexSource = z
  .string()
  .min(1)
  .refine(
    (source) => {
      try {
        new RegExp(source, "i");
        return true;
      } catch {
        return false;
      }
    },
    { message: "must be a valid regular expression" },
  );

const matchSchema = z
  .object({
    /** A substring of the image repository (e.g. "conductor-server", "worker"); with `versions`. */
    image: z.string().min(1).optional(),
    versions: versionRange.optional(),
    /** A case-insensitive regular expression looked for line by line in command output (logs, events). */
    log: regexSource.optional(),
  })
  .strict()
  .refine((m) => (m.image === undefined) === (m.versions === undefined), { message: "image and versions go together" })
  .refine((m) => m.image !== undefined || m.log !== undefined, { message: "match needs an image version, a log signature or both" });

export const knownIssueSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be kebab-case"),
    /** Shipped as an illustration of the format, not a vetted advisory. */
    example: z.boolean().default(false),
    title: z.string().min(1).max(200),
    match: matchSchema,
    advice: z.string().min(1).max(1000),
    link: z.url(),
  })
  .strict();
export type KnownIssue = z.output<typeof knownIssueSchema>;

export const knownIssuesFileSchema = z
  .object({
    $comment: z.string().optional(),
    version: z.literal(KNOWN_ISSUES_VERSION),
    updated: z.iso.date(),
    issues: z.array(knownIssueSchema),
  })
  .strict()
  .refine((file) => new Set(file.issues.map((i) => i.id)).size === file.issues.length, { message: "issue ids must be unique" });
export type KnownIssuesFile = z.output<typeof knownIssuesFileSchema>;

/** Parses a known-issues table; throws an Error listing every problem with its path. */
export function parseKnownIssues(raw: unknown, source = "known-issues.json"): KnownIssuesFile {
  const parsed = knownIssuesFileSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
  throw new Error(`${source} is invalid:\n  ${problems.join("\n  ")}`);
}

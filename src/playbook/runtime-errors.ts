/**
 * What a container runtime's or an exec's own error means when a container exits on it before the
 * program runs: knowledge an engineer adds to the quoted line.
 */
export const RUNTIME_ERRORS: readonly { pattern: RegExp; meaning: string; architecture?: boolean }[] = [
  { pattern: /exec format error/i, architecture: true, meaning: "the image's binaries are built for another CPU architecture than the node's (an arm64 image on amd64 nodes, or the reverse)" },
  { pattern: /exec: "?[^"\s]+"?: executable file not found in \$PATH|no such file or directory.*(?:exec|entrypoint)|exec [^:]+: no such file or directory/i, meaning: "the image's entrypoint or command does not exist in the image" },
  { pattern: /exec [^:]+: permission denied|permission denied.*exec/i, meaning: "the entrypoint is not executable for the container's user" },
];

/** The meaning of the first runtime error the text names, or null. */
export function runtimeMeaning(text: string): string | null {
  return RUNTIME_ERRORS.find((entry) => entry.pattern.test(text))?.meaning ?? null;
}

/** Whether the error means a CPU-architecture mismatch, so the image's and the nodes' architectures are the evidence to quote. */
export function isArchitectureError(text: string): boolean {
  return RUNTIME_ERRORS.some((entry) => entry.architecture === true && entry.pattern.test(text));
}

/** `platforms: linux/arm64`, `kubernetes.io/arch=amd64`, `Architecture: amd64`, `"architecture": "arm64"` as written. */
const ARCHITECTURE = /\b(?:platforms?|(?:beta\.)?kubernetes\.io\/arch|arch(?:itecture)?)["']?\s*[:=]\s*["']?(?:linux\/)?(?:arm64|amd64|aarch64|x86_64|arm(?:\/v[67])?|386|s390x|ppc64le)\b(?:\s*,\s*(?:linux\/)?(?:arm64|amd64|aarch64|x86_64))*/gi;

/** Every distinct architecture statement in a text, verbatim. */
export function architectureStatements(text: string): string[] {
  return [...new Set([...text.matchAll(ARCHITECTURE)].map((m) => m[0]))];
}

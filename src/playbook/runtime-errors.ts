/**
 * What a container runtime's or an exec's own error means when a container exits on it before the
 * program runs: knowledge an engineer adds to the quoted line.
 */
export const RUNTIME_ERRORS: readonly { pattern: RegExp; meaning: string }[] = [
  { pattern: /exec format error/i, meaning: "the image's binaries are built for another CPU architecture than the node's (an arm64 image on amd64 nodes, or the reverse)" },
  { pattern: /exec: "?[^"\s]+"?: executable file not found in \$PATH|no such file or directory.*(?:exec|entrypoint)|exec [^:]+: no such file or directory/i, meaning: "the image's entrypoint or command does not exist in the image" },
  { pattern: /exec [^:]+: permission denied|permission denied.*exec/i, meaning: "the entrypoint is not executable for the container's user" },
];

/** The meaning of the first runtime error the text names, or null. */
export function runtimeMeaning(text: string): string | null {
  return RUNTIME_ERRORS.find((entry) => entry.pattern.test(text))?.meaning ?? null;
}

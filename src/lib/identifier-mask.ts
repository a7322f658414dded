/** What ONCALL_MODEL_MASK may name. */
export const MASK_KINDS = ["ips", "emails", "hosts"] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export interface IdentifierMask {
  /** Replaces each identifier of the configured kinds with a stable placeholder (`masked-host-3`). */
  mask(text: string): string;
  /** Puts the real identifiers back where the placeholders are. */
  unmask(text: string): string;
}

const FILE_EXTENSIONS = new Set(["json", "yaml", "yml", "java", "log", "txt", "conf", "py", "ts", "js", "sql", "xml", "html", "properties", "jar", "class", "sh", "gz", "zip", "tar", "md", "csv", "pem", "crt", "key"]);

const PATTERNS: Record<MaskKind, RegExp> = {
  emails: /(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g,
  ips: /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]*\d)/g,
  // Lower-case dotted names ending in a word (not a file name, not a Java class: those end in capitals).
  hosts: /(?<![\w.@-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}(?![\w-]|\.\w)/g,
};
const LABELS: Record<MaskKind, string> = { emails: "email", ips: "ip", hosts: "host" };
const PLACEHOLDER = /\bmasked-(email|ip|host)-(\d+)\b/g;
/** A long-running bot sees many identifiers: the table starts over past this size. */
const MAX_ENTRIES = 50_000;

/**
 * A reversible mapping of identifiers to placeholders, kept for the process so one conversation
 * (re-sent whole every turn) always sees the same placeholder for the same value.
 */
export function createIdentifierMask(kinds: readonly MaskKind[]): IdentifierMask {
  const byValue = new Map<string, string>();
  const byPlaceholder = new Map<string, string>();
  const counters: Record<string, number> = {};
  const placeholderFor = (kind: MaskKind, value: string): string => {
    const known = byValue.get(value);
    if (known !== undefined) return known;
    if (byValue.size >= MAX_ENTRIES) {
      byValue.clear();
      byPlaceholder.clear();
    }
    const label = LABELS[kind];
    counters[label] = (counters[label] ?? 0) + 1;
    const placeholder = `masked-${label}-${counters[label]}`;
    byValue.set(value, placeholder);
    byPlaceholder.set(placeholder, value);
    return placeholder;
  };
  // E-mails first: their domain would otherwise be taken for a host.
  const order = (["emails", "ips", "hosts"] as const).filter((kind) => kinds.includes(kind));
  return {
    mask(text) {
      return order.reduce(
        (result, kind) =>
          result.replace(PATTERNS[kind], (match) => {
            if (kind === "hosts" && (FILE_EXTENSIONS.has(match.slice(match.lastIndexOf(".") + 1)) || match.startsWith("masked-"))) return match;
            return placeholderFor(kind, match);
          }),
        text,
      );
    },
    unmask(text) {
      return text.replace(PLACEHOLDER, (match) => byPlaceholder.get(match) ?? match);
    },
  };
}

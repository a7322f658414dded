/** The failing execution's URL: `https://<host>[/prefix]/execution/<uuid>`. */

export interface ExecutionRef {
  /** Lower-case UUID. */
  id: string;
  /** The URL up to and including the id (query string and trailing punctuation dropped). */
  url: string;
}

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
// `|` and `>` end a URL inside Slack link syntax; `&` may start an escaped entity.
const EXECUTION_URL = new RegExp(`(https?://[^\\s<>|/&]+(?:/[^\\s<>|/&]+)*?)/execution/(${UUID})(?![\\w-])`, "gi");
const ANY_EXECUTION_PATH = /https?:\/\/[^\s<>|]+\/execution\//i;

/** Distinct execution references in reading order; the first is the alert's. */
export function findExecutionRefs(texts: readonly string[]): ExecutionRef[] {
  const refs = new Map<string, ExecutionRef>();
  for (const text of texts) {
    for (const match of text.matchAll(EXECUTION_URL)) {
      const id = (match[2] ?? "").toLowerCase();
      if (!refs.has(id)) refs.set(id, { id, url: `${match[1]}/execution/${id}` });
    }
  }
  return [...refs.values()];
}

/** The texts link an /execution/ path at all (whether or not its id parses). */
export function mentionsExecution(texts: readonly string[]): boolean {
  return texts.some((t) => ANY_EXECUTION_PATH.test(t));
}

/** Why no reference was found, worded for someone reading `parse-alert` output. */
export function describeMissingExecutionUrl(texts: readonly string[]): string {
  return mentionsExecution(texts)
    ? "the message links an /execution/ URL but its id is not a UUID"
    : "no /execution/<uuid> URL in the message";
}

import { redactSecrets } from "../lib/redact.ts";

/** Zero-width space: breaks Slack's parsing of `@here` and friends without changing what people read. */
const ZERO_WIDTH_SPACE = "\u200B";

// C0 controls except tab and newline, DEL, C1 controls, and bidi overrides that can disguise text.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;
// ANSI escape sequences (colours in pod logs): drop them whole, not just their ESC byte.
const ANSI_SEQUENCES = /\u001B\[[0-?]*[ -/]*[@-~]|\u001B\][^\u0007\u001B]*(?:\u0007|\u001B\\)/g;

/** Normalises line ends and removes ANSI sequences and control characters (keeps tab and newline). */
export function stripControlCharacters(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(ANSI_SEQUENCES, "").replace(CONTROL_CHARACTERS, "");
}

/** Undoes Slack's own escaping (alert text arrives with `&amp; &lt; &gt;`); one pass, so `&amp;lt;` stays `&lt;`. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_match, name: string) => (name === "amp" ? "&" : name === "lt" ? "<" : ">"));
}

/** Escapes the three characters Slack reserves, which also makes `<!channel>`, `<@U1>` and `<url|label>` inert. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * Makes text from outside (alert text, tool output, model output) safe to put in a Slack mrkdwn message:
 * control characters stripped, secrets redacted, reserved characters escaped exactly once, and bare
 * `@channel`/`@here`/`@everyone` or `@name` mentions broken so they cannot notify anyone.
 */
export function neutralizeForSlack(text: string): string {
  const plain = redactSecrets(stripControlCharacters(decodeSlackEntities(text)));
  // `@` at a word start followed by a name; e-mail addresses (`a@b.com`) are left alone.
  return escapeSlackText(plain).replace(/(^|[^\w@.+-])@(?=[\p{L}\p{N}_])/gu, `$1@${ZERO_WIDTH_SPACE}`);
}

// Slack code has no escape for a backtick; a look-alike keeps the text readable without closing the code.
const BACKTICK_LOOKALIKE = "\u02CB";

/** Inline code holding outside text; neutralised, one line, at most `maxLength` long, backticks cannot end it early. */
export function codeSpan(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const body = trimForSlack(toOneLine(neutralizeForSlack(text)).trim(), maxLength).replace(/`/g, BACKTICK_LOOKALIKE);
  return body === "" ? "`(empty)`" : `\`${body}\``;
}

/** A code block holding outside text; neutralised, and a run of backticks inside cannot close it. */
export function codeBlock(text: string): string {
  const body = trimNewlines(neutralizeForSlack(text).replace(/`/g, BACKTICK_LOOKALIKE));
  return `\`\`\`\n${body === "" ? "(empty)" : body}\n\`\`\``;
}

/** Joins lines with a space. (`\s*\n\s*` would rescan long runs of spaces from every position.) */
export function toOneLine(text: string): string {
  return text.replace(/\s+/g, (space) => (space.includes("\n") ? " " : space));
}

function trimNewlines(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === "\n") start += 1;
  while (end > start && text[end - 1] === "\n") end -= 1;
  return text.slice(start, end);
}

export const TRIMMED_MARKER = "… (trimmed)";

/**
 * Cuts already-neutralised text to `max` characters with a visible marker. Never leaves half an
 * `&amp;` entity or half a surrogate pair behind. Trim only after neutralising: a secret cut in half
 * is no longer recognisable.
 */
export function trimForSlack(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - TRIMMED_MARKER.length));
  cut = cut.replace(/&[a-z]{0,3}$/, "").replace(/[\uD800-\uDBFF]$/, "");
  return `${cut.trimEnd()}${TRIMMED_MARKER}`;
}

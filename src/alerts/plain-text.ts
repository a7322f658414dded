/** Slack mrkdwn to plain text, one line at a time, so alert patterns need not know markup. */

const QUOTE_PREFIX = /^\s*(?:&gt;|>)\s?/;
const LINK = /<([^<>|\s]+)(?:\|([^<>]*))?>/g;
const ENTITY = /&(amp|lt|gt|quot|apos|#39);/g;
const ENTITY_CHARS: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", "#39": "'" };
// Shortcodes must start with a letter or "+" so that times such as 10:30:45 survive.
const EMOJI_CODE = /(?<![\w/]):[a-z+][a-z0-9_+'-]*:(?!\w)/gi;
const EMOJI_CHAR = /[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}\uFE0F\u200D\u20E3]/gu;
// Underscores inside words (TIMED_OUT, snake_case) are content; at word edges they are italics.
const ITALIC_MARK = /(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g;

/** Removes block-quote markers (`>` or the escaped `&gt;`), nested ones too. */
export function unquoteLine(line: string): string {
  let out = line;
  while (QUOTE_PREFIX.test(out)) out = out.replace(QUOTE_PREFIX, "");
  return out;
}

/** Links become their label (or target), mentions become @name / #channel. */
function renderLinks(line: string): string {
  return line.replace(LINK, (_match, target: string, label: string | undefined) => {
    const sigil = target[0];
    if (sigil === "@" || sigil === "#") return `${sigil}${label ?? target.slice(1)}`;
    if (sigil === "!") return `@${label ?? target.slice(1).split("^")[0]}`;
    return label ?? target;
  });
}

export function unescapeEntities(text: string): string {
  return text.replace(ENTITY, (_match, name: string) => ENTITY_CHARS[name] ?? _match);
}

export function toPlainLine(line: string): string {
  const text = unescapeEntities(renderLinks(unquoteLine(line)))
    .replace(EMOJI_CODE, " ")
    .replace(EMOJI_CHAR, " ")
    .replace(/[*`]/g, "")
    .replace(ITALIC_MARK, "");
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Characters that render as nothing but split a URL or a keyword for a regex: soft hyphen,
 * Mongolian vowel separator, zero-width space and (non-)joiners, bidi marks, embeddings and
 * isolates, word joiner and invisible operators, BOM, and the tag block. Removed before parsing,
 * so an execution URL with a zero-width space inside is still read, not silently dropped.
 */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u{E0000}-\u{E007F}]/gu;

export function removeInvisible(text: string): string {
  return text.replace(INVISIBLE, "").normalize("NFC");
}

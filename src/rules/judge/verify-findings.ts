/**
 * A deterministic check that a finding says only what a call returned: its excerpt (at most 200
 * characters) occurs verbatim in that call's output, whitespace aside, and every number and
 * identifier in its text occurs in the excerpt or in the call's own input (the pod a log pull
 * was about). Counts the reader made (`×40`) and single digits are exempt: they are not in any
 * output. Used on the rules engine's findings and on the model's.
 */

export const MAX_EXCERPT = 200;
/** Characters an excerpt aims for, so a reader sees the claim in its line. */
const CONTEXT = 150;

/** One call as the verifier sees it. `id` is what a finding cites. */
export interface CallSource {
  id: string;
  tool: string;
  /** Everything the call returned, as text (raw text, or the full rendering of its data). */
  output: string;
  /** The call's input, whose values a finding may name (pod, query). */
  input: Record<string, unknown>;
}

export interface Citation {
  callId: string;
  excerpt: string;
}

export type Verification = { ok: true } | { ok: false; reason: string };

const NUMBER = /(?<![\w.×])\d[\d,]*(?:\.\d+)?(?![\w])/g;
/** Compound names (`conductor-server-7f9`, `order_fulfillment`, `2.14.0-rc1`), mixed case (`OOMKilled`, `usedMb`), quantities (`4096Mi`). */
const IDENTIFIER = /[A-Za-z0-9]+(?:[-_./:][A-Za-z0-9]+)+|\b[a-z]+[A-Z]\w*|\b(?=\w*[a-z])[A-Z]\w*[A-Z]\w*|\b\d+(?:\.\d+)?[A-Za-z]+\b/g;
const COUNT = /×\s*\d[\d,]*|\d[\d,]*\s*×/g;
/** Abbreviations that look like identifiers. */
const NOT_IDENTIFIERS = new Set(["e.g", "i.e", "etc", "vs"]);

/** The numbers and identifiers a finding's text asserts. */
export function claimsOf(text: string): { numbers: number[]; identifiers: string[] } {
  const plain = text.replace(COUNT, " ");
  const identifiers = [
    ...new Set(
      [...plain.matchAll(IDENTIFIER)]
        .map((m) => m[0].replace(/[.:/-]+$/, ""))
        .filter((id) => id.length >= 3 && /[A-Za-z]/.test(id) && !NOT_IDENTIFIERS.has(id.toLowerCase())),
    ),
  ];
  const bare = identifiers.reduce((rest, id) => rest.split(id).join(" "), plain);
  const numbers = [...new Set([...bare.matchAll(NUMBER)].map((m) => m[0]).filter((n) => n.replace(/\D/g, "").length >= 2).map(toValue))];
  return { numbers, identifiers };
}

/**
 * Checks one finding against the call it cites; without a call id, against the calls of the tool
 * it names (a model that lost track of ids still has to quote an output verbatim).
 */
export function verifyFinding(finding: { text: string; tool?: string; callId?: string; excerpt?: string }, calls: readonly CallSource[]): Verification {
  if (!finding.excerpt) return { ok: false, reason: "no excerpt" };
  const cited = finding.callId ? calls.filter((c) => c.id === finding.callId) : calls.filter((c) => c.tool === finding.tool);
  if (cited.length === 0) return { ok: false, reason: finding.callId ? `no call ${finding.callId}` : `no call of ${finding.tool ?? "that tool"}` };
  const excerpt = normalize(finding.excerpt);
  if (excerpt.length === 0 || excerpt.length > MAX_EXCERPT) return { ok: false, reason: `excerpt must be 1–${MAX_EXCERPT} characters` };
  let failure: Verification = { ok: false, reason: "no call checked" };
  for (const call of cited) {
    if (!normalize(call.output).includes(excerpt)) {
      failure = { ok: false, reason: `the excerpt is not in the output of ${call.id}` };
      continue;
    }
    const missing = missingClaims(finding.text, excerpt, call);
    if (missing.length === 0) return { ok: true };
    failure = { ok: false, reason: `not in the excerpt: ${missing.slice(0, 3).join(", ")}` };
  }
  return failure;
}

/**
 * The rules engine's citation: among the calls of the finding's tool, the ≤200-character window
 * of an output that covers the most of the finding's claims. Null when no call has one.
 */
export function citeFinding(finding: { text: string; tool: string }, calls: readonly CallSource[]): Citation | null {
  const { numbers, identifiers } = claimsOf(finding.text);
  let best: { citation: Citation; covered: number; missing: number } | null = null;
  for (const call of calls.filter((c) => c.tool === finding.tool)) {
    const output = normalize(call.output);
    const own = inputText(call);
    const needles = [...identifiers.filter((id) => !own.includes(id.toLowerCase())), ...numbers.flatMap((n) => [...new Set([String(n), n.toLocaleString("en-US")])])];
    const window = bestWindow(output, needles);
    if (!window) continue;
    const missing = missingClaims(finding.text, window, call).length;
    const covered = needles.length - missing;
    if (!best || missing < best.missing || (missing === best.missing && covered > best.covered)) best = { citation: { callId: call.id, excerpt: window }, covered, missing };
  }
  return best?.citation ?? null;
}

function missingClaims(text: string, excerpt: string, call: CallSource): string[] {
  const { numbers, identifiers } = claimsOf(text);
  const haystack = excerpt.toLowerCase();
  const own = inputText(call);
  const values = new Set(claimsOf(excerpt.replace(COUNT, " ")).numbers.concat([...excerpt.matchAll(NUMBER)].map((m) => toValue(m[0]))));
  const flat = haystack.replace(/(\d),(?=\d{3}\b)/g, "$1");
  return [
    ...identifiers.filter((id) => !haystack.includes(id.toLowerCase()) && !own.includes(id.toLowerCase())),
    ...numbers.filter((n) => !values.has(n) && !flat.includes(String(n)) && !roundsTo(values, n)).map(String),
  ];
}

/** `48,213` and `48213` are one number; `71%` may stand for 71.4 in the output. */
function roundsTo(values: ReadonlySet<number>, n: number): boolean {
  const decimals = String(n).split(".")[1]?.length ?? 0;
  return [...values].some((v) => Number(v.toFixed(decimals)) === n);
}

/** The window (≤ MAX_EXCERPT characters, on word edges) holding the most distinct needles. */
function bestWindow(output: string, needles: readonly string[]): string | null {
  if (output.length === 0) return null;
  const lower = output.toLowerCase();
  const hits = needles.flatMap((needle, i) => positions(lower, needle.toLowerCase()).map((at) => ({ at, i, end: at + needle.length })));
  // Nothing to check (a finding without numbers or names): the output's opening is its excerpt.
  if (needles.length === 0) return trimToWords(output, 0, Math.min(output.length, MAX_EXCERPT - 20));
  if (hits.length === 0) return null;
  let best = { start: 0, end: 0, count: -1 };
  for (const hit of hits.slice(0, 4000)) {
    const start = Math.max(0, Math.min(hit.at, hit.end - MAX_EXCERPT));
    const inside = hits.filter((h) => h.at >= start && h.end <= start + MAX_EXCERPT);
    const count = new Set(inside.map((h) => h.i)).size;
    if (count > best.count) best = { start, end: Math.max(...inside.map((h) => h.end)), count };
  }
  return trimToWords(output, best.start, best.end);
}

function positions(text: string, needle: string): number[] {
  const found: number[] = [];
  if (needle === "") return found;
  for (let at = text.indexOf(needle); at !== -1 && found.length < 500; at = text.indexOf(needle, at + 1)) found.push(at);
  return found;
}

/** Widens [start, end) with some context, to whole words, within MAX_EXCERPT characters. */
function trimToWords(text: string, start: number, end: number): string {
  const pad = Math.max(0, Math.floor((CONTEXT - (end - start)) / 2));
  let s = Math.max(0, start - pad);
  let e = Math.min(text.length, end + pad);
  while (s > 0 && /\S/.test(text[s - 1] ?? "") && e - s < MAX_EXCERPT) s -= 1;
  while (e < text.length && /\S/.test(text[e] ?? "") && e - s < MAX_EXCERPT) e += 1;
  return text.slice(s, e).trim();
}

function inputText(call: CallSource): string {
  return Object.values(call.input).filter((v) => typeof v === "string" || typeof v === "number").join(" ").toLowerCase();
}

function toValue(number: string): number {
  return Number(number.replace(/,/g, ""));
}

export function normalize(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

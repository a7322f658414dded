const SLACK_TS = /^(\d+)(?:\.(\d+))?$/;

/**
 * Orders two Slack timestamps ("1700000000.000100") numerically: negative, zero or positive.
 * Compared as digit strings, not floats, because a double cannot hold 16 significant digits.
 */
export function compareSlackTs(a: string, b: string): number {
  const [aSeconds, aFraction] = splitTs(a);
  const [bSeconds, bFraction] = splitTs(b);
  if (aSeconds.length !== bSeconds.length) return aSeconds.length - bSeconds.length;
  if (aSeconds !== bSeconds) return aSeconds < bSeconds ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const left = aFraction.padEnd(width, "0");
  const right = bFraction.padEnd(width, "0");
  return left === right ? 0 : left < right ? -1 : 1;
}

export function isSlackTs(text: string): boolean {
  return SLACK_TS.test(text);
}

function splitTs(ts: string): [seconds: string, fraction: string] {
  const match = SLACK_TS.exec(ts);
  if (!match) throw new TypeError(`not a Slack ts: "${ts}"`);
  const seconds = (match[1] ?? "").replace(/^0+(?=\d)/, "");
  return [seconds, match[2] ?? ""];
}

import { normalizeKey, readKey, readString, toNumber, walkObjects } from "./walk-json.ts";

const NAME_KEYS = ["name", "metric", "key", "label", "type"];
const VALUE_KEYS = ["value", "val", "current", "size", "count", "usage", "used"];
/** Keys that hold a limit, not a reading. */
const NOT_A_READING = /threshold|limit|max|min|capacity|total/;

/**
 * Finds a numeric reading whose name matches `pattern` (tested on normalized names such as
 * `deciderqueuesize`): as a key, as a name/value pair, or as `Name: 48,000` in text.
 */
export function findMetric(data: unknown, text: string, pattern: RegExp): number | null {
  let found: number | null = null;
  walkObjects(data, (object) => {
    if (found !== null) return true;
    for (const [key, value] of Object.entries(object)) {
      const k = normalizeKey(key);
      if (pattern.test(k) && !NOT_A_READING.test(k) && toNumber(value) !== null) {
        found = toNumber(value);
        return true;
      }
    }
    const name = readString(object, ...NAME_KEYS);
    if (name && pattern.test(normalizeKey(name)) && !NOT_A_READING.test(normalizeKey(name))) {
      found = toNumber(readKey(object, ...VALUE_KEYS));
      return found !== null;
    }
    return false;
  });
  return found ?? findMetricInText(text, pattern);
}

function findMetricInText(text: string, pattern: RegExp): number | null {
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*[-*•]?\s*([A-Za-z][\w .()/-]{0,60}?)\s*[:=]\s*(-?\d[\d,_]*(?:\.\d+)?\s*[kK]?)/.exec(line);
    if (!match?.[1] || !match[2]) continue;
    const name = normalizeKey(match[1]);
    if (pattern.test(name) && !NOT_A_READING.test(name)) return toNumber(match[2]);
  }
  return null;
}

/**
 * A percentage reading: a key or name matching `keyPattern` (which should say percent/usage), or
 * `NN%` on a text line matching `linePattern` (`Redis used memory: 6.1 GiB (71%)` → 71).
 */
export function findPercent(data: unknown, text: string, keyPattern: RegExp, linePattern: RegExp = keyPattern): number | null {
  const fromData = findMetric(data, "", keyPattern);
  if (fromData !== null && fromData <= 100) return fromData;
  for (const line of text.split(/\r?\n/)) {
    const percent = /(\d+(?:\.\d+)?)\s*%/.exec(line);
    if (percent?.[1] && linePattern.test(normalizeKey(line))) return Number(percent[1]);
  }
  return null;
}

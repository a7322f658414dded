/**
 * JSON.stringify without recursion, so the fake Slack can serve a message nested deeper than the
 * stack allows (as real Slack does) and tests can check the bot survives it. Same output as
 * JSON.stringify for plain data (no toJSON, no replacer).
 */
export function stringifyDeep(value: unknown): string {
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text (brackets, commas, keys).
  const stack: ({ text: string } | { value: unknown })[] = [{ value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("text" in item) {
      out.push(item.text);
      continue;
    }
    const v = item.value;
    if (Array.isArray(v)) {
      const parts: ({ text: string } | { value: unknown })[] = [{ text: "[" }];
      v.forEach((element, i) => {
        if (i > 0) parts.push({ text: "," });
        parts.push({ value: element === undefined || typeof element === "function" ? null : element });
      });
      parts.push({ text: "]" });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== "function");
      const parts: ({ text: string } | { value: unknown })[] = [{ text: "{" }];
      entries.forEach(([key, x], i) => {
        parts.push({ text: `${i > 0 ? "," : ""}${JSON.stringify(key)}:` }, { value: x });
      });
      parts.push({ text: "}" });
      for (let i = parts.length - 1; i >= 0; i -= 1) stack.push(parts[i]!);
    } else {
      out.push(JSON.stringify(v) ?? "null");
    }
  }
  return out.join("");
}

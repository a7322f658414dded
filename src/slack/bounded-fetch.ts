/**
 * Slack messages are untrusted structure: blocks can nest thousands deep, and @slack/web-api
 * walks every response recursively (it builds a debug line even when debug is off), so one such
 * message would throw "Maximum call stack size exceeded" on every poll and block its channel.
 * This fetch cuts JSON responses to MAX_JSON_DEPTH levels, iteratively, before the client sees them.
 */
export const MAX_JSON_DEPTH = 64;

export function createBoundedFetch(onCut: (info: { url: string; cut: number }) => void, base?: typeof fetch): typeof fetch {
  return async (input, init) => {
    // globalThis.fetch is looked up per call: test tools patch it after the client exists.
    const response = await (base ?? globalThis.fetch)(input, init);
    if (!(response.headers.get("content-type") ?? "").includes("json")) return response;
    const text = await response.text();
    let value: unknown;
    try {
      value = JSON.parse(text); // V8 parses iteratively: any depth is fine here
    } catch {
      return new Response(text, response);
    }
    const cut = cutDeeperThan(value, MAX_JSON_DEPTH);
    if (cut === 0) return new Response(text, response);
    onCut({ url: String(input instanceof Request ? input.url : input), cut });
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    return new Response(JSON.stringify(value), { status: response.status, statusText: response.statusText, headers });
  };
}

/** Replaces every object or array deeper than `maxDepth` by null, in place; returns how many were cut. */
export function cutDeeperThan(root: unknown, maxDepth: number): number {
  let cut = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    const container = node as Record<string, unknown>;
    for (const key of Object.keys(container)) {
      const child = container[key];
      if (child === null || typeof child !== "object") continue;
      if (depth >= maxDepth) {
        container[key] = null;
        cut += 1;
      } else {
        stack.push({ node: child, depth: depth + 1 });
      }
    }
  }
  return cut;
}
